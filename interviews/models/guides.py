"""Interview guides: questions grouped by topic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db


class Guide(db.Model):
    __tablename__ = "interview_guides"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    #: e.g. "City officials (CEE)"
    title: Mapped[str] = mapped_column(String(200))
    #: read to the participant before the questions
    introduction: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list[GuideQuestion]] = relationship(
        back_populates="guide", cascade="all, delete-orphan", order_by="GuideQuestion.position"
    )


class GuideQuestion(db.Model):
    __tablename__ = "interview_guide_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("interview_guides.id", ondelete="CASCADE"))
    #: e.g. "Success factors"
    topic: Mapped[str] = mapped_column(String(200))
    #: order within the guide
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)

    guide: Mapped[Guide] = relationship(back_populates="questions")
