from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
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

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email}>"
