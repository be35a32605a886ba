"""Background jobs of recordings: playback copies, transcriptions, and the check that puts
back (or fails) transcriptions whose worker died. The check runs when a worker starts and
every minute after."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import current_app
from huey import crontab

from fieldwork.extensions import db
from fieldwork.jobs import huey, job
from fieldwork.models import StoredFile
from fieldwork.storage import file_store
from interviews.recordings.media import PLAYBACK_CONTENT_TYPE, MediaError, make_playback_copy
from interviews.recordings.models import Recording
from interviews.recordings.transcription import recover_stale_jobs, run_job
from interviews.recordings.uploads import purge_abandoned_uploads, sha256_of


@job()
def transcribe_recording(job_id: int) -> str:
    """Run one transcription job to its end (done, failed or cancelled)."""
    return run_job(job_id, Path(current_app.config["ASR_MODELS_DIR"]))


@job()
def make_playback(recording_id: int) -> bool:
    """Make the AAC copy browsers play; the original stays as it was uploaded."""
    recording = db.session.get(Recording, recording_id)
    if recording is None or recording.playback_file_id is not None:
        return False
    store = file_store()
    handle, temp_name = tempfile.mkstemp(dir=store.temp_dir(), suffix=".m4a")
    os.close(handle)
    temp = Path(temp_name)
    try:
        peaks = make_playback_copy(store.blob_path(recording.stored_file.sha256), temp)
    except (MediaError, OSError, ValueError) as error:
        temp.unlink(missing_ok=True)
        recording.playback_error = f"The playback copy could not be made: {error}"
        db.session.commit()
        return False
    sha256 = sha256_of(temp)
    size = temp.stat().st_size
    store.adopt(temp, sha256)
    stem = Path(recording.stored_file.filename).stem
    recording.playback_file = StoredFile(
        filename=f"{stem}-playback.m4a", content_type=PLAYBACK_CONTENT_TYPE, size=size,
        sha256=sha256, uploaded_by_id=recording.uploaded_by_id,
    )
    recording.peaks = peaks
    recording.playback_error = ""
    db.session.commit()
    return True


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
