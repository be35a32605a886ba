"""Failed sign-ins pause an account, whatever addresses they come from, and an address,
whatever accounts it tries; the owner is told at the next sign-in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldwork.app import rate_limit_storage
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, LoginFailure, User
from tests.conftest import TEST_PASSWORD

PAUSED = "signing in with it is paused for up to 15 minutes"


def from_address(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client: FlaskClient, email: str, password: str) -> tuple[int, str]:
    response = client.post("/login", data={"email": email, "password": password})
    return response.status_code, response.get_data(as_text=True)


def age_failures(minutes: int) -> None:
    for failure in db.session.scalars(db.select(LoginFailure)):
        failure.at -= timedelta(minutes=minutes)
    db.session.commit()


def test_an_account_is_paused_after_failures_from_two_addresses(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    first, second = from_address(app, "203.0.113.9"), from_address(app, "198.51.100.7")
    for client in (first, first, first, second):
        assert "The email or password is not right" in attempt(client, user.email, "guess")[1]
    status, page = attempt(second, user.email, "another guess")
    assert status == 200 and PAUSED in page
    owner = from_address(app, "192.0.2.44")
    status, page = attempt(owner, user.email, TEST_PASSWORD)
    assert status == 200 and PAUSED in page
    assert owner.get("/projects").status_code == 302
    assert db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "user.sign_in_paused", AuditEntry.object_id == user.id))


def test_the_pause_ends_and_the_owner_is_told_at_the_next_sign_in(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for address in ("203.0.113.9", "203.0.113.9", "198.51.100.7"):
        attempt(from_address(app, address), user.email, "guess")
    age_failures(16)
    owner = from_address(app, "192.0.2.44")
    status, _page = attempt(owner, user.email, TEST_PASSWORD)
    assert status == 302
    page = owner.get("/projects").get_data(as_text=True)
    assert ("3 failed attempts to sign in to your account since your last visit, the last from "
            "198.51.100.7 on") in page
    owner.post("/logout")
    attempt(owner, user.email, TEST_PASSWORD)
    assert "failed attempt" not in owner.get("/projects").get_data(as_text=True)


def test_a_pause_looks_the_same_for_an_address_with_no_account(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = from_address(app, "203.0.113.9")
    pages = []
    for email in (user.email, "nobody@example.org"):
        for _ in range(5):
            pages.append(attempt(client, email, "guess")[1])
    assert PAUSED in pages[4] and PAUSED in pages[9]
    assert "The email or password is not right" in pages[3] and "not right" in pages[8]


def test_an_address_is_paused_after_failures_on_many_accounts(
    app: Flask, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", 4)
    user = make_user()
    sprayer = from_address(app, "203.0.113.9")
    for number in range(4):
        attempt(sprayer, f"someone{number}@example.org", "password1234")
    status, page = attempt(sprayer, user.email, TEST_PASSWORD)
    assert status == 200
    assert "signing in from it is paused" in page
    assert attempt(from_address(app, "198.51.100.7"), user.email, TEST_PASSWORD)[0] == 302


def test_wrong_codes_count_towards_the_pause(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    user.totp_secret = pyotp.random_base32()
    user.two_factor_since = utcnow()
    db.session.commit()
    client = from_address(app, "203.0.113.9")
    assert attempt(client, user.email, TEST_PASSWORD)[0] == 302
    pages = [client.post("/login/code", data={"code": "000000"}).get_data(as_text=True)
             for _ in range(5)]
    assert "This code is not right" in pages[0] and PAUSED in pages[4]


def test_the_rate_limit_counts_in_redis_when_redis_is_configured() -> None:
    settings = {"RATELIMIT_STORAGE_URL": "", "REDIS_URL": "redis://127.0.0.1:6379/11"}
    assert rate_limit_storage(settings) == "redis://127.0.0.1:6379/11"
    assert rate_limit_storage({**settings, "REDIS_URL": ""}) == "memory://"
    assert rate_limit_storage({**settings, "RATELIMIT_STORAGE_URL": "memcached://m"}) \
        == "memcached://m"
