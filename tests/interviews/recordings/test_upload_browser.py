"""The recording upload in a real browser: the file goes in chunks with a progress bar, is
checked with sha256 and appears in the interview's recordings; an upload whose answer is
lost on the way back asks the server where it stands and goes on from there."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview
from interviews.recordings.models import Recording
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]

CHUNK_REQUEST = re.compile(r"/uploads/[0-9a-f]{32}\?offset=\d+$")
#: transcription runs inside the finishing request in the tests (immediate jobs)
UPLOAD_TIMEOUT_MS = 60_000


def open_interview(page: Page, live_server: LiveServer, user: User, project: Project,
                   interview: Interview) -> None:
    db.session.commit()
    live_server.log_in(page, user)
    page.goto(f"/projects/{project.id}/interviews/{interview.id}")


def upload(page: Page, path: Path) -> None:
    page.set_input_files("#recording-files", str(path))
    page.click(".upload-form button[type=submit]")


def recordings_of(interview_id: int) -> list[Recording]:
    db.session.rollback()
    return list(db.session.scalars(
        db.select(Recording).where(Recording.interview_id == interview_id)
    ))


def test_a_recording_uploads_with_a_progress_bar_and_appears_with_its_transcript(
    page: Page, live_server: LiveServer, people: dict[str, User], project: Project,
    interview: Interview, speech: Path, files_dir: Path,
) -> None:
    open_interview(page, live_server, people["interviewer"], project, interview)
    expect(page.locator("#recordings-list")).to_contain_text("No recording yet")
    upload(page, speech)

    row = page.locator(".upload-progress li")
    expect(row).to_have_class("upload-ok", timeout=UPLOAD_TIMEOUT_MS)
    expect(row).to_contain_text("Part 1 uploaded: 0:03 long, 1 channel")
    expect(row).to_contain_text("checksum verified")
    size = speech.stat().st_size
    assert row.locator("progress").evaluate("bar => [bar.value, bar.max]") == [size, size]
    listed = page.locator("#recordings-list")
    expect(listed).to_contain_text("speech.wav")
    expect(listed.get_by_role("link", name="Open")).to_be_visible()
    expect(page.locator(".upload-form button[type=submit]")).to_be_enabled()

    [recording] = recordings_of(interview.id)
    assert recording.stored_file.sha256 == hashlib.sha256(speech.read_bytes()).hexdigest()
    assert recording.latest_job.state == "done"


def test_an_upload_whose_answer_is_lost_goes_on_where_the_server_stands(
    page: Page, live_server: LiveServer, people: dict[str, User], project: Project,
    interview: Interview, speech: Path, files_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A server that takes small requests makes the browser send small chunks (64 KiB).
    monkeypatch.setitem(live_server.app.config, "MAX_CONTENT_LENGTH", 128 * 1024)
    sent: list[int] = []

    def lose_the_second_answer(route: Route) -> None:
        offset = int(parse_qs(urlparse(route.request.url).query)["offset"][0])
        sent.append(offset)
        if len(sent) == 2:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    open_interview(page, live_server, people["interviewer"], project, interview)
    page.route(CHUNK_REQUEST, lose_the_second_answer)
    upload(page, speech)

    row = page.locator(".upload-progress li")
    expect(row).to_contain_text("trying again")
    expect(row).to_have_class("upload-ok", timeout=UPLOAD_TIMEOUT_MS)
    expect(row).to_contain_text("checksum verified")
    chunk = 64 * 1024
    assert sent == list(range(0, speech.stat().st_size, chunk))
    [recording] = recordings_of(interview.id)
    assert recording.stored_file.sha256 == hashlib.sha256(speech.read_bytes()).hexdigest()
    assert recording.stored_file.size == speech.stat().st_size


def test_choosing_the_file_again_after_a_reload_resumes_the_upload(
    page: Page, live_server: LiveServer, people: dict[str, User], project: Project,
    interview: Interview, speech: Path, files_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(live_server.app.config, "MAX_CONTENT_LENGTH", 128 * 1024)
    offline = [True]
    sent: list[int] = []

    def cut_after_the_first_chunk(route: Route) -> None:
        offset = int(parse_qs(urlparse(route.request.url).query)["offset"][0])
        sent.append(offset)
        if offline[0] and offset > 0:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    open_interview(page, live_server, people["interviewer"], project, interview)
    page.route(CHUNK_REQUEST, cut_after_the_first_chunk)
    upload(page, speech)
    expect(page.locator(".upload-progress li")).to_contain_text("trying again")
    page.reload()
    offline[0] = False
    sent.clear()
    upload(page, speech)

    row = page.locator(".upload-progress li")
    expect(row).to_have_class("upload-ok", timeout=UPLOAD_TIMEOUT_MS)
    expect(row).to_contain_text("checksum verified")
    assert sent == list(range(64 * 1024, speech.stat().st_size, 64 * 1024))
    [recording] = recordings_of(interview.id)
    assert recording.stored_file.sha256 == hashlib.sha256(speech.read_bytes()).hexdigest()


def test_a_file_that_is_not_audio_is_refused_in_words(
    page: Page, live_server: LiveServer, people: dict[str, User], project: Project,
    interview: Interview, tmp_path: Path, files_dir: Path,
) -> None:
    notes = tmp_path / "notes.mp3"
    notes.write_text("Notes from the meeting with the mayor, not a recording.")
    open_interview(page, live_server, people["interviewer"], project, interview)
    upload(page, notes)

    row = page.locator(".upload-progress li")
    expect(row).to_have_class("upload-failed")
    expect(row).to_contain_text("notes.mp3 was not kept.")
    expect(page.locator("#recordings-list")).to_contain_text("No recording yet")
    assert recordings_of(interview.id) == []


def test_an_upload_after_the_session_ended_says_what_to_do(
    page: Page, live_server: LiveServer, people: dict[str, User], project: Project,
    interview: Interview, speech: Path, files_dir: Path,
) -> None:
    open_interview(page, live_server, people["interviewer"], project, interview)
    page.context.clear_cookies()
    upload(page, speech)

    row = page.locator(".upload-progress li")
    expect(row).to_have_class("upload-failed")
    expect(row).to_contain_text("The form had expired or was sent from another page.")
    assert recordings_of(interview.id) == []
