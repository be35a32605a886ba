"""New passwords: at least 12 characters and not easy to guess, with the reason in words,
wherever a password is set (own change, an administrator's, the command line)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from fieldwork.accounts import accounts, passwords
from fieldwork.extensions import db
from fieldwork.models import User
from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize(("weak", "reason"), [
    ("password12", "A password needs at least 12 characters; this one has 10."),
    ("password1234", "This password is too easy to guess. This is a very common password."),
    ("aaaaaaaaaaaa", 'This password is too easy to guess. Repeats like "aaa" are easy to guess.'),
    ("qwertyuiop12", "This password is too easy to guess."),
])
def test_own_password_change_refuses_weak_passwords_and_says_why(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User], weak: str,
    reason: str,
) -> None:
    user = make_user()
    response = client_for(user).post("/account/password", data={
        "current": TEST_PASSWORD, "new": weak, "confirm": weak})
    page = response.get_data(as_text=True).replace("&#34;", '"')
    assert response.status_code == 200
    assert reason in page
    assert weak not in page
    db.session.expire_all()
    assert accounts.password_matches(db.session.get(User, user.id), TEST_PASSWORD)


def test_admin_forms_refuse_weak_passwords_and_keep_what_was_typed(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    admin = client_for(make_user(is_admin=True))
    response = admin.post("/admin/users/new", data={
        "email": "nowak@example.org", "name": "Jan Nowak", "password": "password1234"})
    page = response.get_data(as_text=True)
    assert "This password is too easy to guess" in page
    assert 'value="nowak@example.org"' in page and 'value="Jan Nowak"' in page
    assert "password1234" not in page
    assert accounts.find_user("nowak@example.org") is None
    user = make_user()
    edit = admin.post(f"/admin/users/{user.id}", data={
        "name": user.name, "timezone": "UTC", "active": "y", "new_password": "aaaaaaaaaaaa"})
    assert "Repeats like" in edit.get_data(as_text=True)


def test_a_strong_password_is_accepted(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    response = client_for(user).post("/account/password", data={
        "current": TEST_PASSWORD, "new": "tram stop near the old mill",
        "confirm": "tram stop near the old mill"})
    assert response.status_code == 302


def test_the_command_line_refuses_a_weak_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=[
        "create-user", "weak@example.org", "--password", "password1234"])
    assert result.exit_code != 0
    assert "too easy to guess" in result.output


@pytest.mark.parametrize("earlier", [PasswordHasher(), PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1)], ids=["64 MiB", "19 MiB"])
def test_a_hash_made_with_other_settings_is_replaced_at_the_next_sign_in(
    client: FlaskClient, make_user: Callable[..., User], earlier: PasswordHasher
) -> None:
    """Hashes made before the setting changed (argon2-cffi's default: 64 MiB, 3 passes;
    then OWASP's 19 MiB, 2 passes) still let their owner in, and are then made again with
    the current setting."""
    user = make_user()
    user.password_hash = earlier.hash(TEST_PASSWORD)
    db.session.commit()
    assert passwords.needs_rehash(user.password_hash)

    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 302 and "/login" not in response.location
    db.session.expire_all()
    renewed = db.session.get(User, user.id).password_hash
    assert not passwords.needs_rehash(renewed)
    assert passwords.matches(renewed, TEST_PASSWORD)


def test_new_hashes_use_owasps_setting_with_the_least_memory() -> None:
    """argon2id, 7 MiB, 5 passes, 1 lane: one of the settings OWASP's Password Storage Cheat
    Sheet rates as equally strong, the one that holds least memory while 16 threads check (the
    suite itself uses the cheapest setting, so the app's is read in a process of its own)."""
    made = subprocess.run([sys.executable, "-c", "from fieldwork.accounts.passwords import "
                           "hasher; print(hasher.hash('a long enough password'))"],
                          capture_output=True, text=True, check=True).stdout

    assert made.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
