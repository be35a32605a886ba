"""Every route refuses whoever its access rule excludes: tried for each role, each method.

Expected answers: no login → redirect to the login page; a member of another project (or
an admin who is not a member) → 404 for project pages; a member whose role lacks the
permission → 403; a non-admin on admin pages → 403; everyone allowed gets neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import Connection
from werkzeug.routing import Rule

from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.permissions import roles_with
from tests.access_samples import BUILDERS
from tests.conftest import log_in

ROLES = ("anonymous", "outsider", "admin", "viewer", "coder", "interviewer", "lead")
REFUSALS = {401, 403, 404}


@dataclass(frozen=True)
class Case:
    rule: Rule
    method: str

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule}"


def checked_rules(app: Flask) -> list[Case]:
    cases = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            cases.append(Case(rule, method))
    # Reading first, then changing, so one change does not hide another route's answer.
    return sorted(cases, key=lambda case: (case.method != "GET", case.rule.rule))


def expected_answer(access: tuple[str, ...], role: str) -> str:
    """"login", "404", "403" or "allowed"."""
    kind = access[0]
    if kind == "public":
        return "allowed"
    if role == "anonymous":
        return "login"
    if kind == "user":
        return "allowed"
    if kind == "admin":
        return "allowed" if role == "admin" else "403"
    if role in {"outsider", "admin"}:
        return "404"
    return "allowed" if role in roles_with(access[1]) else "403"


def actual_answer(status: int, location: str) -> str:
    if status in (301, 302, 303) and "/login?next=" in location:
        return "login"
    if status in REFUSALS:
        return str(status)
    if status >= 500:
        return f"error {status}"
    return "allowed"


def test_every_view_declares_its_access(app: Flask) -> None:
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not hasattr(app.view_functions[rule.endpoint], "access")
    ]
    assert undeclared == []


def test_every_route_argument_has_a_sample(app: Flask) -> None:
    missing = {
        argument for rule in app.url_map.iter_rules() for argument in rule.arguments
        if rule.endpoint != "static"
    } - BUILDERS.keys()
    assert missing == set(), "add builders to tests/access_samples.py"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(
    app: Flask, project: Project, people: dict[str, User], role: str, transaction: Connection
) -> None:
    client = app.test_client()
    wrong = []
    for case in checked_rules(app):
        if role != "anonymous":
            log_in(client, people[role])
        values = {arg: BUILDERS[arg](project, people) for arg in case.rule.arguments}
        url = case.rule.build(values)[1]
        expected = expected_answer(app.view_functions[case.rule.endpoint].access, role)
        db.session.commit()
        attempt = transaction.begin_nested()
        response = client.open(url, method=case.method)
        db.session.rollback()
        attempt.rollback()
        answer = actual_answer(response.status_code, response.headers.get("Location", ""))
        if answer != expected:
            wrong.append(f"{case}: expected {expected}, got {answer} ({response.status_code})")
    assert wrong == [], "\n".join(wrong)
