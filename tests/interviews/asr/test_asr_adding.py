"""`fieldwork models add PATH`: a model folder brought from elsewhere is checked (it loads,
transcribes a generated clip, says its languages) before it is offered; others are refused
with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from interviews.asr.commands import models_cli
from interviews.asr.offered import installed_models
from interviews.asr.weights import packaged_model_path


@pytest.fixture
def models_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "asr-models"
    monkeypatch.setitem(app.config, "ASR_MODELS_DIR", str(folder))
    return folder


def test_a_working_model_folder_is_checked_and_offered(app: Flask, models_dir: Path) -> None:
    result = app.test_cli_runner().invoke(
        models_cli, ["add", str(packaged_model_path()), "--name", "tiny.en-copy"])
    assert result.exit_code == 0, result.output
    assert "tiny.en-copy added in" in result.output
    assert "checked: it loads and heard “" in result.output
    assert "languages: English only" in result.output
    assert "English with tiny.en-copy: " in result.output
    with app.test_request_context():
        assert installed_models()[-1] == "tiny.en-copy"
    assert (models_dir / "tiny.en-copy" / "model.bin").is_file()

    again = app.test_cli_runner().invoke(
        models_cli, ["add", str(packaged_model_path()), "--name", "tiny.en-copy"])
    assert again.exit_code == 1
    assert "a model named tiny.en-copy is already installed" in again.output


def test_a_folder_that_is_no_model_is_refused_with_the_reason(
    app: Flask, models_dir: Path, tmp_path: Path,
) -> None:
    broken = tmp_path / "whisper-large-v3"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    result = app.test_cli_runner().invoke(models_cli, ["add", str(broken)])
    assert result.exit_code == 1
    assert "it lacks config.json, tokenizer.json" in result.output
    for name in ("config.json", "tokenizer.json"):
        (broken / name).write_text("{}")
    result = app.test_cli_runner().invoke(models_cli, ["add", str(broken)])
    assert result.exit_code == 1
    assert "does not load as a faster-whisper model" in result.output
    assert not models_dir.exists() or not any(models_dir.iterdir())
