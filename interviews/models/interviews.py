"""Interviews, their history of changes, the project's scheduling settings and calendar feeds."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, Float, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.asr.reliability import REVIEW_THRESHOLD
from interviews.models.guides import Guide
from interviews.models.participants import Participant

STATUSES = {
    "proposed": "Proposed",
    "requested": "Requested",
    "confirmed": "Confirmed",
    "done": "Done",
    "cancelled": "Cancelled",
    "no_show": "No-show",
}
#: statuses in which the interview no longer takes anyone's time
INACTIVE_STATUSES = frozenset({"cancelled", "no_show"})

MODES = {"in_person": "In person", "video": "Video call", "phone": "Phone"}

interview_participants = Table(
    "interview_participants",
    db.metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
)

interview_interviewers = Table(
    "interview_interviewers",
    db.metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

interview_partnerships = Table(
    "interview_partnerships",
    db.metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("partnership_id", ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True),
)


class Interview(db.Model):
    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    #: e.g. "European Commission, DG REGIO"
    organisation: Mapped[str] = mapped_column(String(300), default="")
    case_study_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_studies.id", ondelete="SET NULL")
    )
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    #: start in UTC; shown in `timezone` and in each reader's own zone
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: IANA zone of the place where it happens, e.g. Europe/Brussels
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    #: one of MODES
    mode: Mapped[str] = mapped_column(String(20), default="in_person")
    #: address or room for in-person interviews, dial-in for phone
    location: Mapped[str] = mapped_column(String(500), default="")
    #: video call link
    link: Mapped[str] = mapped_column(String(500), default="")
    #: e.g. "English", "Polish"
    language: Mapped[str] = mapped_column(String(60), default="English")
    guide_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_guides.id", ondelete="SET NULL")
    )
    #: one of STATUSES
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    #: ICS SEQUENCE: raised on every change so calendars replace their copy
    sequence: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    place = relationship("Place")
    case_study = relationship("CaseStudy")
    visit = relationship("Visit")
    guide: Mapped[Guide | None] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        secondary=interview_participants, order_by=Participant.pseudonym
    )
    interviewers: Mapped[list[User]] = relationship(
        secondary=interview_interviewers, order_by=User.name
    )
    partnerships = relationship("Partnership", secondary=interview_partnerships)
    history: Mapped[list[InterviewChange]] = relationship(
        back_populates="interview", cascade="all, delete-orphan",
        order_by="InterviewChange.at.desc(), InterviewChange.id.desc()",
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def mode_label(self) -> str:
        return MODES.get(self.mode, self.mode)

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Interview {self.id} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class InterviewChange(db.Model):
    """One line of an interview's history: created, status changed, rescheduled, edited."""

    __tablename__ = "interview_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: "created", "status", "rescheduled" or "edited"
    kind: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    from_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    to_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    interview: Mapped[Interview] = relationship(back_populates="history")
    user: Mapped[User | None] = relationship()


class InterviewSettings(db.Model):
    """A project's rules for interviews, set by its lead."""

    __tablename__ = "interview_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True
    )
    #: e.g. "{country}-{orgtype}-{n:02}" -> EU-COM-03
    pseudonym_pattern: Mapped[str] = mapped_column(
        String(100), default="{country}-{orgtype}-{n:02}"
    )
    #: minutes kept free between two interviews of one interviewer
    buffer_minutes: Mapped[int] = mapped_column(default=30)
    #: sensible local hours: warn before day_starts_hour or after day_ends_hour
    day_starts_hour: Mapped[int] = mapped_column(default=8)
    day_ends_hour: Mapped[int] = mapped_column(default=20)
    #: the Whisper model a new recording is transcribed with (multilingual base by default)
    transcription_model: Mapped[str] = mapped_column(String(200), default="base")
    #: the language a new recording is transcribed in; "" detects it per recording
    transcription_language: Mapped[str] = mapped_column(String(12), default="")
    #: an English version of each transcript in another language is made by machine
    #: (Whisper's translate task) after transcribing, to be coded beside the original
    translate_to_english: Mapped[bool] = mapped_column(default=False)
    #: how an excerpt's citation reads: {who}, {date}, {code}, {locator}, {speaker}
    citation_template: Mapped[str] = mapped_column(
        String(200), default="{who} ({date}) [{code}, {locator}]")
    #: "role only" consent may still show the job title, the exact city, the date
    role_shows_title: Mapped[bool] = mapped_column(default=False)
    role_shows_city: Mapped[bool] = mapped_column(default=False)
    #: one of interviews.citations.ROLE_DATES: "none", "year", "month" or "day"
    role_date: Mapped[str] = mapped_column(String(10), default="none")
    #: a transcript estimated to have more than this share of its unchecked words wrong
    #: needs review
    review_threshold: Mapped[float] = mapped_column(Float, default=REVIEW_THRESHOLD)


class CalendarFeed(db.Model):
    """A secret subscription URL: a user's own interviews, or one project's (project_id set).

    The feed shows identities only while its owner may see them in the project.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: None for the owner's own interviews across projects
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    project: Mapped[Project | None] = relationship()
