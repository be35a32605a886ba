"""The audit log as CSV: leads for their project, admins for the whole site."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient

from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User


def rows_of(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def add_entry(project: Project | None, user: User, action: str, summary: str) -> None:
    entry = audit.record(action, project, project=project, user_id=user.id, summary=summary)
    entry.at = datetime(2026, 5, 4, 12, 30, 15, tzinfo=UTC)
    db.session.flush()


def test_leads_download_their_projects_log_filtered_by_the_search(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User],
    make_project: Callable[..., Project],
) -> None:
    add_entry(project, people["lead"], "member.role", "Coder: viewer → coder")
    add_entry(project, people["lead"], "project.update", "Project settings changed")
    add_entry(make_project("Other", lead=people["outsider"]), people["outsider"],
              "member.role", "Someone else's project")
    response = client_for(people["lead"]).get(f"/projects/{project.id}/audit.csv?q=role")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"audit-project-{project.id}-" in response.headers["Content-Disposition"]
    rows = rows_of(response.data)
    assert rows == [{
        "time_utc": "2026-05-04T12:30:15Z", "user_email": people["lead"].email,
        "project_id": str(project.id), "action": "member.role", "object_type": "Project",
        "object_id": str(project.id), "summary": "Coder: viewer → coder",
    }]


def test_the_export_is_itself_recorded(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    client_for(people["lead"]).get(f"/projects/{project.id}/audit.csv?q=role")
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "audit.export")
    )
    assert entry.user_id == people["lead"].id and entry.project_id == project.id
    assert entry.summary == "Audit log exported as CSV (search “role”)"
    page = client_for(people["lead"]).get(f"/projects/{project.id}/audit").get_data(as_text=True)
    assert "audit.export" in page
    assert f'href="/projects/{project.id}/audit.csv"' in page


def test_coders_are_refused_and_outsiders_not_told(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    url = f"/projects/{project.id}/audit.csv"
    assert client_for(people["coder"]).get(url).status_code == 403
    assert client_for(people["outsider"]).get(url).status_code == 404
    assert client_for(people["lead"]).get("/admin/audit.csv").status_code == 403
    assert db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "audit.export")
    ) is None


def test_admins_download_the_whole_site_log(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User],
    make_project: Callable[..., Project],
) -> None:
    add_entry(project, people["lead"], "project.update", "First project")
    add_entry(make_project("Other", lead=people["outsider"]), people["outsider"],
              "project.update", "Second project")
    add_entry(None, people["admin"], "user.create", "Account made")
    response = client_for(people["admin"]).get("/admin/audit.csv")
    assert response.status_code == 200
    summaries = {row["summary"] for row in rows_of(response.data)}
    assert {"First project", "Second project", "Account made"} <= summaries
    assert "Audit log exported as CSV" not in summaries
    page = client_for(people["admin"]).get("/admin/audit?q=First").get_data(as_text=True)
    assert 'href="/admin/audit.csv?q=First"' in page


def test_cells_that_a_spreadsheet_would_run_are_defused(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    add_entry(project, people["lead"], "memo.add", '=HYPERLINK("http://evil.example","x")')
    add_entry(project, people["lead"], "memo.add", "-2+3")
    response = client_for(people["lead"]).get(f"/projects/{project.id}/audit.csv?q=memo")
    summaries = sorted(row["summary"] for row in rows_of(response.data))
    assert summaries == ["'-2+3", "'=HYPERLINK(\"http://evil.example\",\"x\")"]
