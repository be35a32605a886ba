"""Transcripts, their segments, and every saved version of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import User

STATUSES = {
    "draft": "Draft",
    "corrected": "Corrected",
    "ready": "Ready for coding",
}
#: words the recogniser was less sure of than this are marked for review
LOW_CONFIDENCE = 0.5
#: segment flags the recogniser sets
GAP, DOUBTFUL = "gap", "doubtful"
#: what each flag means, in words, where a segment is shown
FLAG_LABELS = {"repeated": "repeated text: check", "low_confidence": "uncertain",
               DOUBTFUL: "possibly invented: check", GAP: "no text found: listen"}


class Transcript(db.Model):
    """The text of one recording, made by a transcription job and corrected by people."""

    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recordings.id", ondelete="SET NULL"), unique=True
    )
    #: one of STATUSES: draft -> corrected -> ready
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: language code, e.g. "en"
    language: Mapped[str] = mapped_column(String(12), default="")
    #: for an English version: the transcript it translates (its segments have the same
    #: times as that transcript's had when it was translated)
    translation_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), unique=True
    )
    #: the language a machine translated this transcript from ("" for a transcript)
    translated_from: Mapped[str] = mapped_column(String(12), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the estimated share of wrong words in the segments no person has checked (0-1); None
    #: when every segment is checked, or when it was transcribed before estimates were kept
    estimated_word_error: Mapped[float | None] = mapped_column(Float)
    #: the share of the words that a person has checked (0-1)
    checked_share: Mapped[float] = mapped_column(Float, default=0.0)
    #: what the estimate rests on, in words (asr.reliability.basis)
    reliability_basis: Mapped[list[str]] = mapped_column(JSON, default=list)

    interview = relationship("Interview")
    recording = relationship("Recording")
    #: the original, for an English version
    translation_of: Mapped[Transcript | None] = relationship(
        remote_side=[id], back_populates="translation")
    #: the English version, for an original that has one
    translation: Mapped[Transcript | None] = relationship(
        back_populates="translation_of", cascade="all, delete-orphan")
    segments: Mapped[list[TranscriptSegment]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan",
        order_by="TranscriptSegment.position",
    )
    versions: Mapped[list[TranscriptVersion]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan",
        order_by="TranscriptVersion.number.desc()",
    )

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def is_translation(self) -> bool:
        return self.translation_of_id is not None

    @property
    def audio_recording_id(self) -> int | None:
        """The recording to play beside the text: an English version's is its original's."""
        original = self.translation_of
        return original.recording_id if original is not None else self.recording_id

    @property
    def speakers(self) -> list[str]:
        return sorted({segment.speaker for segment in self.segments if segment.speaker})


class TranscriptSegment(db.Model):
    """A stretch of speech by one speaker."""

    __tablename__ = "transcript_segments"
    #: the marks read only these columns: the index answers without reading the rows' words
    __table_args__ = (Index("ix_transcript_segments_review", "transcript_id", "checked_at",
                            "estimated_word_error", "start", "end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), index=True
    )
    #: order in the transcript, from 0
    position: Mapped[int] = mapped_column(default=0)
    #: seconds from the start of the recording
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    #: e.g. "Speaker 1", "Interviewer", a participant's pseudonym
    speaker: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    #: [{"start", "end", "text", "probability"}] as recognised
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: e.g. ["repeated", "low_confidence"]; "gap": speech in which no text was found;
    #: "doubtful": a loop or the prompt said back, even when decoded again
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the estimated share of wrong words (0-1) as recognised (asr.reliability); None for
    #: text that no recogniser made
    estimated_word_error: Mapped[float | None] = mapped_column(Float)
    #: when a person checked the segment (marked it checked, or corrected its text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    transcript: Mapped[Transcript] = relationship(back_populates="segments")

    @property
    def checked(self) -> bool:
        return self.checked_at is not None

    @property
    def is_gap(self) -> bool:
        return GAP in (self.flags or [])

    def uncertain_words(self) -> list[dict[str, Any]]:
        """Recognised words below LOW_CONFIDENCE, while the text is still the recognised one."""
        if " ".join(word["text"] for word in self.words).split() != self.text.split():
            return []
        return [word for word in self.words if word["probability"] < LOW_CONFIDENCE]


class TranscriptVersion(db.Model):
    """A saved state of a transcript: a full snapshot, who saved it and when."""

    __tablename__ = "transcript_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3... within the transcript
    number: Mapped[int] = mapped_column(default=1)
    #: what the save did, e.g. "Relabelled Speaker 1 as Interviewer"
    summary: Mapped[str] = mapped_column(String(300), default="")
    #: {"status", "language", "segments": [{start, end, speaker, text, words, flags}]}
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    transcript: Mapped[Transcript] = relationship(back_populates="versions")
    saved_by: Mapped[User | None] = relationship()
