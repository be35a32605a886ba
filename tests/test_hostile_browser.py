"""Hostile text in the pages whose scripts draw it: the coding page (codes, codings, a
coding's card and memo, coder against coder) and the transcript editor show a script and an
HTML tag as text. The `page` fixture fails the test on any script error or refusal by the
Content-Security-Policy, which an injected handler would cause."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coding.codebook import CodeFields, create_code
from coding.codings import apply_codes
from coding.sources import source_of_transcript
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.transcripts import editing
from interviews.transcripts.models import Transcript
from tests.access_samples import recordings_sample
from tests.conftest import LiveServer
from tests.test_hostile_input import PAYLOAD

pytestmark = [pytest.mark.committed, pytest.mark.slow]

#: an element the payload would make, were it taken as markup
INJECTED = "img[src='x'], script:not([src])"


def hostile_transcript(project: Project, people: dict[str, User]) -> Transcript:
    """A transcript whose words and speakers are the payload, ready for coding."""
    transcript = db.session.get(Transcript, recordings_sample(project, people)["transcript_id"])
    for segment in transcript.segments:
        segment.text, segment.speaker = f"Before {PAYLOAD} after.", PAYLOAD
    editing.set_status(transcript, "ready", people["lead"])
    editing.save_version(transcript, people["lead"], "Ready for coding")
    db.session.commit()
    return transcript


def assert_shown_as_text(page: Page, selector: str) -> None:
    expect(page.locator(selector).first).to_contain_text(PAYLOAD)
    expect(page.locator(INJECTED)).to_have_count(0)


def test_the_coding_page_shows_hostile_codes_memos_and_coders_as_text(
    page: Page, live_server: LiveServer, project: Project, people: dict[str, User],
    files_dir: Path,
) -> None:
    source = source_of_transcript(hostile_transcript(project, people))
    people["coder"].name = PAYLOAD
    code = create_code(project, CodeFields(name=PAYLOAD, shortcut="h"), None, people["lead"])
    start = source.text.index(PAYLOAD)
    for coder in (people["coder"], people["lead"]):
        apply_codes(source, [code.id], start, start + len(PAYLOAD), source.text_version, coder,
                    memo=PAYLOAD)
    db.session.commit()

    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{project.id}/coding/sources/{source.id}")
    expect(page.locator("#coding")).to_have_attribute("data-ready", "1")
    assert_shown_as_text(page, "#source-text")
    assert_shown_as_text(page, "#code-list")
    page.locator(".piece.coded").first.click()
    assert_shown_as_text(page, ".coding-card")
    page.select_option("#mode", "compare")
    expect(page.locator("#coder-a option", has_text=PAYLOAD)).to_have_count(1)
    expect(page.locator(INJECTED)).to_have_count(0)


def test_the_transcript_editor_shows_hostile_words_and_speakers_as_text(
    page: Page, live_server: LiveServer, project: Project, people: dict[str, User],
    files_dir: Path,
) -> None:
    transcript = hostile_transcript(project, people)
    live_server.log_in(page, people["interviewer"])
    page.goto(f"/projects/{project.id}/transcripts/{transcript.id}")
    expect(page.locator("textarea, [contenteditable]").first).to_be_visible()
    expect(page.locator(INJECTED)).to_have_count(0)
    texts = page.eval_on_selector_all("textarea", "fields => fields.map(field => field.value)")
    speakers = page.eval_on_selector_all("input.speaker",
                                         "fields => fields.map(field => field.value)")
    assert texts == [f"Before {PAYLOAD} after."] * 2 and speakers == [PAYLOAD] * 2
    expect(page.locator("#old_label option", has_text=PAYLOAD)).to_have_count(1)
