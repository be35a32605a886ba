"""Progress between segments: the estimate, and the heartbeat that keeps a slow job alive."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import User
from interviews.models import Interview
from interviews.recordings import running, transcription
from interviews.recordings.models import Recording, TranscriptionJob
from interviews.recordings.progress import Heartbeat, JobProgress


@pytest.fixture
def job(upload_as: Callable[..., tuple[int, dict]], interview: Interview, speech: Path,
        files_dir: Path, people: dict[str, User]) -> TranscriptionJob:
    db.session.commit()
    answer = upload_as(interview, speech.read_bytes())
    db.session.commit()  # end this session's read, begun before the upload's own commit
    recording = db.session.get(Recording, answer[1]["recording_id"])
    job = transcription.queue_job(recording, dict(recording.latest_job.options), people["lead"])
    running.start(job)
    db.session.commit()
    return job


def test_the_estimate_moves_at_the_pace_so_far_and_stops_at_the_window_end(
        job: TranscriptionJob) -> None:
    progress = JobProgress(job)
    assert progress.estimate() == 0.0
    time.sleep(0.2)
    progress.report(0.10, ceiling=0.14)
    soon = progress.estimate(now=progress.last_at + 0.05)
    assert 0.10 < soon < 0.14
    assert progress.estimate(now=progress.last_at + 60) == 0.14
    progress.report(0.12)
    assert progress.estimate(now=progress.last_at + 60) == 0.12


@pytest.mark.committed  # the heartbeat writes from its own thread and database session
def test_a_job_that_reports_nothing_still_beats_and_moves_on(
        app: Flask, job: TranscriptionJob) -> None:
    progress = JobProgress(job)
    time.sleep(0.2)
    with writing():  # as in a worker: on SQLite each transaction takes the write lock
        progress.report(0.10, ceiling=0.20)
        reported = utcnow()
        assert not db.session().in_transaction()  # nothing held while Whisper works
        with Heartbeat(app, progress, every=0.2):
            time.sleep(1.0)
    beaten = db.session.get(TranscriptionJob, job.id)
    assert beaten.heartbeat_at > reported
    assert 0.10 < beaten.progress <= 0.20
    assert beaten.eta_s is not None
    assert transcription.recover_stale_jobs() == []
