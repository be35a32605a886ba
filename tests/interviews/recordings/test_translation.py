"""English versions through the real upload and jobs: a Polish recording of a project that
wants them is transcribed, then translated by Whisper segment by segment, each English
segment with the times and speaker of its original; the pages say it is a machine's."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview
from interviews.recordings.models import Recording
from interviews.settings import settings_for
from interviews.transcripts.models import Transcript
from tests.audio import join, silence, speak

pytestmark = pytest.mark.slow

#: the shortest Polish that makes two segments: two sentences with a pause between them
POLISH = ("Dzień dobry.", "Jak się masz?")
#: words of English: eSpeak's Polish is hard for base to make out, so the English is rough,
#: but it is English
ENGLISH_WORDS = {"i", "you", "the", "a", "to", "is", "do", "it", "how", "and", "good", "day",
                 "morning", "are", "what", "hello", "don't", "i'm", "we", "this", "that"}


@pytest.fixture(scope="module")
def polish(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("polish")
    parts = [speak(text, folder / f"sentence{i}.wav", "pl") for i, text in enumerate(POLISH)]
    return join([parts[0], silence(folder / "pause.wav", 1.0), parts[1]], folder / "polish.wav")


def test_a_polish_recording_gets_an_english_version_with_the_same_times(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, project: Project,
    people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    polish: Path, files_dir: Path,
) -> None:
    settings_for(project).translate_to_english = True
    interview.language = "Polish"
    status, answer = upload_as(interview, polish.read_bytes(), filename="wywiad.wav")
    assert status == 201, answer

    recording = db.session.get(Recording, answer["recording_id"])
    transcribed, translated = recording.latest_job, recording.latest_translation_job
    assert transcribed.state == "done" and transcribed.options["language"] == "pl"
    assert translated.state == "done", translated.error
    assert translated.progress == 1.0 and translated.options["model"] == "base"
    original = db.session.scalar(db.select(Transcript).where(
        Transcript.recording_id == recording.id))
    english = original.translation
    assert (english.language, english.translated_from, english.status) == ("en", "pl", "draft")
    assert [(s.position, s.start, s.end, s.speaker) for s in english.segments] == [
        (s.position, s.start, s.end, s.speaker) for s in original.segments]
    words = {word for s in english.segments
             for word in re.findall(r"[\w']+", s.text.lower())}
    assert words & ENGLISH_WORDS, [s.text for s in english.segments]
    assert not re.search("[ąćęłńóśźż]", " ".join(s.text for s in english.segments).lower())
    assert english.versions[0].summary == "Translated from Polish with base"

    client = client_for(people["interviewer"])
    page = client.get(f"/projects/{project.id}/transcripts/{english.id}").text
    assert "English version: interview with" in page
    assert "translated automatically from Polish" in page
    assert client.get(f"/projects/{project.id}/transcripts/{original.id}").text.count(
        f"/transcripts/{english.id}") == 1
    panel = client.get(f"/projects/{project.id}/interviews/{interview.id}/recordings").text
    assert "English version:" in panel
    assert "→ English" in client.get(f"/projects/{project.id}/transcription/").text
