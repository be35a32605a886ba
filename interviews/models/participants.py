"""Participants (known to coders only by their pseudonym) and their consent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import StoredFile

#: organisation type -> (label, short code used in pseudonyms)
ORGANISATION_TYPES: dict[str, tuple[str, str]] = {
    "eu_institution": ("EU institution", "EUI"),
    "eu_member_state": ("EU member-state body", "GOV"),
    "us_federal": ("US federal", "FED"),
    "us_state_city": ("US state or city", "CITY"),
    "chinese": ("Chinese institution or embassy", "CN"),
    "eu_city_region": ("City or regional government in the EU", "CITY"),
    "business": ("Business", "BUS"),
    "academia": ("Academia", "ACAD"),
    "ngo": ("NGO", "NGO"),
    "other": ("Other", "OTH"),
}

ATTRIBUTION_LEVELS = {
    "named": "Named (name and role may be cited)",
    "role": "Role only (e.g. “a city official”)",
    "anonymous": "Anonymous",
}

RETENTION_WISHES = {
    "project": "Keep until the end of the project, then delete",
    "anonymised": "Keep an anonymised transcript, delete the recording",
    "archive": "May be archived for future research",
    "delete_soon": "Delete the recording as soon as it is transcribed",
}


class Participant(db.Model):
    """A person interviewed; identity columns are shown only to leads and interviewers."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("project_id", "pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    #: e.g. EU-COM-03, made by the project's pseudonym pattern
    pseudonym: Mapped[str] = mapped_column(String(60))
    #: e.g. "European Commission, DG REGIO"
    organisation: Mapped[str] = mapped_column(String(300), default="")
    #: one of ORGANISATION_TYPES
    organisation_type: Mapped[str] = mapped_column(String(30), default="other")
    #: short code for the pseudonym instead of the type's own, e.g. COM
    organisation_code: Mapped[str] = mapped_column(String(12), default="")
    #: e.g. "head of the international relations office"
    role: Mapped[str] = mapped_column(String(300), default="")
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    #: identity: leads and interviewers only
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    place = relationship("Place")
    consent: Mapped[Consent | None] = relationship(
        back_populates="participant", cascade="all, delete-orphan", uselist=False
    )

    @property
    def organisation_type_label(self) -> str:
        return ORGANISATION_TYPES.get(self.organisation_type, ("Other", ""))[0]

    def __repr__(self) -> str:
        return f"<Participant {self.pseudonym}>"


class Consent(db.Model):
    """What a participant agreed to; a withdrawal keeps the row and records its date."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True
    )
    recording_allowed: Mapped[bool] = mapped_column(default=False)
    #: one of ATTRIBUTION_LEVELS
    attribution: Mapped[str] = mapped_column(String(20), default="anonymous")
    given_on: Mapped[date | None] = mapped_column(Date)
    #: the signed consent form (it names the participant: identity permission to download)
    form_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    #: one of RETENTION_WISHES
    retention: Mapped[str] = mapped_column(String(20), default="project")
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_note: Mapped[str] = mapped_column(Text, default="")

    participant: Mapped[Participant] = relationship(back_populates="consent")
    form_file: Mapped[StoredFile | None] = relationship()

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    @property
    def attribution_label(self) -> str:
        return ATTRIBUTION_LEVELS.get(self.attribution, self.attribution)

    @property
    def retention_label(self) -> str:
        return RETENTION_WISHES.get(self.retention, self.retention)
