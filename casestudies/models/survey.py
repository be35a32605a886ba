"""The city survey: waves of questionnaires sent to EU cities and regions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile

#: status value -> label, in the order a contact moves through them
CONTACT_STATUSES = {
    "not_sent": "Not sent",
    "sent": "Sent",
    "reminded": "Reminded",
    "responded": "Responded",
    "declined": "Declined",
    "bounced": "Bounced",
}


class SurveyWave(db.Model):
    """One round of the survey, e.g. "Spring 2026, all EU cities"."""

    __tablename__ = "survey_waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    contacts: Mapped[list[SurveyContact]] = relationship(
        back_populates="wave", cascade="all, delete-orphan", order_by="SurveyContact.id"
    )

    def __repr__(self) -> str:
        return f"<SurveyWave {self.name}>"


class SurveyContact(db.Model):
    """The questionnaire of one wave sent to one city or region, and what came back."""

    __tablename__ = "survey_contacts"
    __table_args__ = (UniqueConstraint("wave_id", "place_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id", ondelete="CASCADE"))
    #: the EU city or region surveyed
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    #: e.g. "International relations office"
    contact_office: Mapped[str] = mapped_column(String(300), default="")
    sent_on: Mapped[date | None] = mapped_column(Date)
    reminder_count: Mapped[int] = mapped_column(default=0)
    last_reminder_on: Mapped[date | None] = mapped_column(Date)
    #: one of CONTACT_STATUSES
    status: Mapped[str] = mapped_column(String(20), default="not_sent", index=True)
    responded_on: Mapped[date | None] = mapped_column(Date)
    #: the filled-in questionnaire, if it came as a file
    response_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(Text, default="")

    wave: Mapped[SurveyWave] = relationship(back_populates="contacts")
    place = relationship("Place")
    response_file: Mapped[StoredFile | None] = relationship()

    @property
    def project_id(self) -> int:
        return self.wave.project_id

    @property
    def status_label(self) -> str:
        return CONTACT_STATUSES.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<SurveyContact wave={self.wave_id} place={self.place_id}>"
