"""Running a transcription job in a worker: Whisper, then the speakers, saving as it goes.

A job never holds a transaction while Whisper works: each recognised segment is saved,
with the job's progress and heartbeat, in a short transaction of its own, and the job's
row is read again at each segment to see whether someone asked it to stop. When the job
separates speakers, that is its last phase (recordings.separation), reporting progress the
same way.

Only the worker imports this module (recordings.tasks, when a job runs): it loads
faster-whisper, CTranslate2 and PyAV, which the web process never needs.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from flask import current_app

from fieldwork import audit
from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.storage import file_store
from interviews.asr.base import (
    DEFAULT_ENGINE,
    EngineUnavailable,
    InvalidModel,
    ModelNotInstalled,
    Segment,
    TranscriptionCancelled,
    TranscriptionOptions,
    TranscriptionResult,
    UnknownEngine,
)
from interviews.asr.batching import CLIP_SECONDS
from interviews.asr.engines import get_engine
from interviews.recordings.models import TRANSCRIBING_SHARE, TranscriptionJob
from interviews.recordings.progress import Heartbeat, JobProgress
from interviews.recordings.separation import separate_speakers
from interviews.recordings.speakers import DEFAULT_SPEAKER
from interviews.recordings.tasks import transcribe_recording
from interviews.recordings.transcription import JobError
from interviews.recordings.translation import queue_translation, translation_after
from interviews.transcripts.editing import (
    clear_for_new_transcription,
    save_version,
    transcript_for,
)
from interviews.transcripts.models import (
    DOUBTFUL,
    GAP,
    LOW_CONFIDENCE,
    Transcript,
    TranscriptSegment,
)
from interviews.transcripts.reliability import store_estimates

log = logging.getLogger(__name__)

#: segments whose average log probability is below this are flagged for review
LOW_LOGPROB = -1.0
#: seconds of audio decoded at once (a clip on each of 2 cores): the next segment ends at
#: most this much later
WINDOW_SECONDS = 2.0 * CLIP_SECONDS
#: while separating speakers, progress is written at most this often (seconds)
SPEAKER_REPORT_SECONDS = 1.0


def engine_options(options: dict[str, Any]) -> TranscriptionOptions:
    return TranscriptionOptions(
        model=options.get("model") or "base", language=options.get("language") or None,
        vad_filter=bool(options.get("vad", True)),
        initial_prompt=options.get("initial_prompt") or None,
        word_timestamps=bool(options.get("word_timestamps", True)),
    )


def segment_flags(segment: Segment) -> list[str]:
    if segment.gap:
        return [GAP]
    flags = [flag for flag, on in (("repeated", segment.repeated),
                                   (DOUBTFUL, segment.doubtful)) if on]
    if segment.avg_logprob < LOW_LOGPROB or any(
        word.probability < LOW_CONFIDENCE for word in segment.words
    ):
        flags.append("low_confidence")
    return flags


class SegmentSaver:
    """The engine's on_segment callback: saves each segment with the job's progress, of
    which transcribing is `share`."""

    def __init__(self, job: TranscriptionJob, transcript: Transcript, share: float = 1.0,
                 progress: JobProgress | None = None) -> None:
        self.transcript_id = transcript.id
        self.position = 0
        self.share = share
        self.progress = progress or JobProgress(job)

    def __call__(self, segment: Segment, progress: float) -> None:
        db.session.add(TranscriptSegment(
            transcript_id=self.transcript_id, position=self.position, start=segment.start,
            end=segment.end, speaker=DEFAULT_SPEAKER, text=segment.text,
            words=[{"start": w.start, "end": w.end, "text": w.text,
                    "probability": round(w.probability, 3)} for w in segment.words],
            flags=segment_flags(segment),
        ))
        self.position += 1
        self.progress.report(progress * self.share, self.next_window_end(segment, progress))

    def next_window_end(self, segment: Segment, progress: float) -> float:
        """The job's progress at the end of the window Whisper decodes next."""
        if progress <= 0:
            return 0.0
        duration = segment.end / progress
        return min((segment.end + WINDOW_SECONDS) / duration, 1.0) * self.share


class SpeakerProgress:
    """The speaker phase's on_progress callback: the rest of the job's progress after
    transcribing, written at most every SPEAKER_REPORT_SECONDS."""

    def __init__(self, progress: JobProgress) -> None:
        self.progress = progress
        self.reported = time.monotonic()

    def __call__(self, done: float) -> None:
        if time.monotonic() - self.reported < SPEAKER_REPORT_SECONDS and done < 1:
            return
        self.reported = time.monotonic()
        self.progress.report(TRANSCRIBING_SHARE + done * (1 - TRANSCRIBING_SHARE))


def start(job: TranscriptionJob) -> Transcript:
    job.state, job.started_at, job.heartbeat_at = "running", utcnow(), utcnow()
    job.progress, job.eta_s, job.error = 0.0, None, ""
    recording = job.recording
    transcript = transcript_for(recording)
    clear_for_new_transcription(transcript)
    db.session.commit()
    return transcript


def finish(job_id: int, state: str, error: str = "",
           result: TranscriptionResult | None = None, speakers: str = "") -> None:
    job = db.session.get(TranscriptionJob, job_id)
    job.state, job.finished_at, job.error, job.eta_s = state, utcnow(), error, None
    if result is not None:
        job.progress = 1.0
        job.detected_language = result.language or ""
        job.language_probability = result.language_probability
        job.speech_seconds, job.covered_seconds = result.speech_seconds, result.covered_seconds
        job.gap_count = sum(segment.gap for segment in result.segments)
        transcript = transcript_for(job.recording)
        transcript.language = result.language or transcript.language
        summary = f"Transcribed with {job.options.get('model', '')}"
        save_version(transcript, None, f"{summary}; {speakers}" if speakers else summary)
    audit.record(f"transcription.{state}", job,
                 project=db.session.get(Project, job.project_id),
                 summary=f"Transcription job {job.id}: {job.state_label.lower()}"
                         + (f" ({error})" if error else ""), user_id=job.requested_by_id)
    db.session.commit()


def estimate(transcript: Transcript, result: TranscriptionResult,
             options: dict[str, Any]) -> None:
    """Each saved segment's estimated share of wrong words, from what the engine gave for it
    (arithmetic only: no decoding)."""
    store_estimates(transcript, result.segments, result.language,
                    result.language_probability, str(options.get("model") or "base"),
                    language_chosen=bool(options.get("language")))
    db.session.commit()


def heartbeat_of(progress: JobProgress) -> AbstractContextManager[object]:
    """A worker's job beats; a job run inside a request (tests only) has no one to tell."""
    app = current_app._get_current_object()
    if app.config["JOBS_IMMEDIATE"]:
        return nullcontext()
    return Heartbeat(app, progress)


def run_job(job_id: int, models_dir: Path | None) -> str:
    """Transcribe a queued job's recording; returns the job's final state. Its transactions
    take SQLite's write lock when they begin, as the heartbeat's do: two writers that both
    read first would fail on each other."""
    with writing():
        return transcribe_queued(job_id, models_dir)


def transcribe_queued(job_id: int, models_dir: Path | None) -> str:
    job = db.session.get(TranscriptionJob, job_id)
    if job is None or job.state != "queued":
        return job.state if job is not None else "missing"
    if job.cancel_requested:
        finish(job_id, "cancelled")
        return "cancelled"
    transcript = start(job)
    audio = file_store().blob_path(job.recording.stored_file.sha256)
    options = dict(job.options)
    progress = JobProgress(job)
    separates = job.separates_speakers
    saver = SegmentSaver(job, transcript, TRANSCRIBING_SHARE if separates else 1.0, progress)
    db.session.commit()  # end the reads above: no transaction stays open while Whisper works
    try:
        with heartbeat_of(progress):
            engine = get_engine(options.get("engine") or DEFAULT_ENGINE, models_dir)
            result = engine.transcribe(audio, engine_options(options), saver)
            estimate(transcript, result, options)
            speakers = (separate_speakers(transcript, audio, options, SpeakerProgress(progress))
                        if separates else "")
    except TranscriptionCancelled:
        db.session.rollback()
        finish(job_id, "cancelled")
        return "cancelled"
    except (EngineUnavailable, ModelNotInstalled, UnknownEngine, InvalidModel) as error:
        db.session.rollback()
        finish(job_id, "failed", str(error))
        return "failed"
    except Exception as error:
        log.exception("transcription job %s failed", job_id)
        db.session.rollback()
        finish(job_id, "failed", f"the transcription stopped with an error: {error}")
        return "failed"
    finish(job_id, "done", result=result, speakers=speakers)
    translate_after(job_id)
    return "done"


def translate_after(job_id: int) -> None:
    """Queue the English version of what the job transcribed, when its project wants one."""
    original = translation_after(db.session.get(TranscriptionJob, job_id))
    if original is None:
        db.session.commit()
        return
    try:
        translation = queue_translation(original, None)
    except JobError as error:
        log.warning("transcription job %s: no English version queued: %s", job_id, error)
        db.session.rollback()
        return
    db.session.commit()
    transcribe_recording(translation.id)
