from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import Project, User


def test_security_headers_forbid_inline_scripts(client: FlaskClient) -> None:
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_when_configured(make_app: Callable[..., Flask]) -> None:
    assert make_app(SECURE_COOKIES=True).config["SESSION_COOKIE_SECURE"] is True


def test_state_changes_need_the_csrf_token(
    make_app: Callable[..., Flask], project: Project, people: dict[str, User]
) -> None:
    guarded = make_app(WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(people["lead"].id)
    response = client.post(f"/projects/{project.id}/settings", data={"name": "Hijacked"})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_too_large_upload_gets_a_clear_page(make_app: Callable[..., Flask]) -> None:
    small = make_app(MAX_UPLOAD_MB=1)
    response = small.test_client().post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def test_unknown_page_is_friendly(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_is_dropped_and_the_rest_kept(
    client_for: Callable[..., FlaskClient], project: Project, people: dict[str, User]
) -> None:
    """Text pasted from a damaged PDF can carry NUL, which PostgreSQL cannot store."""
    client = client_for(people["lead"])
    response = client.post(f"/projects/{project.id}/settings",
                           data={"name": "Miasta\x00 i regiony", "description": "Opis\x00"})
    assert response.status_code == 302
    db.session.refresh(project)
    assert (project.name, project.description) == ("Miasta i regiony", "Opis")
    search = client.get(f"/projects/{project.id}/audit?q=settings\x00")
    assert search.status_code == 200


@pytest.mark.committed  # the test's own transaction would otherwise stand in for the database
def test_the_error_page_answers_even_when_the_database_is_gone(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    unreachable = f"sqlite:///{tmp_path / 'no such folder' / 'fieldwork.db'}"
    client = make_app(TESTING=False, DATABASE_URL=unreachable).test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    response = client.get("/projects")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
