from collections.abc import Callable

from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Membership, Project, User


def test_creator_becomes_lead_and_sees_only_own_projects(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User],
    make_project: Callable[..., Project],
) -> None:
    user, other = make_user(), make_user()
    hidden = make_project("Someone else's study", lead=other)
    client = client_for(user)
    response = client.post("/projects/new", data={"name": "EU–US cities", "description": "d"})
    assert response.status_code == 302
    project = db.session.scalar(db.select(Project).where(Project.name == "EU–US cities"))
    assert [m.role for m in project.memberships] == ["lead"]
    listing = client.get("/projects").get_data(as_text=True)
    assert "EU–US cities" in listing
    assert hidden.name not in listing
    assert client.get(f"/projects/{hidden.id}/").status_code == 404


def test_duplicate_project_name_keeps_what_was_typed(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    response = client_for(people["lead"]).post(
        "/projects/new", data={"name": project.name.upper(), "description": "my notes"})
    page = response.get_data(as_text=True)
    assert "already exists" in page
    assert "my notes" in page


def test_lead_adds_and_changes_members(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User],
    make_user: Callable[..., User],
) -> None:
    newcomer = make_user("Newcomer")
    client = client_for(people["lead"])
    client.post(f"/projects/{project.id}/members/add",
                data={"email": newcomer.email, "role": "coder"})
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == newcomer.id))
    assert membership.role == "coder"
    client.post(f"/projects/{project.id}/members/{membership.id}/role", data={"role": "viewer"})
    db.session.expire_all()
    assert membership.role == "viewer"
    unknown = client.post(f"/projects/{project.id}/members/add",
                          data={"email": "nobody@example.org", "role": "coder"})
    assert "There is no account for nobody@example.org" in unknown.get_data(as_text=True)
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.project_id == project.id))
    assert {"member.add", "member.role"} <= set(actions)


def test_last_lead_cannot_leave(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    lead_membership = db.session.scalar(db.select(Membership).where(
        Membership.project_id == project.id, Membership.user_id == people["lead"].id))
    client = client_for(people["lead"])
    response = client.post(
        f"/projects/{project.id}/members/{lead_membership.id}/remove", follow_redirects=True)
    assert "at least one lead" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Membership, lead_membership.id) is not None


def test_membership_of_another_project_is_not_found(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User],
    make_project: Callable[..., Project], make_user: Callable[..., User],
) -> None:
    other = make_project("Other", lead=make_user())
    foreign = other.memberships[0]
    response = client_for(people["lead"]).post(
        f"/projects/{project.id}/members/{foreign.id}/remove")
    assert response.status_code == 404


def test_audit_log_is_searchable_by_leads(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    client = client_for(people["lead"])
    client.post(f"/projects/{project.id}/settings",
                data={"name": "Renamed study", "description": ""})
    page = client.get(f"/projects/{project.id}/audit?q=settings").get_data(as_text=True)
    assert "Project settings changed" in page
    assert client_for(people["coder"]).get(f"/projects/{project.id}/audit").status_code == 403


def test_dashboard_recount_runs_the_statistics_job(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    client = client_for(people["coder"])
    assert "Not counted yet" in client.get(f"/projects/{project.id}/").get_data(as_text=True)
    client.post(f"/projects/{project.id}/statistics")
    page = client.get(f"/projects/{project.id}/").get_data(as_text=True)
    assert "Counted" in page
    db.session.expire_all()
    assert project.stats["members"] == 4


def test_admin_can_join_any_project_as_lead(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    client = client_for(people["admin"])
    assert client.get(f"/projects/{project.id}/").status_code == 404
    assert project.name in client.get("/admin/projects").get_data(as_text=True)
    client.post(f"/admin/projects/{project.id}/join")
    assert client.get(f"/projects/{project.id}/").status_code == 200
