"""Transcription jobs: cancelling, retrying, and jobs whose worker died."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.storage import file_store
from interviews.asr.base import TranscriptionCancelled
from interviews.asr.engines import get_engine
from interviews.models import Interview
from interviews.recordings import running, transcription
from interviews.recordings.models import Recording, TranscriptionJob
from interviews.recordings.tasks import transcribe_recording
from interviews.transcripts.models import Transcript


@pytest.fixture
def recording(upload_as: Callable[..., tuple[int, dict]], interview: Interview,
              speech: Path, files_dir: Path) -> Recording:
    return db.session.get(Recording, upload_as(interview, speech.read_bytes())[1]["recording_id"])


def test_a_running_job_stops_at_its_next_segment_when_cancelled(
    app: Flask, recording: Recording, people: dict[str, User],
) -> None:
    job = transcription.queue_job(recording, dict(recording.latest_job.options), people["lead"])
    transcript = running.start(job)
    transcription.cancel_job(job, people["lead"])
    assert job.state == "running" and job.cancel_requested
    saver = running.SegmentSaver(job, transcript)
    engine = get_engine(models_dir=Path(app.config["ASR_MODELS_DIR"]))
    with pytest.raises(TranscriptionCancelled):
        engine.transcribe(file_store().blob_path(recording.stored_file.sha256),
                          running.engine_options(job.options), saver)
    assert len(db.session.get(Transcript, transcript.id).segments) == 1
    assert job.progress > 0


def test_cancel_a_queued_job_and_try_it_again(
    client_for: Callable[[User | None], FlaskClient], project: Project,
    people: dict[str, User], recording: Recording,
) -> None:
    job = transcription.queue_job(recording, dict(recording.latest_job.options), people["lead"])
    db.session.commit()
    client = client_for(people["interviewer"])
    assert client.post(f"/projects/{project.id}/transcription/{job.id}/cancel").status_code == 302
    db.session.refresh(job)
    assert job.state == "cancelled"
    assert running.run_job(job.id, None) == "cancelled"
    assert client_for(people["coder"]).post(
        f"/projects/{project.id}/transcription/{job.id}/retry").status_code == 403
    assert client.post(f"/projects/{project.id}/transcription/{job.id}/retry").status_code == 302
    again = db.session.scalar(db.select(TranscriptionJob).where(
        TranscriptionJob.recording_id == recording.id).order_by(TranscriptionJob.id.desc()))
    assert again.id != job.id and again.state == "done"


def test_a_job_whose_worker_died_is_queued_again_once_then_failed(
    recording: Recording, people: dict[str, User],
) -> None:
    job = transcription.queue_job(recording, dict(recording.latest_job.options), None)
    job.state, job.started_at = "running", utcnow() - timedelta(minutes=10)
    job.heartbeat_at = utcnow() - timedelta(minutes=3)
    db.session.flush()

    assert transcription.recover_stale_jobs() == [job.id]
    assert job.state == "queued" and job.requeued == 1

    job.state, job.heartbeat_at = "running", utcnow() - timedelta(minutes=3)
    assert transcription.recover_stale_jobs() == []
    assert job.state == "failed" and job.error == transcription.WORKER_DIED


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(recording: Recording) -> None:
    job = transcription.queue_job(recording, dict(recording.latest_job.options), None)
    job.state, job.started_at, job.heartbeat_at = "running", utcnow(), utcnow()
    db.session.flush()
    assert transcription.recover_stale_jobs() == []
    assert job.state == "running"


def test_options_are_checked(recording: Recording) -> None:
    options = {**recording.latest_job.options, "model": "tiny.en", "language": "pl"}
    with pytest.raises(transcription.JobError,
                       match="knows only English, so it cannot transcribe Polish"):
        transcription.queue_job(recording, options, None)


def test_a_model_that_cannot_be_had_fails_the_job_with_its_reason(
    client_for: Callable[[User | None], FlaskClient], project: Project,
    people: dict[str, User], recording: Recording,
) -> None:
    form = client_for(people["lead"]).get(
        f"/projects/{project.id}/recordings/{recording.id}/transcribe").text
    assert '<option value="small">' not in form
    # a job queued before small was withdrawn, or from the command line
    options = {**recording.latest_job.options, "model": "small", "language": "pl"}
    job = transcription.queue_job(recording, options, people["lead"])
    db.session.commit()
    transcribe_recording(job.id)
    db.session.refresh(job)
    assert job.state == "failed"
    assert "small model cannot be installed" in job.error and "180 MiB" in job.error


def test_a_language_detected_without_confidence_is_to_be_checked(
    client_for: Callable[[User | None], FlaskClient], project: Project, interview: Interview,
    people: dict[str, User], recording: Recording,
) -> None:
    job = recording.latest_job
    panel = f"/projects/{project.id}/interviews/{interview.id}/recordings"
    assert job.options["language"] == "en" and job.detected_language == "en"
    assert "English" in client_for(people["interviewer"]).get(panel).text
    # no language chosen, and the base model found a Croatian reading Bosnian, 42 % sure
    job.options = {**job.options, "language": None}
    job.detected_language, job.language_probability = "bs", 0.42
    db.session.commit()
    text = client_for(people["interviewer"]).get(panel).text
    assert "Language detected as Bosnian, but only 42 % sure: check it" in text


def test_a_transcribed_recording_keeps_each_segments_estimate(recording: Recording) -> None:
    transcript = db.session.scalar(db.select(Transcript).where(
        Transcript.recording_id == recording.id))
    assert transcript.segments
    assert all(0 < s.estimated_word_error < 1 for s in transcript.segments)
    assert not any(s.checked for s in transcript.segments)
    assert transcript.checked_share == 0 and transcript.estimated_word_error is not None
    assert transcript.reliability_basis[0].startswith("Whisper's own probability for each of")
    assert any("published word error rate" in line for line in transcript.reliability_basis)
