"""A recording uploaded to an interview not yet marked as held offers to mark it done."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview
from tests.conftest import LiveServer
from tests.interviews.recordings.test_upload_browser import (
    UPLOAD_TIMEOUT_MS,
    open_interview,
    upload,
)

pytestmark = [pytest.mark.committed, pytest.mark.slow]


def test_uploading_to_an_interview_not_yet_held_offers_to_mark_it_done(
    page: Page, live_server: LiveServer, people: dict[str, User], project: Project,
    interview: Interview, speech: Path, files_dir: Path,
) -> None:
    assert interview.status == "proposed"
    open_interview(page, live_server, people["interviewer"], project, interview)
    offer = page.locator("#recordings-list .mark-done")
    expect(page.locator("#recordings-list")).to_contain_text("No recording yet")
    expect(offer).to_have_count(0)
    upload(page, speech)
    expect(page.locator(".upload-progress li")).to_have_class("upload-ok",
                                                             timeout=UPLOAD_TIMEOUT_MS)
    expect(offer).to_contain_text("This interview has a recording but is still marked proposed")
    offer.get_by_role("button", name="Mark it done").click()
    expect(page.locator(".flash-success")).to_have_text("The interview is now done.")
    expect(page.locator("dd .badge")).to_have_text("Done")
    expect(offer).to_have_count(0)
    db.session.rollback()
    held = db.session.get(Interview, interview.id)
    assert held.status == "done"
    assert [(h.from_status, h.to_status) for h in held.history if h.kind == "status"] == [
        ("confirmed", "done"), ("proposed", "confirmed")]
    assert "Proposed → Confirmed" in page.locator(".history").inner_text()


def test_a_reader_who_cannot_edit_interviews_is_not_offered_it(
    page: Page, live_server: LiveServer, people: dict[str, User], project: Project,
    interview: Interview, speech: Path, files_dir: Path,
) -> None:
    open_interview(page, live_server, people["interviewer"], project, interview)
    upload(page, speech)
    expect(page.locator(".upload-progress li")).to_have_class("upload-ok",
                                                             timeout=UPLOAD_TIMEOUT_MS)
    page.context.clear_cookies()
    live_server.log_in(page, people["coder"])
    page.goto(f"/projects/{project.id}/interviews/{interview.id}")
    expect(page.locator("#recordings-list table")).to_be_visible()
    expect(page.locator(".mark-done")).to_have_count(0)
