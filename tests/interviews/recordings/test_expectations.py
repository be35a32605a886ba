"""Before transcription: the accuracy to expect of a language and a model, with its source,
on the transcription page and at upload, and the strongest installed model offered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldwork.models import Project, User
from interviews.models import Interview
from interviews.recordings.expecting import advice, upload_warning

SOURCE = "Radford et al. 2022"


@pytest.fixture
def large_folder(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A models folder holding a folder named like large-v3 (the files a model needs, as a
    team would copy them in; never loaded here)."""
    folder = tmp_path / "models" / "whisper-large-v3"
    folder.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (folder / name).write_text("{}")
    monkeypatch.setitem(app.config, "ASR_MODELS_DIR", str(folder.parent))
    return folder


def test_what_to_expect_of_a_language_and_a_model() -> None:
    estonian = advice("et", "base", ["base", "tiny.en"])
    assert estonian.poor and estonian.stronger is None
    assert estonian.sentence().startswith("Estonian with base: expect many errors")
    assert estonian.expectation.source.startswith(SOURCE)
    stronger = advice("et", "base", ["base", "tiny.en", "whisper-large-v3"])
    assert stronger.stronger == "whisper-large-v3"
    assert stronger.sentence().endswith(
        "The strongest model installed for Estonian is whisper-large-v3: choose it to "
        "transcribe.")
    assert not advice("en", "tiny.en", ["base", "tiny.en"]).poor
    assert advice(None, "base", ["base"]).sentence().startswith(
        "The accuracy to expect depends on the language")
    assert upload_warning("en", "base", ["base"]) == ""
    assert advice("xx", "base", ["base"]).expectation is None  # no language of Whisper's


def test_the_transcription_page_says_what_to_expect_as_the_choice_changes(
    client_for: Callable[[User | None], FlaskClient], people: dict[str, User],
    project: Project, large_folder: Path,
) -> None:
    client = client_for(people["interviewer"])
    answer = client.get(f"/projects/{project.id}/transcription/expectation"
                        "?language=et&model=base")
    assert "Estonian with base: expect many errors" in answer.text
    assert "whisper-large-v3: choose it to transcribe" in answer.text
    assert f"Source: {SOURCE}" in answer.text
    polish = client.get(f"/projects/{project.id}/transcription/expectation"
                        "?language=pl&model=whisper-large-v3")
    assert "Polish with whisper-large-v3: expect few errors" in polish.text


def test_an_upload_in_a_poorly_handled_language_says_so(
    upload_as: Callable[..., tuple[int, dict]], project: Project,
    make_interview: Callable[..., Interview], speech: Path, files_dir: Path,
) -> None:
    interview = make_interview(project, datetime(2026, 3, 17, 10), language="Estonian")
    status, answer = upload_as(interview, speech.read_bytes())
    assert status == 201
    assert "transcription queued. Before it is read: Estonian with base: expect many " \
        "errors" in answer["message"]
