"""Code suggestions offered to one coder: pending until the coder accepts (then a coding of
theirs points back here) or rejects them (then the same words are not offered again for the
code). A suggestion is never a coding: nothing that counts codings reads this table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coding.models.codebook import Code
from coding.models.codings import Coding
from coding.models.sources import Source
from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


class CodeSuggestion(db.Model):
    """A passage of a source suggested to a coder for a code."""

    __tablename__ = "code_suggestions"
    __table_args__ = (
        Index("ix_code_suggestions_source_user_status", "source_id", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    #: the coder it is offered to
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column()
    end: Mapped[int] = mapped_column()
    #: the text's version the offsets count in
    text_version: Mapped[int] = mapped_column()
    #: the suggested words, to know them again after the text changed
    quote: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    #: why, in words: the closest earlier coding or the definition words matched
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the closest earlier coding, when the reason is one
    like_coding_id: Mapped[int | None] = mapped_column(
        ForeignKey("codings.id", ondelete="SET NULL"))
    #: pending, accepted or rejected
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    #: the coding it became, once accepted
    coding_id: Mapped[int | None] = mapped_column(
        ForeignKey("codings.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    source: Mapped[Source] = relationship()
    code: Mapped[Code] = relationship()
    coding: Mapped[Coding | None] = relationship(foreign_keys=[coding_id])
