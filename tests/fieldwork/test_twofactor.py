"""Two-step sign-in: the password alone does not sign in, the app's code does (once), a
recovery code works once, and a site that requires it sends the user to set it up."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, RecoveryCode, User
from tests.conftest import TEST_PASSWORD


def password_step(client: FlaskClient, user: User, *, remember: bool = False) -> str:
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login?next=/account", data=data)
    assert response.status_code == 302
    return response.headers["Location"]


def set_up(client: FlaskClient) -> tuple[str, list[str]]:
    """Turn two-step sign-in on through its page, as a person with an app would: the
    secret shown, the app's code typed; returns the secret and the recovery codes."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    secret = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', page)[1].replace(" ", "")
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    return secret, codes


def next_code(secret: str) -> str:
    """The app's code of the next 30 seconds (accepted, as clocks drift): the current one was
    used up by the setup."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def can_open_projects(client: FlaskClient) -> bool:
    return client.get("/projects").status_code == 200


def test_setting_it_up_shows_a_qr_code_and_ten_recovery_codes(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = client_for(user)
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert "This is not the code your app shows now" in wrong.get_data(as_text=True)
    secret, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.has_two_factor and stored.totp_secret == secret
    hashes = db.session.scalars(db.select(RecoveryCode.code_hash)
                                .where(RecoveryCode.user_id == user.id)).all()
    assert len(hashes) == 10 and not set(hashes) & set(codes)
    assert "On since" in client.get("/account").get_data(as_text=True)


def test_the_password_alone_does_not_sign_in(
    app: Flask, client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    secret, _codes = set_up(client_for(user))
    client = app.test_client()
    assert password_step(client, user).startswith("/login/code")
    assert not can_open_projects(client)
    assert client.get("/account").status_code == 302
    page = client.get("/login/code?next=/account").get_data(as_text=True)
    assert "Your sign-in code" in page
    wrong = client.post("/login/code?next=/account", data={"code": "123456"})
    assert "This code is not right" in wrong.get_data(as_text=True)
    assert not can_open_projects(client)
    right = client.post("/login/code?next=/account", data={"code": next_code(secret)})
    assert right.headers["Location"] == "/account"
    assert can_open_projects(client)


def test_an_app_code_is_accepted_only_once(
    app: Flask, client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    secret, _codes = set_up(client_for(user))
    code = pyotp.TOTP(secret).now()  # the code that just turned it on
    client = app.test_client()
    password_step(client, user)
    response = client.post("/login/code", data={"code": code})
    assert "already used" in response.get_data(as_text=True)


def test_a_recovery_code_works_once(
    app: Flask, client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    _secret, codes = set_up(client_for(user))
    first = app.test_client()
    password_step(first, user)
    response = first.post("/login/code", data={"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert "9 of them are left" in first.get("/projects").get_data(as_text=True)
    second = app.test_client()
    password_step(second, user)
    again = second.post("/login/code", data={"code": codes[0]})
    assert "This code is not right" in again.get_data(as_text=True)
    assert not can_open_projects(second)
    assert db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "user.recovery_code"))


def test_the_code_step_expires_and_needs_the_password_first(
    app: Flask, client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    secret, _codes = set_up(client_for(user))
    stranger = app.test_client()
    assert stranger.get("/login/code").headers["Location"].startswith("/login")
    guessed = stranger.post("/login/code", data={"code": next_code(secret)})
    assert guessed.status_code == 302
    assert not can_open_projects(stranger)
    late = app.test_client()
    password_step(late, user)
    with late.session_transaction() as session:
        session["sign_in_pending"] = {**session["sign_in_pending"], "until": 0}
    assert late.get("/login/code").headers["Location"].startswith("/login")


def test_remember_me_is_carried_through_the_code_step(
    app: Flask, client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    _secret, codes = set_up(client_for(user))
    client = app.test_client()
    password_step(client, user, remember=True)
    assert client.get_cookie("remember_token") is None
    client.post("/login/code", data={"code": codes[1]})
    assert client.get_cookie("remember_token") is not None


def test_turning_it_off_needs_the_password_and_a_code(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = client_for(user)
    secret, codes = set_up(client)
    refused = client.post("/account/two-factor/off", data={
        "off-password": "not my password at all", "off-code": next_code(secret)})
    assert "The password or the code is not right" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).has_two_factor
    client.post("/account/two-factor/off", data={
        "off-password": TEST_PASSWORD, "off-code": codes[0]})
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_two_factor
    left = db.session.scalar(db.select(RecoveryCode).where(RecoveryCode.user_id == user.id))
    assert left is None


def test_new_recovery_codes_replace_the_old_ones(
    app: Flask, client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = client_for(user)
    _secret, old = set_up(client)
    response = client.post("/account/two-factor/codes", data={
        "codes-password": TEST_PASSWORD, "codes-code": old[0]})
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    password_step(other, user)
    assert "not right" in other.post("/login/code", data={"code": old[1]}).get_data(as_text=True)
    assert other.post("/login/code", data={"code": new[0]}).status_code == 302


def test_an_admin_resets_a_users_two_step_sign_in(
    app: Flask, client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    admin, user = make_user(is_admin=True), make_user()
    set_up(client_for(user))
    page = client_for(admin).get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Reset two-step sign-in" in page
    client_for(admin).post(f"/admin/users/{user.id}/two-factor/reset")
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_two_factor
    assert db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "user.two_factor_off", AuditEntry.object_id == user.id))
    client = app.test_client()
    assert password_step(client, user) == "/account"


def test_a_required_setting_sends_the_user_to_set_it_up(
    app: Flask, make_project: Callable[..., Project], make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead, coder = make_user(), make_user()
    make_project(lead=lead, coder=coder)
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", "leads_and_admins")
    leads, coders = app.test_client(), app.test_client()
    assert password_step(leads, lead) == "/account"
    blocked = leads.get("/projects")
    assert blocked.headers["Location"] == "/account/two-factor"
    assert "asks you to turn on two-step sign-in" in leads.get(
        "/account/two-factor").get_data(as_text=True)
    assert leads.get("/account").headers["Location"] == "/account/two-factor"
    password_step(coders, coder)
    assert coders.get("/projects").status_code == 200
    set_up(leads)
    assert leads.get("/projects").status_code == 200
    refused = leads.post("/account/two-factor/off", data={
        "off-password": TEST_PASSWORD, "off-code": "anything"})
    assert refused.headers["Location"] == "/account/two-factor"
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", "everyone")
    assert coders.get("/projects").headers["Location"] == "/account/two-factor"
