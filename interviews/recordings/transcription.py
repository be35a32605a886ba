"""Transcription jobs: what to transcribe with which options, queueing, cancelling,
retrying, and recovering jobs whose worker died. Running one is recordings.running, which
only the worker imports: the web process never loads the speech stack.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.asr.base import DEFAULT_ENGINE, ENGINES
from interviews.asr.languages import language_choices
from interviews.asr.offered import english_only
from interviews.models import Interview
from interviews.recordings.models import ONE_SPEAKER, TRANSLATE, Recording, TranscriptionJob
from interviews.recordings.speakers import SPEAKER_CHOICES, default_speakers
from interviews.settings import settings_for

#: a running job whose heartbeat is older than this has lost its worker
STALE_AFTER = timedelta(minutes=2)
#: a job whose worker died is put back in the queue this many times, then failed
MAX_REQUEUES = 1
WORKER_DIED = "the worker stopped while transcribing (it may have run out of memory)"

LANGUAGES = {"": "Detect it from the recording", **dict(language_choices())}
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
    """The project's model and language, the interview's own language first; an
    English-only model gives way to base for any other language."""
    settings = settings_for(db.session.get(Project, interview.project_id))
    language = LANGUAGE_CODES.get((interview.language or "").strip().lower(),
                                  settings.transcription_language)
    model = settings.transcription_model
    if english_only(model) and language != "en":
        model = "base"
    return {
        "engine": DEFAULT_ENGINE,
        "model": model,
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
    model, language = str(options["model"]), options.get("language") or ""
    if options.get("task") == TRANSLATE and english_only(model):
        raise JobError(f"The {model} model knows only English, so it cannot translate into "
                       "English: choose base, which knows every language of the study.")
    if english_only(model) and language != "en":
        wanted = f"transcribe {LANGUAGES[language]}" if language else "detect the language"
        raise JobError(f"The {model} model knows only English, so it cannot {wanted}: "
                       "choose base, which knows every language of the study.")
    if str(options.get("speakers") or ONE_SPEAKER) not in SPEAKER_CHOICES:
        raise JobError("Choose how many people speak in the recording.")
    return {**options, "language": options.get("language") or None}


def queue_job(
    recording: Recording, options: dict[str, Any], user: User | None
) -> TranscriptionJob:
    """Add a queued job (flushed); the caller commits and then enqueues the task."""
    running = [job for job in recording.jobs if not job.finished]
    if running:
        raise JobError("This recording is already being transcribed or translated; cancel "
                       "that job first.")
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
