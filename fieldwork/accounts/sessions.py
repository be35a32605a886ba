"""Sign-in sessions the server knows: started at login, checked on every request, ended by
logout, by a password change, by "sign out everywhere", by an administrator, by expiry or by
idleness.

The browser holds a random secret: Flask-Login keeps it in the signed session cookie and,
with "keep me signed in", in its remember cookie (`User.get_id()` returns it instead of the
user's id). The database keeps only its SHA-256, so a copy of the database signs no one in,
and a copied cookie stops working as soon as its session row is ended.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, request, session
from flask_login import current_user
from sqlalchemy.orm import joinedload

from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import User, UserSession

#: a sign-in without "keep me signed in" ends a day after it began, however active
UNREMEMBERED_LIFETIME = timedelta(days=1)
#: last_seen_at is written at most this often, not on every request
TOUCH_INTERVAL = timedelta(minutes=1)
#: ended and expired rows are deleted after this long
KEEP_ENDED = timedelta(days=7)

BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"),
           ("iPad", "iPad"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_label(user_agent: str) -> str:
    """A short name for the browser and system, e.g. "Firefox on Windows"."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or re.sub(r"[/\s].*", "", user_agent)[:40] or "Unknown browser"


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def is_live(row: UserSession, now: datetime | None = None) -> bool:
    """Not ended, not expired, and (unless remembered) used within the idle time."""
    now = now or utcnow()
    if row.ended_at is not None or row.expires_at <= now:
        return False
    return row.remember or now - row.last_seen_at < idle_limit()


def start(user: User, *, remember: bool, user_agent: str, address: str) -> str:
    """Open a session for `user`; the secret for the browser, which is kept nowhere else."""
    now = utcnow()
    lifetime = (timedelta(days=current_app.config["REMEMBER_DAYS"]) if remember
                else UNREMEMBERED_LIFETIME)
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(
        token_hash=token_hash(token), user=user, created_at=now, last_seen_at=now,
        expires_at=now + lifetime, remember=remember, user_agent=user_agent[:300],
        device=device_label(user_agent), address=address[:45],
    ))
    db.session.flush()
    user.sign_in_token = token
    return token


def load_user(token: str) -> User | None:
    """Flask-Login's loader: the user of the live session whose secret this is."""
    row = db.session.scalar(
        db.select(UserSession).where(UserSession.token_hash == token_hash(token))
        .options(joinedload(UserSession.user))
    )
    if row is None or not is_live(row) or not row.user.active:
        return None
    g.user_session = row
    row.user.sign_in_token = token
    return row.user


def current() -> UserSession | None:
    """This browser's session, once Flask-Login has loaded the user."""
    return g.get("user_session") if current_user.is_authenticated else None


def keep_alive() -> None:
    """Before each request: load the user, forget a dead session's secret, and note the use
    of a live one (at most once a minute, in a short transaction of its own, so that a page
    never writes in its read transaction)."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    row = current()
    if row is None:
        session.pop("_user_id", None)
        session["_remember"] = "clear"
        return
    now = utcnow()
    if now - row.last_seen_at < TOUCH_INTERVAL:
        return
    row_id = row.id
    db.session.commit()
    with writing():
        db.session.execute(
            db.update(UserSession).where(UserSession.id == row_id).values(last_seen_at=now)
        )
        db.session.commit()


def end(row: UserSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason


def end_all(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    """End every live session of `user` except `keep`; how many were ended."""
    rows = [row for row in live_sessions(user) if keep is None or row.id != keep.id]
    for row in rows:
        end(row, reason)
    return len(rows)


def live_sessions(user: User) -> list[UserSession]:
    """The user's live sessions, the most recently used first."""
    now = utcnow()
    rows = db.session.scalars(
        db.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
               UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [row for row in rows if is_live(row, now)]


def find_own(user: User, session_id: int) -> UserSession | None:
    row = db.session.get(UserSession, session_id)
    return row if row is not None and row.user_id == user.id else None


def prune() -> None:
    """Delete sessions ended or expired more than KEEP_ENDED ago."""
    cutoff = utcnow() - KEEP_ENDED
    db.session.execute(db.delete(UserSession).where(
        (UserSession.expires_at < cutoff) | (UserSession.ended_at < cutoff)
    ))
