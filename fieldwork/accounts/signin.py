"""Signing in, step by step: the password (with the throttle), then, for accounts with
two-step sign-in, a code; only then a session the server knows.

Between the two steps the browser holds a half-signed-in marker in Flask's signed session:
whose password was right, whether to keep them signed in, and until when (a few minutes).
It gives no access to anything but the code form.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import request, session
from flask_login import login_user, logout_user

from fieldwork import audit
from fieldwork.accounts import accounts, sessions, throttling, twofactor
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import User

#: how long the code form waits after a right password
CODE_STEP_SECONDS = 300
PENDING_KEY = "sign_in_pending"
WRONG_PASSWORD = "The email or password is not right, or the account is deactivated."
WRONG_CODE = "This code is not right, or was already used. Codes change every 30 seconds."


@dataclass(frozen=True)
class Outcome:
    """The result of one step: the user once a step succeeded, else the reason in words."""

    user: User | None = None
    refusal: str = ""
    #: something the user should know, e.g. how many recovery codes are left
    note: str = ""


def client_address() -> str:
    return (request.remote_addr or "")[:45]


def refuse(email: str, user: User | None, message: str) -> Outcome:
    """Count a failure; say so, or that the account is now paused."""
    address = client_address()
    throttling.record_failure(email, address, user)
    return Outcome(refusal=throttling.pause_reason(email, address) or message)


def check_password(email: str, password: str) -> Outcome:
    email = accounts.normalise_email(email)
    paused = throttling.pause_reason(email, client_address())
    if paused:
        return Outcome(refusal=paused)
    user = accounts.authenticate(email, password)
    if user is None:
        return refuse(email, accounts.find_user(email), WRONG_PASSWORD)
    return Outcome(user=user)


def await_code(user: User, *, remember: bool) -> None:
    """Remember between the steps whose password was right."""
    logout_user()
    session[PENDING_KEY] = {"user": user.id, "remember": remember,
                            "until": time.time() + CODE_STEP_SECONDS}


def pending_user() -> User | None:
    """The user whose password was right a moment ago in this browser, if any."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("user"))
    return user if user is not None and user.active and user.has_two_factor else None


def check_code(user: User, code: str) -> Outcome:
    paused = throttling.pause_reason(user.email, client_address())
    if paused:
        return Outcome(refusal=paused)
    kind = twofactor.check_code(user, code)
    if kind is None:
        return refuse(user.email, user, WRONG_CODE)
    if kind == "recovery":
        left = twofactor.recovery_codes_left(user)
        return Outcome(user=user, note=f"You signed in with a recovery code; {left} of them are "
                       "left. Make new ones on your account page when few are left.")
    return Outcome(user=user)


def finish(user: User, *, remember: bool | None = None) -> str | None:
    """Open the server's session and sign the browser in; the notice of failed attempts
    since the last visit, if any."""
    if remember is None:
        remember = bool(session.get(PENDING_KEY, {}).get("remember"))
    session.pop(PENDING_KEY, None)
    notice = throttling.notice(user)
    throttling.forget(user.email)
    sessions.prune()
    sessions.start(user, remember=remember, user_agent=request.user_agent.string,
                   address=client_address())
    login_user(user, remember=remember)
    user.last_login_at = utcnow()
    audit.record("user.login", user, user_id=user.id, summary="Logged in",
                 address=client_address(), remembered=remember)
    return notice


def sign_out() -> None:
    row = sessions.current()
    if row is not None:
        sessions.end(row, "logout")
        audit.record("user.logout", row.user, summary="Logged out")
    logout_user()
