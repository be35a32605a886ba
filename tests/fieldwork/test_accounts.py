from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from fieldwork.accounts import accounts
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, User
from tests.conftest import TEST_PASSWORD


def login(client: FlaskClient, email: str, password: str, next_url: str = "") -> object:
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_login_with_right_password(client: FlaskClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    response = login(client, user.email.upper(), TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/projects"
    assert client.get("/projects").status_code == 200
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.login"))


def test_login_follows_next_only_on_this_site(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    assert login(client, user.email, TEST_PASSWORD, "/account").headers["Location"] == "/account"
    client.post("/logout")
    response = login(client, user.email, TEST_PASSWORD, "https://evil.example/")
    assert response.headers["Location"] == "/projects"


def test_wrong_password_keeps_the_email_and_says_why(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    response = login(client, user.email, "not the password")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The email or password is not right" in page
    assert f'value="{user.email}"' in page


def test_deactivated_user_cannot_log_in(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(active=False)
    assert login(client, user.email, TEST_PASSWORD).status_code == 200
    assert client.get("/projects").status_code == 302


def test_deactivating_ends_an_open_session(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = client_for(user)
    assert client.get("/projects").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/projects").status_code == 302


def test_change_password(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = client_for(user)
    wrong = client.post("/account/password", data={
        "current": "nope", "new": "a new long password", "confirm": "a new long password"})
    assert "The current password is not right" in wrong.get_data(as_text=True)
    short = client.post("/account/password", data={
        "current": TEST_PASSWORD, "new": "short", "confirm": "short"})
    assert "at least 12 characters; this one has 5" in short.get_data(as_text=True)
    done = client.post("/account/password", data={
        "current": TEST_PASSWORD, "new": "a new long password",
        "confirm": "a new long password"})
    assert done.status_code == 302
    db.session.expire_all()
    assert accounts.password_matches(db.session.get(User, user.id), "a new long password")


def test_admin_creates_and_deactivates_accounts(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    admin = make_user(is_admin=True)
    client = client_for(admin)
    response = client.post("/admin/users/new", data={
        "email": "New.Person@Example.org", "name": "New Person",
        "password": "a long enough password"})
    assert response.status_code == 302
    created = accounts.find_user("new.person@example.org")
    assert created is not None and not created.is_admin
    duplicate = client.post("/admin/users/new", data={
        "email": "new.person@example.org", "name": "Again", "password": "a long enough password"})
    assert "There is already an account" in duplicate.get_data(as_text=True)
    client.post(f"/admin/users/{created.id}", data={
        "name": "New Person", "timezone": "Europe/Warsaw", "active": ""})
    db.session.expire_all()
    assert db.session.get(User, created.id).active is False


def test_admin_cannot_lock_themself_out(
    client_for: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    admin = make_user(is_admin=True)
    response = client_for(admin).post(f"/admin/users/{admin.id}", data={
        "name": admin.name, "timezone": "UTC", "is_admin": "y"})
    assert "You cannot deactivate yourself" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_login_is_rate_limited_with_a_clear_message(
    make_app: Callable[..., Flask], make_user: Callable[..., User]
) -> None:
    user = make_user()
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    for _ in range(3):
        assert login(client, user.email, "wrong password").status_code == 200
    response = login(client, user.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many" in response.get_data(as_text=True)


def test_behind_a_proxy_each_client_address_has_its_own_login_limit(
    make_app: Callable[..., Flask], make_user: Callable[..., User]
) -> None:
    user = make_user()
    proxied = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", PROXY_COUNT=1)
    first, second = proxied.test_client(), proxied.test_client()
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.10"
    second.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.20"
    for _ in range(2):
        assert login(first, user.email, "wrong password").status_code == 200
    assert login(first, user.email, "wrong password").status_code == 429
    assert login(second, user.email, TEST_PASSWORD).status_code == 302


def test_no_self_registration(client: FlaskClient) -> None:
    assert client.get("/register").status_code == 404
