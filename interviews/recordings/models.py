"""Recordings (one or more parts per interview) and their transcription jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import StoredFile, User
from interviews.asr.languages import language_name

JOB_STATES = {
    "queued": "Queued",
    "running": "Transcribing",
    "done": "Done",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
#: states a job never leaves by itself
FINISHED_STATES = frozenset({"done", "failed", "cancelled"})
#: the job option "speakers" of a job that does not separate speakers (and of jobs queued
#: before there was a choice, which have no such option)
ONE_SPEAKER = "1"
#: A job that separates speakers after transcribing gives transcribing this share of its
#: progress, and the speakers the rest: on a 2-hour recording they took 7 % of the job's time
#: with the base model and about 13 % with tiny.en (docs/benchmarks.md).
TRANSCRIBING_SHARE = 0.9
#: a language detected with less probability than this is to be confirmed by a person
UNSURE_LANGUAGE = 0.6
#: the job option "task" of a job that makes a transcript's English version
TRANSLATE = "translate"


class Recording(db.Model):
    """One audio or video file of an interview; the original is kept unchanged."""

    __tablename__ = "recordings"
    __table_args__ = (UniqueConstraint("interview_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    #: the original file as uploaded
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    #: 1 for the first file of the interview, 2 for the next...
    part: Mapped[int] = mapped_column(default=1)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    #: e.g. "mp3", "aac", "opus"
    codec: Mapped[str] = mapped_column(String(40), default="")
    channels: Mapped[int] = mapped_column(default=1)
    sample_rate: Mapped[int] = mapped_column(default=0)
    #: an AAC copy every browser plays, made in the background
    playback_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    #: the waveform's peaks (0..1) for the editor, computed with the playback copy
    peaks: Mapped[list[float] | None] = mapped_column(JSON)
    #: why the playback copy could not be made, in words
    playback_error: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stored_file: Mapped[StoredFile] = relationship(foreign_keys=[stored_file_id])
    playback_file: Mapped[StoredFile | None] = relationship(foreign_keys=[playback_file_id])
    uploaded_by: Mapped[User | None] = relationship()
    interview = relationship("Interview")
    jobs: Mapped[list[TranscriptionJob]] = relationship(
        back_populates="recording", cascade="all, delete-orphan",
        order_by="TranscriptionJob.id.desc()",
    )

    @property
    def latest_job(self) -> TranscriptionJob | None:
        """The latest transcription (not translation) of the recording."""
        return next((job for job in self.jobs if not job.translates), None)

    @property
    def latest_translation_job(self) -> TranscriptionJob | None:
        return next((job for job in self.jobs if job.translates), None)


class TranscriptionJob(db.Model):
    """One attempt to transcribe a recording, run by a background worker."""

    __tablename__ = "transcription_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    #: one of JOB_STATES
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    #: model, language (None: detect), vad, initial_prompt, word_timestamps, engine,
    #: speakers ("1", "2", "3" or "detect"; missing: ONE_SPEAKER); a job that makes an
    #: English version has task TRANSLATE and transcript_id, the transcript it translates
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: share of the recording transcribed, 0..1
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    #: estimated seconds left, from the speed so far
    eta_s: Mapped[float | None] = mapped_column(Float)
    #: asked to stop; the worker stops at its next segment
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    #: times the job was put back in the queue after its worker stopped
    requeued: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: written by the worker at least every 30 s while running
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why it failed, in words
    error: Mapped[str] = mapped_column(Text, default="")
    detected_language: Mapped[str] = mapped_column(String(12), default="")
    language_probability: Mapped[float | None] = mapped_column(Float)
    #: seconds of speech the voice-activity detector heard, and of those covered by text
    speech_seconds: Mapped[float | None] = mapped_column(Float)
    covered_seconds: Mapped[float | None] = mapped_column(Float)
    #: stretches of speech still without text when the job ended, shown as gaps
    gap_count: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recording: Mapped[Recording] = relationship(back_populates="jobs")
    requested_by: Mapped[User | None] = relationship()

    @property
    def state_label(self) -> str:
        return JOB_STATES.get(self.state, self.state)

    @property
    def coverage(self) -> float | None:
        """The share of the speech heard that the text covers, once the job is done."""
        if not self.speech_seconds or self.covered_seconds is None:
            return None
        return min(self.covered_seconds / self.speech_seconds, 1.0)

    @property
    def language_name(self) -> str:
        return language_name(self.detected_language)

    @property
    def language_uncertain(self) -> bool:
        """The language was detected, not chosen, and detection was not sure of it."""
        return (not self.options.get("language") and self.language_probability is not None
                and self.language_probability < UNSURE_LANGUAGE)

    @property
    def has_gaps(self) -> bool:
        return self.state == "done" and self.gap_count > 0

    @property
    def separates_speakers(self) -> bool:
        return str(self.options.get("speakers") or ONE_SPEAKER) != ONE_SPEAKER

    @property
    def translates(self) -> bool:
        return self.options.get("task") == TRANSLATE

    @property
    def phase(self) -> str:
        """What the job is doing, in words: speakers are separated after transcribing."""
        if self.state == "running" and self.translates:
            return "Translating into English"
        if self.state == "running" and self.separates_speakers and (
            self.progress >= TRANSCRIBING_SHARE
        ):
            return "Separating speakers"
        if self.has_gaps:
            return "Done, with gaps"
        return self.state_label

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        return round((self.progress or 0.0) * 100)
