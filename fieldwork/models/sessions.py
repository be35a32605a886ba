"""Sign-in sessions the server knows and can end, and failed sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models.users import User


class UserSession(db.Model):
    """One sign-in on one browser: live until logout, expiry, idleness or an ending."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random secret that the browser holds (signed session, remember cookie)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the last request, updated at most once a minute
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the end of its life however active it is (REMEMBER_DAYS when remembered)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: "keep me signed in": survives closing the browser and idleness
    remember: Mapped[bool] = mapped_column(default=False)
    #: the browser's User-Agent header, shortened
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    #: e.g. "Firefox on Windows", made from the user agent
    device: Mapped[str] = mapped_column(String(100), default="")
    #: the address it signed in from
    address: Mapped[str] = mapped_column(String(45), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why it ended: "logout", "password", "signed out", "signed out elsewhere", "admin" …
    end_reason: Mapped[str] = mapped_column(String(40), default="")

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """A failed sign-in attempt (wrong password or code), counted per account and address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the address typed, lower-case, whether or not an account has it
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(45), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
