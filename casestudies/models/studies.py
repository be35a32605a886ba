"""Case studies (places chosen for depth) and the field visits made to them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User

#: status value -> label
STUDY_STATUSES = {
    "planned": "Planned",
    "in_progress": "In progress",
    "completed": "Completed",
    "dropped": "Dropped",
}

case_study_members = Table(
    "case_study_members",
    db.metadata,
    Column("case_study_id", ForeignKey("case_studies.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

visit_members = Table(
    "visit_members",
    db.metadata,
    Column("visit_id", ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CaseStudy(db.Model):
    """A place a project studies in depth: its team, questions and visits."""

    __tablename__ = "case_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    #: the city or region studied
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    #: e.g. "Wrocław: business ties with Chinese partners"
    title: Mapped[str] = mapped_column(String(200))
    research_questions: Mapped[str] = mapped_column(Text, default="")
    #: one of STUDY_STATUSES
    status: Mapped[str] = mapped_column(String(20), default="planned")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    place = relationship("Place")
    team: Mapped[list[User]] = relationship(secondary=case_study_members, order_by=User.name)
    visits: Mapped[list[Visit]] = relationship(
        back_populates="case_study", cascade="all, delete-orphan",
        order_by="Visit.starts_on",
    )

    @property
    def status_label(self) -> str:
        return STUDY_STATUSES.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<CaseStudy {self.title}>"


class Visit(db.Model):
    """A field trip to a case study's place; interviews attach to it."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    case_study_id: Mapped[int] = mapped_column(
        ForeignKey("case_studies.id", ondelete="CASCADE"), index=True
    )
    #: first and last day on site, both included
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    #: one line, e.g. "Interviews at the city hall and the regional office"
    purpose: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case_study: Mapped[CaseStudy] = relationship(back_populates="visits")
    team: Mapped[list[User]] = relationship(secondary=visit_members, order_by=User.name)

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def __repr__(self) -> str:
        return f"<Visit {self.starts_on}–{self.ends_on}>"
