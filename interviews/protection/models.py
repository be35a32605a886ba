"""A project's retention rule, each recording whose audio was deleted, and each withdrawal
of consent that was applied to the data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import User

#: consent retention wishes (interviews.models.RETENTION_WISHES) that ask for the audio to go
DELETION_WISHES = frozenset({"anonymised", "delete_soon"})

REASONS = {
    "retention": "under the project's retention rule",
    "withdrawal": "after the participant withdrew consent",
}
TRANSCRIPT_CHOICES = {
    "pseudonymise": "Keep the transcripts, pseudonymised (names replaced by the pseudonym)",
    "delete": "Delete the transcripts",
}
CODING_CHOICES = {
    "keep": "Keep the codings, anonymised (cited anonymously)",
    "remove": "Remove the codings",
}


class RetentionRule(db.Model):
    """When a project deletes interview audio; the transcripts are kept."""

    __tablename__ = "retention_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True
    )
    #: days after the transcript was corrected, for participants whose consent asks for it
    #: (DELETION_WISHES); None: no such rule
    wish_days: Mapped[int | None] = mapped_column()
    #: days after the transcript was corrected, for every recording; None: keep
    default_days: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User | None] = relationship()


class AudioDeletion(db.Model):
    """A recording whose files were deleted; its transcript, if any, was kept."""

    __tablename__ = "audio_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    #: the deleted recording's id (the row is gone) and part number
    recording_id: Mapped[int] = mapped_column()
    part: Mapped[int] = mapped_column(default=1)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    #: the transcript kept without its audio
    transcript_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcripts.id", ondelete="SET NULL")
    )
    #: one of REASONS
    reason: Mapped[str] = mapped_column(String(20))
    #: the rule in words, e.g. "30 days after the transcript was corrected (consent asks)"
    rule: Mapped[str] = mapped_column(Text, default="")
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None when the scheduled job deleted it
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    deleted_by: Mapped[User | None] = relationship()

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)


class WithdrawalApplication(db.Model):
    """What the lead did with a participant's data after they withdrew consent."""

    __tablename__ = "withdrawal_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True
    )
    #: one of TRANSCRIPT_CHOICES
    transcripts: Mapped[str] = mapped_column(String(20))
    #: one of CODING_CHOICES
    codings: Mapped[str] = mapped_column(String(20))
    recordings_deleted: Mapped[int] = mapped_column(default=0)
    transcripts_changed: Mapped[int] = mapped_column(default=0)
    codings_changed: Mapped[int] = mapped_column(default=0)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    applied_by: Mapped[User | None] = relationship()

    @property
    def summary(self) -> str:
        transcripts = "deleted" if self.transcripts == "delete" else "pseudonymised"
        codings = "removed" if self.codings == "remove" else "kept, anonymised"
        return (f"{self.recordings_deleted} recording(s) deleted; {self.transcripts_changed} "
                f"transcript(s) {transcripts}; {self.codings_changed} coding(s) {codings}")
