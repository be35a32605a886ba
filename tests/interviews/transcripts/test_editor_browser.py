"""The transcript editor in a real browser, over a real recording of the transcript's two
turns: the waveform, playing from a segment, the keyboard, and corrections saved as versions
(a word, a speaker's name, find and replace, a split at the cursor, the status)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from fieldwork.extensions import db
from fieldwork.models import User
from fieldwork.storage import store_upload
from interviews.recordings.tasks import make_playback
from interviews.transcripts.editing import save_version
from interviews.transcripts.models import Transcript, TranscriptSegment
from tests.audio import join, pad, speak, trim
from tests.conftest import LiveServer
from tests.interviews.transcripts.conftest import TURNS

pytestmark = [pytest.mark.committed, pytest.mark.slow]

VOICES = ("en-us", "en-us+f3")
PLAYING = re.compile(r"\bplaying\b")


@pytest.fixture(scope="module")
def conversation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The transcript's turns spoken by two voices, each where its segment says it is."""
    folder = tmp_path_factory.mktemp("conversation")
    placed: list[Path] = []
    heard_until = 0.0
    for number, (start, end, _speaker, text, _sure) in enumerate(TURNS):
        spoken = speak(text, folder / f"turn{number}.wav", VOICES[number], 175)
        span = end - heard_until
        padded = pad(spoken, folder / f"padded{number}.wav", start - heard_until, span)
        placed.append(trim(padded, folder / f"placed{number}.wav", span))
        heard_until = end
    return join(placed, folder / "conversation.wav")


@pytest.fixture
def playable(transcript: Transcript, conversation: Path, files_dir: Path) -> Transcript:
    """The transcript with real audio and its playback copy, committed for the live server."""
    with conversation.open("rb") as audio:
        transcript.recording.stored_file = store_upload(audio, "call.wav", None)
    db.session.commit()
    make_playback(transcript.recording_id)
    db.session.refresh(transcript.recording)
    assert transcript.recording.peaks
    return transcript


def open_editor(page: Page, live_server: LiveServer, user: User, transcript: Transcript) -> None:
    live_server.log_in(page, user)
    page.goto(f"/projects/{transcript.project_id}/transcripts/{transcript.id}")


def segments_of(transcript_id: int) -> list[TranscriptSegment]:
    db.session.rollback()
    return list(db.session.get(Transcript, transcript_id).segments)


def audio_time(page: Page) -> float:
    return page.eval_on_selector("#player", "audio => audio.currentTime")


def is_paused(page: Page) -> bool:
    return page.eval_on_selector("#player", "audio => audio.paused")


INKED = """canvas => {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let alpha = 3; alpha < data.length; alpha += 4) { if (data[alpha] > 0) inked++; }
    return inked > 1000;
}"""


def wait_for_the_waveform(page: Page) -> None:
    """Until wavesurfer.js has drawn the peaks on its canvas (inside its shadow DOM)."""
    canvas = page.locator("#waveform canvas").first
    expect(canvas).to_be_visible()
    page.wait_for_function(INKED, arg=canvas.element_handle())


def test_the_waveform_is_drawn_and_a_segment_plays_from_its_start(
    page: Page, live_server: LiveServer, people: dict[str, User], playable: Transcript,
) -> None:
    first, second = playable.segments
    open_editor(page, live_server, people["interviewer"], playable)

    wait_for_the_waveform(page)
    expect(page.locator(f"#seg-{first.id} .uncertain mark")).to_have_text("Chengdu")

    page.click(f"#seg-{second.id} .seg-time")
    expect(page.locator(f"#seg-{second.id}")).to_have_class(PLAYING)
    expect(page.locator("#play-toggle")).to_have_text("Pause")
    assert second.start <= audio_time(page) < second.end
    expect(page.locator(f"#seg-{first.id}")).not_to_have_class(PLAYING)
    page.click("#play-toggle")
    expect(page.locator("#play-toggle")).to_have_text("Play")


def test_keyboard_shortcuts_play_pause_and_skip_also_while_typing(
    page: Page, live_server: LiveServer, people: dict[str, User], playable: Transcript,
) -> None:
    first, _second = playable.segments
    open_editor(page, live_server, people["interviewer"], playable)
    text = page.locator(f"textarea[name='text-{first.id}']")
    text.click()

    page.keyboard.press("Control+Space")
    expect(page.locator("#play-toggle")).to_have_text("Pause")
    assert not is_paused(page)
    page.keyboard.press("Control+Space")
    expect(page.locator("#play-toggle")).to_have_text("Play")
    assert is_paused(page)
    before = audio_time(page)
    page.keyboard.press("Control+ArrowRight")
    assert audio_time(page) == pytest.approx(before + 5, abs=0.01)
    page.keyboard.press("Control+ArrowLeft")
    assert audio_time(page) == pytest.approx(before, abs=0.01)
    expect(text).to_have_value(first.text)


def test_a_corrected_word_is_saved_with_ctrl_s_as_a_new_version(
    page: Page, live_server: LiveServer, people: dict[str, User], playable: Transcript,
) -> None:
    first, _second = playable.segments
    open_editor(page, live_server, people["interviewer"], playable)
    page.fill(f"textarea[name='text-{first.id}']", "How did the partnership with Chengdu start?")
    page.keyboard.press("Control+s")

    expect(page.locator(".flash-success")).to_have_text(
        "Corrected 1 segment. Saved as a new version.")
    expect(page.get_by_role("link", name="Versions (2)")).to_be_visible()
    assert page.url.endswith(f"#seg-{first.id}")
    assert segments_of(playable.id)[0].text == "How did the partnership with Chengdu start?"
    newest = db.session.get(Transcript, playable.id).versions[0]
    assert (newest.number, newest.summary) == (2, "Corrected 1 segment")


def test_a_speaker_is_relabelled_everywhere(
    page: Page, live_server: LiveServer, people: dict[str, User], playable: Transcript,
) -> None:
    _first, second = playable.segments
    pseudonym = playable.interview.participants[0].pseudonym
    open_editor(page, live_server, people["interviewer"], playable)
    page.select_option("#old_label", "Speaker 2")
    page.fill("#new_label", pseudonym)
    page.get_by_role("button", name="Rename").click()

    expect(page.locator(".flash-success")).to_contain_text(
        f"Relabelled Speaker 2 as {pseudonym} (1 segment)")
    expect(page.locator(f"#seg-{second.id} input.speaker")).to_have_value(pseudonym)
    assert [s.speaker for s in segments_of(playable.id)] == ["Speaker 1", pseudonym]


def test_find_and_replace_changes_every_segment(
    page: Page, live_server: LiveServer, people: dict[str, User], playable: Transcript,
) -> None:
    _first, second = playable.segments
    open_editor(page, live_server, people["interviewer"], playable)
    page.fill("#find", "mayor")
    page.fill("#replace_with", "city mayor")
    page.get_by_role("button", name="Replace all").click()

    expect(page.locator(".flash-success")).to_contain_text(
        "Replaced “mayor” with “city mayor” (1 time)")
    expect(page.locator(f"textarea[name='text-{second.id}']")).to_have_value(
        "It began with a visit of the city mayor. Then we signed an agreement.")
    assert "the city mayor." in segments_of(playable.id)[1].text


def test_a_segment_is_split_at_the_cursor_and_merged_again(
    page: Page, live_server: LiveServer, people: dict[str, User], playable: Transcript,
) -> None:
    _first, second = playable.segments
    open_editor(page, live_server, people["interviewer"], playable)
    text = page.locator(f"textarea[name='text-{second.id}']")
    cursor = second.text.index("Then")
    text.evaluate("(area, at) => { area.focus(); area.setSelectionRange(at, at); }", cursor)
    page.locator(f"#seg-{second.id}").get_by_role("button", name="Split at cursor").click()

    expect(page.locator(".segment")).to_have_count(3)
    parts = segments_of(playable.id)
    assert [s.text for s in parts[1:]] == [
        "It began with a visit of the mayor.", "Then we signed an agreement."]
    assert parts[1].end == parts[2].start and parts[1].start < parts[2].start < parts[2].end
    page.locator(f"#seg-{second.id}").get_by_role("button", name="Merge with next").click()
    expect(page.locator(".segment")).to_have_count(2)
    assert segments_of(playable.id)[1].text == second.text


def test_the_transcript_is_marked_ready_for_coding(
    page: Page, live_server: LiveServer, people: dict[str, User], playable: Transcript,
) -> None:
    open_editor(page, live_server, people["interviewer"], playable)
    expect(page.locator(".page-head .badge")).to_have_text("Draft")
    page.get_by_role("button", name="Mark ready for coding").click()

    expect(page.locator(".page-head .badge")).to_have_text("Ready for coding")
    expect(page.get_by_role("button", name="Mark ready for coding")).to_have_count(0)
    db.session.rollback()
    assert db.session.get(Transcript, playable.id).status == "ready"


def test_one_key_marks_the_uncertain_segment_checked_and_another_finds_the_next(
    page: Page, live_server: LiveServer, people: dict[str, User], transcript: Transcript,
) -> None:
    first, second = transcript.segments
    first.estimated_word_error, second.estimated_word_error = 0.08, 0.7
    transcript.reliability_basis = ["as the job would have said"]
    save_version(transcript, None, "Estimated")
    db.session.commit()
    open_editor(page, live_server, people["coder"], transcript)
    expect(page.locator("#reliability")).to_contain_text("Needs review")
    expect(page.locator(".uncertain-list li")).to_have_count(1)
    page.keyboard.press("Control+ArrowDown")
    expect(page.locator(f"#seg-{second.id} .seg-time")).to_be_focused()
    page.keyboard.press("Control+Enter")
    expect(page.locator(f"#seg-{second.id} .check-state")).to_have_text("checked")
    expect(page.locator("#reliability-summary")).to_have_text(
        "65 % checked by a person; the rest about 8 % words wrong")
    expect(page.locator(".uncertain-list li")).to_have_count(0)
    assert [s.checked for s in segments_of(transcript.id)] == [False, True]
