"""The demo project: accounts for each role and a project each feature fills with its part."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from fieldwork.accounts.accounts import create_user, find_user
from fieldwork.accounts.passwords import hash_password
from fieldwork.extensions import db
from fieldwork.features import registered_features
from fieldwork.models import Membership, Project, User
from fieldwork.projects.projects import create_project, find_project

DEMO_PROJECT = "City diplomacy: EU cities with US and Chinese partners (demo)"
DEMO_DESCRIPTION = (
    "A demonstration project: EU cities and regions, their US and Chinese partner cities, "
    "interviews in Brussels and Washington and a visit to a Polish city. Try anything here."
)

#: key -> (email, name, role in the demo project)
DEMO_PEOPLE = {
    "lead": ("lead@fieldwork.example", "Anna Kowalska (lead)", "lead"),
    "interviewer": ("interviewer@fieldwork.example", "Tomasz Nowak (interviewer)", "interviewer"),
    "coder": ("coder@fieldwork.example", "Eva Horváth (coder)", "coder"),
    "coder2": ("coder2@fieldwork.example", "Jan Dvořák (second coder)", "coder"),
    "viewer": ("viewer@fieldwork.example", "Mara Ionescu (viewer)", "viewer"),
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def demo_password_file() -> Path:
    return Path(current_app.instance_path) / "demo-password.txt"


def demo_password() -> str:
    """The demo accounts' shared password, made once and kept in the instance folder."""
    path = demo_password_file()
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_user(email: str, name: str, password: str, *, is_admin: bool = False) -> User:
    user = find_user(email)
    if user is None:
        return create_user(email, name, password, is_admin=is_admin)
    user.password_hash = hash_password(password)
    user.active = True
    return user


def ensure_demo_project() -> tuple[Project, DemoLogin]:
    """Create the demo accounts and project, or bring them back; safe to run again."""
    password = demo_password()
    people = {
        key: ensure_user(email, name, password, is_admin=(key == "lead"))
        for key, (email, name, _role) in DEMO_PEOPLE.items()
    }
    project = find_project(DEMO_PROJECT) or create_project(
        DEMO_PROJECT, DEMO_DESCRIPTION, people["lead"]
    )
    for key, (_email, _name, role) in DEMO_PEOPLE.items():
        ensure_membership(project, people[key], role)
    db.session.flush()
    for feature in registered_features(current_app):
        if feature.demo is not None:
            feature.demo(project, people)
    db.session.commit()
    return project, DemoLogin(DEMO_PEOPLE["lead"][0], password)


def ensure_membership(project: Project, user: User, role: str) -> None:
    exists = db.session.scalar(
        db.select(Membership).where(
            Membership.project_id == project.id, Membership.user_id == user.id
        )
    )
    if exists is None:
        db.session.add(Membership(project=project, user=user, role=role))
