"""A Polish transcript and its English version (made here by hand, as the translation job
leaves it: the same times and speakers): each is a source with codings of its own, each is
corrected in versions of its own, and quotes come in the original, in English or both, a
machine's English saying so in its citation."""

from __future__ import annotations

import pytest

from coding.excerpts import excerpts_of
from coding.exports import ExportOptions, make_export
from coding.models import Coding
from coding.sources import source_of_transcript
from fieldwork.extensions import db
from interviews.recordings.models import Recording
from interviews.recordings.transcription import JobError, check_options
from interviews.recordings.translation import queue_translation, translation_options
from interviews.settings import settings_for
from interviews.transcripts import editing
from interviews.transcripts.models import Transcript, TranscriptSegment
from interviews.transcripts.translations import (
    english_version_for,
    out_of_step,
    parallel_text,
    why_not_translatable,
)
from tests.access_samples import recordings_sample

POLISH_SEGMENTS = [
    ("Interviewer", 0.0, 4.0, "Dlaczego Wrocław podpisał umowę z Guangzhou?"),
    ("PL-CITY-12", 4.0, 12.5, "Głównie dla inwestorów. Prezydent chciał też bezpośrednich lotów."),
]
ENGLISH_SEGMENTS = [
    "Why did Wrocław sign the agreement with Guangzhou?",
    "Mostly for investors. The mayor also wanted direct flights.",
]
NOTE = "translated automatically from Polish"


def segments(texts: list[str]) -> list[TranscriptSegment]:
    return [TranscriptSegment(position=i, start=start, end=end, speaker=speaker, text=text)
            for i, ((speaker, start, end, _), text) in enumerate(
                zip(POLISH_SEGMENTS, texts, strict=True))]


def ready(transcript: Transcript, user) -> None:
    editing.set_status(transcript, "ready", user)
    editing.save_version(transcript, user, "Ready for coding")


@pytest.fixture
def polish(project, people) -> Transcript:
    original = db.session.get(Transcript, recordings_sample(project, people)["transcript_id"])
    original.language = "pl"
    original.segments.clear()
    db.session.flush()
    original.segments.extend(segments([text for *_, text in POLISH_SEGMENTS]))
    db.session.flush()
    return original


@pytest.fixture
def english(polish) -> Transcript:
    version = english_version_for(polish)
    version.translated_from = "pl"
    version.segments.extend(segments(ENGLISH_SEGMENTS))
    db.session.flush()
    editing.save_version(version, None, "Translated from Polish with base")
    return version


@pytest.fixture
def coded(polish, english, people, make_code, code_words) -> dict[str, Coding]:
    ready(polish, people["lead"])
    ready(english, people["lead"])
    investors = make_code("Investors")
    return {"pl": code_words(source_of_transcript(polish), investors, "inwestorów"),
            "en": code_words(source_of_transcript(english), investors, "direct flights")}


def test_each_language_is_a_source_with_codings_of_its_own(polish, english, coded):
    original, translation = source_of_transcript(polish), source_of_transcript(english)
    assert translation.title == f"{original.title} (English version)"
    assert translation.text.split("\n\n") == ENGLISH_SEGMENTS
    assert [(p["t0"], p["t1"]) for p in translation.paragraphs] == [
        (p["t0"], p["t1"]) for p in original.paragraphs]
    assert {c.source_id for c in coded.values()} == {original.id, translation.id}


@pytest.mark.parametrize(("coding", "quotes", "expected"), [
    ("pl", "coded", [("inwestorów", "")]),
    ("pl", "english", [(ENGLISH_SEGMENTS[1], NOTE)]),
    ("pl", "both", [("inwestorów", ""), (ENGLISH_SEGMENTS[1], NOTE)]),
    ("en", "coded", [("direct flights", NOTE)]),
    ("en", "original", [(POLISH_SEGMENTS[1][3], "")]),
    ("en", "both", [(POLISH_SEGMENTS[1][3], ""), ("direct flights", NOTE)]),
])
def test_quotes_come_in_the_language_chosen_and_a_machines_english_says_so(
        project, coded, coding, quotes, expected):
    (excerpt,) = excerpts_of(project, [coded[coding]], False, quotes=quotes)
    assert [(v.text, v.note) for v in excerpt.quoted] == expected
    if any(note for _, note in expected):
        assert excerpt.citation.endswith(("; English " if len(expected) > 1 else "; ") + NOTE)
    else:
        assert NOTE not in excerpt.citation


def test_exports_and_retrieval_quote_both_languages(project, people, coded, client_for):
    download = make_export(project, ExportOptions(what="excerpts_md", quotes="both"),
                           people["lead"], "lead", may_see_identity=False)
    assert f"> inwestorów\n>\n> {ENGLISH_SEGMENTS[1]}\n>\n> — " in download.content
    assert f"; English {NOTE}" in download.content

    page = client_for(people["coder"]).get(
        f"/projects/{project.id}/coding/retrieve",
        query_string={"codes": [coded["pl"].code_id], "quotes": "english"})
    assert page.status_code == 200, page.text
    assert f"<mark>{ENGLISH_SEGMENTS[1]}</mark>" in page.text
    assert f"English, {NOTE}:" in page.text


def test_a_correction_of_either_language_is_a_version_of_its_own(
        project, people, polish, english, client_for):
    before = (len(polish.versions), len(english.versions))
    segment = english.segments[1]
    client = client_for(people["interviewer"])
    saved = client.post(f"/projects/{project.id}/transcripts/{english.id}/save", data={
        f"text-{segment.id}": "Mostly for investors. The mayor wanted direct flights too.",
        f"speaker-{segment.id}": segment.speaker, "action": "save"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert (len(polish.versions), len(english.versions)) == (before[0], before[1] + 1)
    assert english.versions[0].summary == "Corrected 1 segment"
    assert polish.segments[1].text == POLISH_SEGMENTS[1][3]

    assert out_of_step(english) == 0
    editing.split_segment(polish, polish.segments[1], None)
    assert out_of_step(english) == 1
    page = client.get(f"/projects/{project.id}/transcripts/{english.id}").text
    assert "1 segment no longer has the times of a segment of the original" in page
    assert parallel_text(english, 4.0, 12.5) == english.segments[1].text


def test_what_cannot_be_translated_is_said_in_words(project, people, polish, english,
                                                     client_for):
    assert why_not_translatable(english) == "This is an English version already."
    polish.language = "en"
    assert why_not_translatable(polish) == "The transcript is in English already."
    with pytest.raises(JobError, match="in English already"):
        queue_translation(polish, people["lead"])
    polish.language = "pl"
    settings_for(project).transcription_model = "tiny.en"
    options = translation_options(polish)
    assert options["model"] == "base" and options["task"] == "translate"
    with pytest.raises(JobError, match=r"tiny\.en model knows only English, so it cannot "
                                       "translate into English"):
        check_options({**options, "model": "tiny.en"})

    recording = db.session.get(Recording, polish.recording_id)
    busy = queue_translation(polish, people["lead"])
    assert recording.latest_translation_job == busy and recording.latest_job != busy
    answer = client_for(people["interviewer"]).post(
        f"/projects/{project.id}/transcripts/{polish.id}/translate", follow_redirects=True)
    assert "already being transcribed or translated" in answer.text


def test_the_lead_turns_english_versions_on(project, people, client_for):
    client = client_for(people["lead"])
    form = {"pseudonym_pattern": "{country}-{orgtype}-{n:02}", "buffer_minutes": 30,
            "day_starts_hour": 8, "day_ends_hour": 20, "transcription_model": "base",
            "transcription_language": "", "translate_to_english": "y"}
    page = client.get(f"/projects/{project.id}/interviews/settings").text
    assert "tiny.en knows only English and cannot translate" in page
    assert client.post(f"/projects/{project.id}/interviews/settings",
                       data=form).status_code == 302
    assert settings_for(project).translate_to_english


@pytest.mark.parametrize("with_english", [False, True])
def test_the_english_version_goes_with_its_original(polish, english, with_english):
    """Deleting a transcript (a withdrawal deletes every transcript of the interview, both
    languages among them) deletes its English version."""
    english_id = english.id
    db.session.delete(polish)
    if with_english:
        db.session.delete(english)
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Transcript, english_id) is None
