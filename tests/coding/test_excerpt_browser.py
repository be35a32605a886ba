"""Excerpts heard where they are used: in retrieval and the quote bank each excerpt plays its
own stretch of the recording, in the page, and is marked checked by ear without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coding.models import Code
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.transcripts.models import TranscriptSegment
from tests.audio import silence
from tests.coding.reliability_sample import Sample, doubtful_sample
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]


@pytest.fixture
def sample(project: Project, people: dict[str, User], files_dir: Path,
           tmp_path: Path) -> Sample:
    made = doubtful_sample(project, people, silence(tmp_path / "call.wav", 21.0))
    db.session.commit()
    return made


def played_within(page: Page, coding_id: int) -> tuple[float, float, float]:
    """Play the excerpt; return where the audio is once it plays, and the stretch's bounds."""
    button = page.locator(f'.excerpt-listen[data-coding="{coding_id}"] .play-excerpt')
    start, end = (float(button.get_attribute(f"data-{edge}") or "nan") for edge in ("from", "to"))
    url = page.url
    button.click()
    page.wait_for_function(
        "from => { const a = document.getElementById('excerpt-audio');"
        " return !a.paused && a.currentTime > from; }", arg=start)
    position = page.eval_on_selector("#excerpt-audio", "audio => audio.currentTime")
    assert page.url == url  # no page load
    return start, position, end


def test_excerpts_play_their_own_stretch_and_are_checked_by_ear(
    page: Page, live_server: LiveServer, project: Project, people: dict[str, User],
    sample: Sample,
) -> None:
    code = db.session.scalar(db.select(Code).where(Code.name == "Beginnings"))
    live_server.log_in(page, people["coder"])
    page.goto(f"/projects/{project.id}/coding/retrieve?codes={code.id}")
    start, position, end = played_within(page, sample.doubtful_id)
    assert 1.3 < start < position < end < 7.4

    page.goto(f"/projects/{project.id}/coding/quotes/")
    start, position, end = played_within(page, sample.sound_id)
    assert 10 < start < position < end < 21
    doubtful = page.locator(f'.excerpt-listen[data-coding="{sample.doubtful_id}"]')
    expect(doubtful).to_contain_text("about 62 % of words may be wrong")
    doubtful.get_by_role("button", name="Mark checked by ear").click()
    expect(doubtful.locator(".check-state")).to_have_text("Checked by ear")
    db.session.rollback()  # end this test's read: the page's request wrote since
    first = db.session.scalar(db.select(TranscriptSegment).where(
        TranscriptSegment.transcript_id == sample.transcript_id, TranscriptSegment.position == 0))
    assert first.checked_by_id == people["coder"].id
    page.reload()
    expect(page.get_by_text("Needs review")).to_have_count(0)
