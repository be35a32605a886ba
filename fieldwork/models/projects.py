from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models.users import User

#: project roles, from most to least powerful
ROLES = ("lead", "interviewer", "coder", "viewer")
ROLE_LABELS = {"lead": "Lead", "interviewer": "Interviewer", "coder": "Coder",
               "viewer": "Viewer"}


class Project(db.Model):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "EU–China cities"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived: Mapped[bool] = mapped_column(default=False)
    #: counts recomputed by a background job, see fieldwork.projects.statistics
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stats_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Project {self.name}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: one of ROLES
    role: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)
