"""Two browsers of one person, in Chromium over HTTP: a password change in one signs the
other out at its next page; two-step sign-in set up in one is asked for in the other."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from fieldwork.extensions import db
from fieldwork.models import User
from tests.conftest import TEST_PASSWORD, LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]

NEW_PASSWORD = "ferry timetable under lilac"


@pytest.fixture
def second_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """Another browser: its own cookies, as on another computer."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_password_change_signs_the_other_browser_out(
    page: Page, second_page: Page, live_server: LiveServer, make_user: Callable[..., User]
) -> None:
    user = make_user()
    db.session.commit()
    live_server.log_in(page, user)
    live_server.log_in(second_page, user)
    page.goto("/account")
    expect(page.locator(".session-list li")).to_have_count(2)
    page.goto("/account/password")
    page.fill("#current", TEST_PASSWORD)
    page.fill("#new", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("1 other browser was signed out")
    second_page.goto("/projects")
    expect(second_page).to_have_url(f"{live_server.url}/login?next=%2Fprojects")
    page.goto("/projects")
    expect(page).to_have_url(f"{live_server.url}/projects")


def test_two_step_sign_in_set_up_in_one_browser_is_asked_in_the_other(
    page: Page, second_page: Page, live_server: LiveServer, make_user: Callable[..., User]
) -> None:
    user = make_user()
    db.session.commit()
    live_server.log_in(page, user)
    page.goto("/account")
    page.click("text=Set up two-step sign-in")
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.inner_text(".secret-key").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("main form button[type=submit]")
    expect(page.locator(".recovery-codes li")).to_have_count(10)

    second_page.goto("/login")
    second_page.fill("#email", user.email)
    second_page.fill("#password", TEST_PASSWORD)
    second_page.click("main form button[type=submit]")
    expect(second_page).to_have_url(f"{live_server.url}/login/code")
    second_page.goto("/projects")
    expect(second_page).to_have_url(f"{live_server.url}/login?next=%2Fprojects")
    second_page.goto("/login/code")
    second_page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
    second_page.click("main form button[type=submit]")
    expect(second_page).to_have_url(f"{live_server.url}/projects")
