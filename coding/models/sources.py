"""Sources: the texts coders code, a transcript or a document, with their links and attributes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import StoredFile, User

KINDS = {"transcript": "Interview transcript", "document": "Document"}

source_places = Table(
    "source_places",
    db.metadata,
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", ForeignKey("places.id", ondelete="CASCADE"), primary_key=True),
)

source_partnerships = Table(
    "source_partnerships",
    db.metadata,
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("partnership_id", ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True),
)


class Source(db.Model):
    """A text to code. Offsets into ``text`` are Python string indices (code points)."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("project_id", "guid", name="uq_sources_project_guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    #: one of KINDS
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    #: for a transcript source, the transcript it follows
    transcript_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcripts.id", ondelete="SET NULL"), unique=True
    )
    #: for a document source, the original file (kept unchanged)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    #: a case study linked directly (a transcript's interview may give another)
    case_study_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_studies.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text, default="")
    #: [{"start", "end"} offsets, and for transcripts "speaker", "t0", "t1" in seconds]:
    #: paragraphs or transcript segments; the units of Krippendorff's alpha
    paragraphs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: raised on every change of the text, so that a coding made on an older text is refused
    text_version: Mapped[int] = mapped_column(default=1)
    #: case variables, e.g. {"Partner country": "China", "Level": "City"}
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: its GUID in REFI-QDA files when it came from one (else one is derived from its id)
    guid: Mapped[str | None] = mapped_column(String(36))

    transcript = relationship("Transcript")
    case_study = relationship("CaseStudy")
    file: Mapped[StoredFile | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    places = relationship("Place", secondary=source_places, order_by="Place.name")
    partnerships = relationship("Partnership", secondary=source_partnerships)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def interview(self) -> Any:
        return self.transcript.interview if self.transcript is not None else None

    def __repr__(self) -> str:
        return f"<Source {self.id} {self.title!r}>"
