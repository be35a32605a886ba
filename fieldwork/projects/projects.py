"""Projects and their members: creation, roles, the last lead kept."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import case, func

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.features import registered_features
from fieldwork.models import ROLES, Membership, Project, User
from fieldwork.permissions import LEAD


class ProjectError(ValueError):
    """A change to a project that cannot be made, in words for the user."""


def projects_of(user: User) -> list[tuple[Project, str]]:
    """The projects a user belongs to, with their role, by name."""
    rows = db.session.execute(
        db.select(Project, Membership.role)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == user.id)
        .order_by(Project.archived, Project.name)
    )
    return [(project, role) for project, role in rows]


def all_projects() -> list[Project]:
    return list(db.session.scalars(db.select(Project).order_by(Project.name)))


def find_project(name: str) -> Project | None:
    return db.session.scalar(
        db.select(Project).where(func.lower(Project.name) == name.strip().lower())
    )


def create_project(name: str, description: str, lead: User) -> Project:
    name = name.strip()
    if find_project(name) is not None:
        raise ProjectError(f"A project called “{name}” already exists.")
    project = Project(name=name, description=description.strip())
    db.session.add(project)
    db.session.flush()
    db.session.add(Membership(project=project, user=lead, role=LEAD))
    audit.record("project.create", project, project=project, summary=f"Project “{name}” created")
    db.session.flush()
    return project


def update_project(project: Project, *, name: str, description: str, archived: bool) -> None:
    name = name.strip()
    other = find_project(name)
    if other is not None and other.id != project.id:
        raise ProjectError(f"A project called “{name}” already exists.")
    project.name, project.description, project.archived = name, description.strip(), archived
    audit.record("project.update", project, project=project, summary="Project settings changed")


def members_of(project: Project) -> list[Membership]:
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(User)
            .where(Membership.project_id == project.id)
            .order_by(case({role: rank for rank, role in enumerate(ROLES)},
                           value=Membership.role), User.name)
        )
    )


def check_role(role: str) -> None:
    if role not in ROLES:
        raise ProjectError(f"“{role}” is not a role; choose one of {', '.join(ROLES)}.")


def add_member(project: Project, user: User, role: str) -> Membership:
    check_role(role)
    existing = db.session.scalar(
        db.select(Membership).where(
            Membership.project_id == project.id, Membership.user_id == user.id
        )
    )
    if existing is not None:
        raise ProjectError(f"{user.name} is already a member ({existing.role}).")
    membership = Membership(project=project, user=user, role=role)
    db.session.add(membership)
    db.session.flush()
    audit.record("member.add", membership, project=project,
                 summary=f"{user.name} added as {role}")
    return membership


def lead_count(project: Project) -> int:
    return db.session.scalar(
        db.select(func.count()).select_from(Membership).where(
            Membership.project_id == project.id, Membership.role == LEAD
        )
    ) or 0


def change_role(membership: Membership, role: str) -> None:
    check_role(role)
    if membership.role == LEAD and role != LEAD and lead_count(membership.project) == 1:
        raise ProjectError("A project needs at least one lead: make someone else lead first.")
    old = membership.role
    membership.role = role
    audit.record("member.role", membership, project=membership.project,
                 summary=f"{membership.user.name}: {old} → {role}")


def remove_member(membership: Membership) -> None:
    if membership.role == LEAD and lead_count(membership.project) == 1:
        raise ProjectError("A project needs at least one lead: make someone else lead first.")
    audit.record("member.remove", membership, project=membership.project,
                 summary=f"{membership.user.name} removed")
    db.session.delete(membership)


def compute_statistics(project: Project) -> dict[str, int]:
    """Counts shown on the dashboard: members, and whatever each feature counts."""
    stats = {"members": len(project.memberships)}
    for feature in registered_features(current_app):
        if feature.stats is not None:
            stats.update(feature.stats(project))
    return stats


def refresh_statistics(project: Project) -> dict[str, int]:
    project.stats = compute_statistics(project)
    project.stats_computed_at = utcnow()
    return project.stats
