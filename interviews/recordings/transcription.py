"""Transcription jobs: what to transcribe with which options, running one in a worker,
cancelling, retrying, and recovering jobs whose worker died.

A job never holds a transaction while Whisper works: each recognised segment is saved,
with the job's progress and heartbeat, in a short transaction of its own, and the job's
row is read again at each segment to see whether someone asked it to stop. When the job
separates speakers, that is its last phase (recordings.speakers), reporting progress the
same way.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app

from fieldwork import audit
from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.storage import file_store
from interviews.asr.base import (
    EngineUnavailable,
    Segment,
    TranscriptionCancelled,
    TranscriptionOptions,
    TranscriptionResult,
)
from interviews.asr.ct2 import InvalidModel
from interviews.asr.engines import DEFAULT_ENGINE, ENGINES, UnknownEngine, get_engine
from interviews.asr.weights import ModelNotInstalled
from interviews.models import Interview
from interviews.recordings.models import (
    ONE_SPEAKER,
    TRANSCRIBING_SHARE,
    Recording,
    TranscriptionJob,
)
from interviews.recordings.progress import Heartbeat, JobProgress
from interviews.recordings.speakers import (
    DEFAULT_SPEAKER,
    SPEAKER_CHOICES,
    default_speakers,
    separate_speakers,
)
from interviews.transcripts.editing import (
    clear_for_new_transcription,
    save_version,
    transcript_for,
)
from interviews.transcripts.models import LOW_CONFIDENCE, Transcript, TranscriptSegment

log = logging.getLogger(__name__)

#: a running job whose heartbeat is older than this has lost its worker
STALE_AFTER = timedelta(minutes=2)
#: a job whose worker died is put back in the queue this many times, then failed
MAX_REQUEUES = 1
WORKER_DIED = "the worker stopped while transcribing (it may have run out of memory)"
#: segments whose average log probability is below this are flagged for review
LOW_LOGPROB = -1.0
#: seconds of audio Whisper decodes at once: the next segment ends at most this much later
WINDOW_SECONDS = 30.0
#: while separating speakers, progress is written at most this often (seconds)
SPEAKER_REPORT_SECONDS = 1.0

LANGUAGES = {
    "": "Detect from the first 30 seconds",
    "en": "English", "pl": "Polish", "cs": "Czech", "sk": "Slovak", "hu": "Hungarian",
    "ro": "Romanian", "bg": "Bulgarian", "lt": "Lithuanian", "lv": "Latvian",
    "et": "Estonian", "sl": "Slovenian", "hr": "Croatian", "de": "German", "fr": "French",
    "it": "Italian", "es": "Spanish", "nl": "Dutch", "pt": "Portuguese", "zh": "Chinese",
}
MODELS = ("tiny.en", "base", "small")
#: the interview's language as written on the interview page -> a Whisper language code
LANGUAGE_CODES = {label.lower(): code for code, label in LANGUAGES.items() if code}


class JobError(ValueError):
    """A job action that cannot be done, said in words."""


def project_vocabulary(interview: Interview) -> str:
    """Names the speakers are likely to say, to spell them right: the place, the
    organisations and the participants' pseudonyms (never their names). It ends with a full
    stop: Whisper writes like its prompt, and without one it leaves out punctuation, so
    that segments no longer end where sentences do."""
    names = [interview.place.name if interview.place else "", interview.organisation]
    for participant in interview.participants:
        names += [participant.organisation, participant.pseudonym]
    unique = list(dict.fromkeys(name.strip() for name in names if name and name.strip()))
    return f"{', '.join(unique)}." if unique else ""


def default_options(interview: Interview) -> dict[str, Any]:
    language = LANGUAGE_CODES.get((interview.language or "").strip().lower(), "")
    return {
        "engine": DEFAULT_ENGINE,
        "model": "tiny.en" if language in ("en", "") else "base",
        "language": language or None,
        "vad": True,
        "initial_prompt": project_vocabulary(interview),
        "word_timestamps": True,
        "speakers": default_speakers(interview),
    }


def check_options(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("engine") not in ENGINES:
        raise JobError("Choose a transcription engine.")
    if not str(options.get("model") or "").strip():
        raise JobError("Choose a model.")
    if options.get("language") and options["language"] not in LANGUAGES:
        raise JobError("Choose a language from the list, or detect it.")
    if options.get("model") == "tiny.en" and options.get("language") not in (None, "", "en"):
        raise JobError("The tiny.en model only knows English; choose base or small.")
    if str(options.get("speakers") or ONE_SPEAKER) not in SPEAKER_CHOICES:
        raise JobError("Choose how many people speak in the recording.")
    return {**options, "language": options.get("language") or None}


def queue_job(
    recording: Recording, options: dict[str, Any], user: User | None
) -> TranscriptionJob:
    """Add a queued job (flushed); the caller commits and then enqueues the task."""
    running = [job for job in recording.jobs if not job.finished]
    if running:
        raise JobError("This recording is already being transcribed; cancel that job first.")
    job = TranscriptionJob(
        project_id=recording.project_id, recording=recording, options=check_options(options),
        requested_by_id=user.id if user else None,
    )
    db.session.add(job)
    db.session.flush()
    audit.record("transcription.queue", job, project=db.session.get(Project, job.project_id),
                 summary=f"Transcription of recording {recording.id} queued",
                 user_id=user.id if user else None, options=job.options)
    return job


def cancel_job(job: TranscriptionJob, user: User | None) -> None:
    """A queued job is cancelled at once; a running one stops at its next segment."""
    if job.finished:
        raise JobError(f"The job is already {job.state_label.lower()}.")
    if job.state == "queued":
        job.state, job.finished_at = "cancelled", utcnow()
    else:
        job.cancel_requested = True
    db.session.flush()
    audit.record("transcription.cancel", job, project=db.session.get(Project, job.project_id),
                 summary=f"Transcription job {job.id} cancelled",
                 user_id=user.id if user else None)


def retry_job(job: TranscriptionJob, user: User | None) -> TranscriptionJob:
    if job.state not in ("failed", "cancelled"):
        raise JobError("Only a failed or cancelled job can be tried again.")
    return queue_job(job.recording, dict(job.options), user)


def project_jobs(project: Project, limit: int = 100) -> list[TranscriptionJob]:
    """Unfinished jobs first (oldest first), then the latest finished ones."""
    return list(db.session.scalars(
        db.select(TranscriptionJob).where(TranscriptionJob.project_id == project.id)
        .order_by(TranscriptionJob.finished_at.is_not(None), TranscriptionJob.id.desc())
        .limit(limit)
    ))


def engine_options(options: dict[str, Any]) -> TranscriptionOptions:
    return TranscriptionOptions(
        model=options.get("model") or "tiny.en", language=options.get("language") or None,
        vad_filter=bool(options.get("vad", True)),
        initial_prompt=options.get("initial_prompt") or None,
        word_timestamps=bool(options.get("word_timestamps", True)),
    )


def segment_flags(segment: Segment) -> list[str]:
    if segment.gap:
        return ["gap"]
    flags = [flag for flag, on in (("repeated", segment.repeated),
                                   ("doubtful", segment.doubtful)) if on]
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
    return "done"


def recover_stale_jobs(now: datetime | None = None) -> list[int]:
    """Running jobs whose worker stopped: re-queued once, then failed. Returns the ids to
    put back in the queue (the caller commits first)."""
    now = now or utcnow()
    limit = now - STALE_AFTER
    stale = db.session.scalars(db.select(TranscriptionJob).where(
        TranscriptionJob.state == "running",
        db.func.coalesce(TranscriptionJob.heartbeat_at, TranscriptionJob.started_at) < limit,
    ))
    requeue = []
    for job in stale:
        project = db.session.get(Project, job.project_id)
        if job.requeued < MAX_REQUEUES and not job.cancel_requested:
            job.state, job.requeued, job.progress, job.eta_s = "queued", job.requeued + 1, 0.0, None
            requeue.append(job.id)
            audit.record("transcription.requeue", job, project=project,
                         summary=f"Transcription job {job.id} queued again: its worker stopped")
        else:
            job.state, job.finished_at = "failed", now
            job.error = WORKER_DIED if not job.cancel_requested else ""
            if job.cancel_requested:
                job.state = "cancelled"
            audit.record(f"transcription.{job.state}", job, project=project,
                         summary=f"Transcription job {job.id}: {job.error or 'cancelled'}")
    db.session.flush()
    return requeue
