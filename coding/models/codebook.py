"""The codebook: a tree of codes, and the log of every change made to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import User


class Code(db.Model):
    """A theme in the codebook."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("project_id", "guid", name="uq_codes_project_guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    when_to_use: Mapped[str] = mapped_column(Text, default="")
    when_not_to_use: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    #: highlight colour, "#RRGGBB"
    colour: Mapped[str] = mapped_column(String(7), default="#FFE08A")
    #: one letter or digit that applies the code on the coding page, or ""
    shortcut: Mapped[str] = mapped_column(String(1), default="")
    #: order among its siblings
    position: Mapped[int] = mapped_column(default=0)
    #: archived codes keep their codings but are no longer offered for coding
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: its GUID in REFI-QDA files when it came from one (else one is derived from its id)
    guid: Mapped[str | None] = mapped_column(String(36))

    parent: Mapped[Code | None] = relationship(remote_side=[id])

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Code {self.id} {self.name!r}>"


class CodebookChange(db.Model):
    """One change to the codebook, readable as its history."""

    __tablename__ = "codebook_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: created, edited, moved, merged, split, archived, restored, starter
    action: Mapped[str] = mapped_column(String(20))
    #: the change in words, e.g. "Merged “Trade” into “Business” (14 codings moved)"
    summary: Mapped[str] = mapped_column(Text)
    #: what changed, e.g. {"definition": ["old", "new"]}
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    code: Mapped[Code | None] = relationship()
    user: Mapped[User | None] = relationship()
