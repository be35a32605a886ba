"""Failed sign-ins, counted in the database per account and per address, so every web
process on every machine sees the same count without Redis.

After LOGIN_ACCOUNT_LIMIT failures for one email address within LOGIN_LOCK_MINUTES, signing
in to it pauses until the failures age out; likewise LOGIN_ADDRESS_LIMIT failures from one
network address. Failures are counted by the address typed, whether or not an account has
it, so a pause tells no more about which accounts exist than a wrong password does. The
owner is told of the failures at the next sign-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import LoginFailure, User
from fieldwork.templating import format_local

#: failures older than this are deleted
KEEP_FAILURES = timedelta(days=30)


def window_start() -> datetime:
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def failures_since(since: datetime, *, email: str = "", address: str = "") -> int:
    query = db.select(func.count(LoginFailure.id)).where(LoginFailure.at > since)
    if email:
        query = query.where(LoginFailure.email == email)
    if address:
        query = query.where(LoginFailure.address == address)
    return db.session.scalar(query) or 0


def pause_reason(email: str, address: str) -> str | None:
    """Why signing in with `email` from `address` is paused now, in words, or None."""
    config = current_app.config
    minutes = config["LOGIN_LOCK_MINUTES"]
    since = window_start()
    if failures_since(since, email=email) >= config["LOGIN_ACCOUNT_LIMIT"]:
        return (f"There were too many failed attempts to sign in with this email address, so "
                f"signing in with it is paused for up to {minutes} minutes. Try again later, "
                f"or ask your site administrator.")
    if failures_since(since, address=address) >= config["LOGIN_ADDRESS_LIMIT"]:
        return (f"There were too many failed attempts to sign in from your network, so "
                f"signing in from it is paused for up to {minutes} minutes. Try again later.")
    return None


def record_failure(email: str, address: str, user: User | None) -> None:
    """Count a wrong password or code; note in the audit log when it pauses an account."""
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.at < utcnow() - KEEP_FAILURES))
    db.session.add(LoginFailure(email=email, address=address[:45], at=utcnow()))
    db.session.flush()
    limit = current_app.config["LOGIN_ACCOUNT_LIMIT"]
    if user is not None and failures_since(window_start(), email=email) == limit:
        audit.record("user.sign_in_paused", user, user_id=None,
                     summary=f"Signing in to {email} paused after {limit} failed attempts",
                     address=address)


def notice(user: User) -> str | None:
    """What the owner should know at sign-in: the failed attempts since their last one."""
    query = db.select(LoginFailure).where(LoginFailure.email == user.email)
    if user.last_login_at is not None:
        query = query.where(LoginFailure.at > user.last_login_at)
    failures = list(db.session.scalars(query.order_by(LoginFailure.at)))
    if not failures:
        return None
    last = failures[-1]
    count = len(failures)
    attempts = "1 failed attempt" if count == 1 else f"{count} failed attempts"
    when = format_local(last.at, user.timezone, "%d %b %Y at %H:%M")
    return (f"{attempts} to sign in to your account since your last visit, the last from "
            f"{last.address} on {when}. If that was not you, change your password.")


def forget(email: str) -> None:
    """A successful sign-in clears the account's count (its owner has been told)."""
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.email == email))
