"""Background jobs of recordings: playback copies, transcriptions, and the check that puts
back (or fails) transcriptions whose worker died. The check runs when a worker starts and
every minute after.

The web process imports this module to queue jobs; the modules that do the work load PyAV,
faster-whisper and CTranslate2 (25 MB more in memory, 290 MB of libraries mapped), so a
job imports them when it runs (docs/architecture.md, "A light web process").
"""

from __future__ import annotations

from huey import crontab

from fieldwork.extensions import db
from fieldwork.jobs import huey, job
from interviews.asr.offered import configured_models_dir
from interviews.recordings.models import TranscriptionJob
from interviews.recordings.transcription import recover_stale_jobs
from interviews.recordings.uploads import purge_abandoned_uploads


@job()
def transcribe_recording(job_id: int) -> str:
    """Run one transcription job, or the translation job of an English version, to its end
    (done, failed or cancelled)."""
    # the speech stack: in the worker only
    from interviews.recordings import running, translating

    job = db.session.get(TranscriptionJob, job_id)
    translates = job is not None and job.translates
    db.session.commit()
    work = translating.run_job if translates else running.run_job
    return work(job_id, configured_models_dir())


@job()
def make_playback(recording_id: int) -> bool:
    """Make the AAC copy browsers play; the original stays as it was uploaded."""
    from interviews.recordings.playback import make_playback_for  # PyAV: in the worker only

    return make_playback_for(recording_id)


@job()
def check_transcriptions() -> list[int]:
    """Re-queue (once) or fail running jobs whose worker stopped; drop abandoned uploads."""
    requeue = recover_stale_jobs()
    db.session.commit()
    purge_abandoned_uploads()
    for job_id in requeue:
        transcribe_recording(job_id)
    return requeue


@huey.periodic_task(crontab(minute="*"), name="interviews.recordings.tasks.every_minute")
def every_minute() -> None:
    check_transcriptions()


@huey.on_startup(name="interviews.recordings.tasks.on_worker_start")
def on_worker_start() -> None:
    check_transcriptions()
