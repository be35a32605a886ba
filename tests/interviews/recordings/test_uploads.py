"""Uploading recordings: chunks and resuming, probing, duplicates, consent, playback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User
from fieldwork.storage import file_store
from interviews.models import Interview
from interviews.participants import withdraw_consent
from interviews.recordings.models import Recording, TranscriptionJob
from interviews.recordings.uploads import uploads_dir
from interviews.transcripts.models import Transcript
from tests.audio import convert
from tests.interviews.recordings.conftest import SPOKEN


def recordings_of(interview: Interview) -> list[Recording]:
    return list(db.session.scalars(
        db.select(Recording).where(Recording.interview_id == interview.id)
        .order_by(Recording.part)
    ))


def test_a_dropped_upload_resumes_and_is_transcribed(
    client_for: Callable[[User | None], FlaskClient], project: Project,
    people: dict[str, User], interview: Interview, speech: Path, files_dir: Path,
) -> None:
    data = speech.read_bytes()
    client = client_for(people["interviewer"])
    start = client.post(f"/projects/{project.id}/interviews/{interview.id}/uploads",
                        json={"filename": "call.wav", "size": len(data), "type": "audio/wav"})
    assert start.status_code == 201
    state = start.get_json()
    half = len(data) // 2
    assert client.post(f"{state['url']}?offset=0", data=data[:half]).get_json()["offset"] == half
    # The connection drops; the browser sends the second half again from a wrong place...
    stale = client.post(f"{state['url']}?offset=0", data=data[:half])
    assert stale.status_code == 409 and stale.get_json()["offset"] == half
    # ...asks where the upload stands, and continues from there.
    assert client.get(state["url"]).get_json()["offset"] == half
    assert client.post(f"{state['url']}?offset={half}", data=data[half:]).status_code == 200
    finish = client.post(state["finish_url"])

    assert finish.status_code == 201, finish.get_json()
    answer = finish.get_json()
    recording = db.session.get(Recording, answer["recording_id"])
    assert recording.part == 1 and recording.codec == "pcm_s16le" and recording.channels == 1
    assert recording.duration_s == pytest.approx(4, abs=2)
    assert answer["sha256"] == recording.stored_file.sha256
    assert file_store().checksum_of(answer["sha256"]) == answer["sha256"]
    assert recording.playback_file is not None, recording.playback_error
    assert recording.playback_file.content_type == (
        "audio/mp4")
    assert recording.peaks and max(recording.peaks) > 0.1
    assert not (uploads_dir() / state["upload_id"]).exists()

    job = recording.latest_job
    assert job.state == "done", job.error
    assert job.progress == 1.0 and job.heartbeat_at is not None
    transcript = db.session.scalar(db.select(Transcript).where(
        Transcript.recording_id == recording.id))
    words = " ".join(s.text for s in transcript.segments).lower()
    for word in ("city council", "partnership", "agreement", "brussels"):
        assert word in words, (word, words, SPOKEN)
    assert transcript.language == "en" and transcript.versions[0].number == 1
    assert all(s.words for s in transcript.segments)

    page = client.get(f"/projects/{project.id}/interviews/{interview.id}/recordings")
    assert "call.wav" in page.text and "Open" in page.text


def test_several_parts_and_the_same_file_twice(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, speech: Path,
    tmp_path: Path, files_dir: Path,
) -> None:
    second = convert(speech, tmp_path / "second.mp3")
    assert upload_as(interview, speech.read_bytes())[0] == 201
    status, answer = upload_as(interview, second.read_bytes(), filename="second.mp3")
    assert status == 201 and "Part 2" in answer["message"]
    status, answer = upload_as(interview, speech.read_bytes(), filename="copy.wav")
    assert status == 200 and answer["duplicate"]
    assert "already part 1" in answer["message"]
    assert [r.part for r in recordings_of(interview)] == [1, 2]
    assert [r.codec for r in recordings_of(interview)] == ["pcm_s16le", "mp3float"]


def truncated_m4a(speech: Path, folder: Path) -> bytes:
    data = convert(speech, folder / "whole.m4a").read_bytes()
    return data[: len(data) // 2]


@pytest.mark.parametrize(("kind", "message"), [
    ("text", "not an audio or video file"),
    ("truncated", "not an audio or video file that can be read (or it is damaged)"),
    ("silent_header", "holds no audio"),
])
def test_bad_files_get_a_message_and_nothing_is_kept(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, speech: Path,
    tmp_path: Path, files_dir: Path, kind: str, message: str,
) -> None:
    data = {
        "text": b"Minutes of the meeting with the mayor.\n" * 40,
        "truncated": truncated_m4a(speech, tmp_path) if kind == "truncated" else b"",
        "silent_header": speech.read_bytes()[:60],
    }[kind]
    files_before = db.session.scalar(db.select(db.func.count()).select_from(StoredFile))
    uploads_before = set(uploads_dir().iterdir()) if uploads_dir().exists() else set()
    status, answer = upload_as(interview, data, filename="interview.mp3")
    assert status == 400
    assert "interview.mp3 was not kept" in answer["error"] and message in answer["error"]
    assert recordings_of(interview) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == files_before
    assert set(uploads_dir().iterdir()) == uploads_before, "the refused upload's part is gone"


def test_an_empty_file_is_refused(upload_as: Callable[..., tuple[int, dict]],
                                  interview: Interview, files_dir: Path) -> None:
    status, answer = upload_as(interview, b"")
    assert status == 400 and answer["error"] == "The file is empty."


def test_no_upload_when_consent_says_no(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, files_dir: Path,
) -> None:
    withdraw_consent(interview.participants[0], date(2026, 3, 20), "changed their mind")
    status, answer = upload_as(interview, b"RIFF....WAVE")
    assert status == 400
    assert "may not be recorded" in answer["error"] and "withdrew consent" in answer["error"]
    assert recordings_of(interview) == []


def test_coders_and_viewers_cannot_upload(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, files_dir: Path,
) -> None:
    for role in ("coder", "viewer"):
        assert upload_as(interview, b"RIFF....WAVE", role=role)[0] == 403


def test_audio_is_streamed_in_ranges(
    upload_as: Callable[..., tuple[int, dict]], client_for: Callable[[User | None], FlaskClient],
    project: Project, people: dict[str, User], interview: Interview, speech: Path,
    files_dir: Path,
) -> None:
    recording_id = upload_as(interview, speech.read_bytes())[1]["recording_id"]
    recording = db.session.get(Recording, recording_id)
    assert recording.playback_file is not None, recording.playback_error
    url = f"/projects/{project.id}/recordings/{recording_id}/audio"
    with client_for(people["coder"]).get(url, headers={"Range": "bytes=100-199"}) as part:
        assert part.status_code == 206
        assert part.headers["Content-Type"] == "audio/mp4"
        assert len(part.data) == 100
        assert part.headers["Content-Range"].startswith("bytes 100-199/")
    with client_for(people["outsider"]).get(url) as outsider:
        assert outsider.status_code == 404


def test_jobs_are_listed_on_the_queue_page(
    upload_as: Callable[..., tuple[int, dict]], client_for: Callable[[User | None], FlaskClient],
    project: Project, people: dict[str, User], interview: Interview, speech: Path,
    files_dir: Path,
) -> None:
    upload_as(interview, speech.read_bytes())
    job = db.session.scalar(db.select(TranscriptionJob).where(
        TranscriptionJob.project_id == project.id))
    page = client_for(people["viewer"]).get(f"/projects/{project.id}/transcription/")
    assert page.status_code == 200
    assert f"Interview {interview.id}" in page.text and "Done" in page.text
    assert job.options["initial_prompt"].startswith("Brussels, European Commission")
    rows = client_for(people["viewer"]).get(f"/projects/{project.id}/transcription/rows")
    assert "every 2s" not in rows.text
