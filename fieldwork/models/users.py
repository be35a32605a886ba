from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name, stored lower-case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: how the user is shown to colleagues
    name: Mapped[str] = mapped_column(String(200))
    #: argon2 hash of the password
    password_hash: Mapped[str] = mapped_column(String(200))
    #: site administrators manage accounts and create projects
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: deactivated users cannot log in; their work stays attributed to them
    active: Mapped[bool] = mapped_column(default=True)
    #: IANA zone in which times are shown to this user
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: base32 secret of the authenticator app (TOTP), set once two-step sign-in is confirmed
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    #: when two-step sign-in was turned on; None while it is off
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the TOTP time step of the last code accepted, so that no code is accepted twice
    totp_last_step: Mapped[int | None]
    #: a coder named in an imported REFI-QDA file who has no account, or a project's
    #: consensus coder: never signs in (no password, inactive, an address under .invalid),
    #: not among the accounts; an imported coder's work can be joined to a real account
    external: Mapped[bool] = mapped_column(default=False)

    #: the secret of the sign-in session this object was loaded for (not stored: see
    #: fieldwork.accounts.sessions); Flask-Login keeps it in the cookies instead of the id
    sign_in_token = None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.two_factor_since is not None

    def get_id(self) -> str:
        """What Flask-Login keeps in the signed session and the remember cookie: the secret
        of this sign-in session, never the user's id, so that every sign-in can be ended."""
        if not self.sign_in_token:
            raise LookupError(f"{self!r} was not loaded through a sign-in session")
        return self.sign_in_token

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RecoveryCode(db.Model):
    """A one-time code that signs in without the authenticator app (two-step sign-in)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the code; the code itself is shown once and never stored
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
