"""Sign-in sessions the server knows: logout, password changes and "sign out everywhere" end
them for every copy of the cookies; remember-me tokens are random, hashed and expire; idle
sessions time out. Real clients over the login page, real database."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie

from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, User, UserSession
from tests.conftest import TEST_PASSWORD

FIREFOX_ON_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 "
                      "Firefox/133.0")
NEW_PASSWORD = "plum orchard seventeen ladders"


def browser(app: Flask, user_agent: str = FIREFOX_ON_WINDOWS) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def sign_in(client: FlaskClient, user: User, *, remember: bool = False) -> None:
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/projects")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def copy_cookies(source: FlaskClient, target: FlaskClient, *names: str) -> None:
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        target.set_cookie(name, cookie.value)


def rows_of(user: User) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(
        db.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)))


def test_a_copied_session_cookie_is_useless_after_logout(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    mine, thief = browser(app), browser(app)
    sign_in(mine, user)
    copy_cookies(mine, thief, "session")
    assert signed_in(thief)
    mine.post("/logout")
    assert not signed_in(mine)
    assert not signed_in(thief)
    assert rows_of(user)[0].end_reason == "logout"


def test_remember_tokens_are_random_and_stored_only_as_hashes(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    first, second = browser(app), browser(app)
    sign_in(first, user, remember=True)
    sign_in(second, user, remember=True)
    tokens = [client.get_cookie("remember_token").value.split("|")[0] for client in (first, second)]
    assert tokens[0] != tokens[1]
    assert str(user.id) not in tokens and all(len(token) >= 40 for token in tokens)
    stored = {row.token_hash for row in rows_of(user)}
    assert stored == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}
    assert not stored & set(tokens)


def test_remember_cookie_brings_back_the_session_until_logout(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    laptop = browser(app)
    sign_in(laptop, user, remember=True)
    remembered = laptop.get_cookie("remember_token").value
    reopened = browser(app)  # the browser was closed: only the remember cookie is left
    reopened.set_cookie("remember_token", remembered)
    assert signed_in(reopened)
    laptop.post("/logout")
    assert laptop.get_cookie("remember_token") is None
    copy = browser(app)
    copy.set_cookie("remember_token", remembered)
    assert not signed_in(copy)
    assert not signed_in(reopened)


def test_remember_cookie_expires_after_remember_days(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    laptop = browser(app)
    sign_in(laptop, user, remember=True)
    row = rows_of(user)[0]
    assert app.config["REMEMBER_DAYS"] == 30
    assert row.expires_at - row.created_at == timedelta(days=30)
    cookie_life = laptop.get_cookie("remember_token").expires - utcnow()
    assert timedelta(days=29) < cookie_life <= timedelta(days=30)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    reopened = browser(app)
    copy_cookies(laptop, reopened, "remember_token")
    assert not signed_in(reopened)
    assert not signed_in(laptop)


def test_flask_logins_own_remember_cookie_is_refused(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """The cookie Flask-Login would make (the user's id and a signature) signs no one in."""
    user = make_user()
    forged = browser(app)
    with app.test_request_context():
        forged.set_cookie("remember_token", encode_cookie(str(user.id)))
    assert not signed_in(forged)
    with forged.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not signed_in(forged)


def test_password_change_signs_the_other_browsers_out(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    office, home = browser(app), browser(app)
    sign_in(office, user)
    sign_in(home, user, remember=True)
    response = office.post("/account/password", data={
        "current": TEST_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "1 other browser was signed out" in office.get("/account").get_data(as_text=True)
    assert signed_in(office)
    assert not signed_in(home)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.password"))
    assert entry.details["sessions_ended"] == 1


def test_sign_out_everywhere_else(app: Flask, make_user: Callable[..., User]) -> None:
    user = make_user()
    office, home, phone = browser(app), browser(app), browser(app)
    for client in (office, home, phone):
        sign_in(client, user)
    assert office.post("/account/sessions/end-others").status_code == 302
    assert [signed_in(client) for client in (office, home, phone)] == [True, False, False]
    assert db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "user.sessions_ended"))


def test_sign_out_one_other_browser(app: Flask, make_user: Callable[..., User]) -> None:
    user = make_user()
    office, home = browser(app), browser(app)
    sign_in(office, user)
    sign_in(home, user)
    home_row = rows_of(user)[1]
    assert office.post("/account/sessions/end", data={"session": home_row.id}).status_code == 302
    assert signed_in(office) and not signed_in(home)


def test_no_one_ends_another_persons_session(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user, other = make_user(), make_user()
    mine, theirs = browser(app), browser(app)
    sign_in(mine, user)
    sign_in(theirs, other)
    response = mine.post("/account/sessions/end", data={"session": rows_of(other)[0].id})
    assert response.status_code == 302
    assert signed_in(theirs)


def test_admin_signs_a_user_out_everywhere(
    app: Flask, make_user: Callable[..., User]
) -> None:
    admin, user = make_user(is_admin=True), make_user()
    office, home, admins = browser(app), browser(app), browser(app)
    sign_in(office, user)
    sign_in(home, user, remember=True)
    sign_in(admins, admin)
    page = admins.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Firefox on Windows" in page and "Sign out everywhere" in page
    assert admins.post(f"/admin/users/{user.id}/sessions/end").status_code == 302
    assert not signed_in(office) and not signed_in(home)
    assert signed_in(admins)
    assert {row.end_reason for row in rows_of(user)} == {"signed out by an administrator"}


def test_admin_password_reset_and_deactivation_sign_out(
    app: Flask, make_user: Callable[..., User]
) -> None:
    admin, user = make_user(is_admin=True), make_user()
    theirs, admins = browser(app), browser(app)
    sign_in(theirs, user)
    sign_in(admins, admin)
    admins.post(f"/admin/users/{user.id}", data={
        "name": user.name, "timezone": "UTC", "active": "y", "new_password": NEW_PASSWORD})
    assert not signed_in(theirs)
    theirs.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert signed_in(theirs)
    admins.post(f"/admin/users/{user.id}", data={"name": user.name, "timezone": "UTC"})
    assert not signed_in(theirs)
    assert all(row.ended_at is not None for row in rows_of(user))


def test_an_idle_session_times_out_but_a_remembered_one_does_not(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    idle, kept = browser(app), browser(app)
    sign_in(idle, user)
    sign_in(kept, user, remember=True)
    long_ago = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    for row in rows_of(user):
        row.last_seen_at = long_ago
    db.session.commit()
    assert not signed_in(idle)
    assert signed_in(kept)


def test_last_use_is_written_at_most_once_a_minute(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = browser(app)
    sign_in(client, user)
    row = rows_of(user)[0]
    row.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert signed_in(client)
    touched = rows_of(user)[0].last_seen_at
    assert utcnow() - touched < timedelta(seconds=30)
    assert signed_in(client)
    assert rows_of(user)[0].last_seen_at == touched


def test_the_account_page_lists_the_browsers_signed_in(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    office = browser(app)
    phone = browser(app, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) "
                         "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 "
                         "Safari/604.1")
    sign_in(office, user)
    sign_in(phone, user)
    page = office.get("/account").get_data(as_text=True)
    assert "Firefox on Windows" in page and "Safari on iPhone" in page
    assert page.count("this browser") == 1
    assert "127.0.0.1" in page
    assert "Sign out everywhere else" in page
