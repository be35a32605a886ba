"""Codings (a code applied to a range of a source by a coder), memos, coding settings, and the
lead's decisions on the disagreements of two coders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coding.models.codebook import Code
from coding.models.sources import Source
from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import User


class Coding(db.Model):
    """A code applied by one coder to the characters ``start`` to ``end`` of a source."""

    __tablename__ = "codings"
    __table_args__ = (
        Index("ix_codings_source_coder", "source_id", "coder_id"),
        Index("ix_codings_project_code_source", "project_id", "code_id", "source_id"),
        Index("ix_codings_coder_project", "coder_id", "project_id"),
        #: a retrieval's page in source order, and the codes that overlap, read from the
        #: index alone
        Index("ix_codings_project_source_start", "project_id", "source_id", "start", "end",
              "code_id", "coder_id"),
        UniqueConstraint("project_id", "guid", name="uq_codings_project_guid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(
        ForeignKey("codes.id", ondelete="CASCADE"), index=True
    )
    coder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start: Mapped[int] = mapped_column()
    end: Mapped[int] = mapped_column()
    #: the coded words when they were coded, kept to show a coding whose words were deleted
    quote: Mapped[str] = mapped_column(Text, default="")
    #: set when an edit of the text deleted or cut most of the coded words
    needs_review: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: its GUIDs in REFI-QDA files when it came from one (the Coding's, and the selection's
    #: that holds it); else they are derived from its id
    guid: Mapped[str | None] = mapped_column(String(36))
    selection_guid: Mapped[str | None] = mapped_column(String(36))

    source: Mapped[Source] = relationship()
    code: Mapped[Code] = relationship()
    coder: Mapped[User] = relationship()
    #: read only: memos are written through Memo (coding.codings.set_coding_memo)
    memo: Mapped[Memo | None] = relationship(viewonly=True, uselist=False)


class Memo(db.Model):
    """A note on the project, a source, a code or a coding."""

    __tablename__ = "memos"
    __table_args__ = (UniqueConstraint("project_id", "guid", name="uq_memos_project_guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    coding_id: Mapped[int | None] = mapped_column(
        ForeignKey("codings.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: its GUID in REFI-QDA files (a Note's) when it came from one
    guid: Mapped[str | None] = mapped_column(String(36))

    author: Mapped[User | None] = relationship()
    source: Mapped[Source | None] = relationship()
    code: Mapped[Code | None] = relationship()
    coding: Mapped[Coding | None] = relationship()

    @property
    def attached_to(self) -> str:
        """What the memo is on: coding, source, code or project."""
        if self.coding_id is not None:
            return "coding"
        if self.source_id is not None:
            return "source"
        if self.code_id is not None:
            return "code"
        return "project"


class CodingSettings(db.Model):
    """How a project codes: blind coding hides other coders' work from coders."""

    __tablename__ = "coding_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True
    )
    #: coders see only their own codings until the lead turns this off
    blind: Mapped[bool] = mapped_column(default=False)
    #: the identity (without a login) whose codings are the consensus the lead settled;
    #: made on the first decision
    consensus_coder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ConsensusDecision(db.Model):
    """How the lead settled one disagreement of two coders on a source (coding.disagreements);
    the consensus coder's codings of the source follow from these decisions."""

    __tablename__ = "consensus_decisions"
    __table_args__ = (Index("ix_consensus_decisions_source_pair", "source_id", "coder_a_id",
                            "coder_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    #: the two coders compared, the lower id as A
    coder_a_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    coder_b_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the segment's key: both coders' versions, e.g. "A 12:40-71 | B 12:38-71"
    segment: Mapped[str] = mapped_column(Text)
    #: one of coding.disagreements.ACTIONS
    action: Mapped[str] = mapped_column(String(10))
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CoderIdentity(db.Model):
    """A person as REFI-QDA files name them in this project: their GUID and name there, and
    the user whose work it is here. A coder of an imported file with no account here is an
    external user (no sign-in) until the lead joins them to a real account."""

    __tablename__ = "coder_identities"
    __table_args__ = (
        UniqueConstraint("project_id", "guid", name="uq_coder_identities_project_guid"),
        UniqueConstraint("project_id", "user_id", name="uq_coder_identities_project_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: the User GUID in the files, lower case without braces
    guid: Mapped[str] = mapped_column(String(36))
    #: the name the file gave, and the program that wrote it
    name: Mapped[str] = mapped_column(String(200), default="")
    origin: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
