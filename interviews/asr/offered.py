"""The models a project or a recording can be given, found without loading any of them (the
pages list them; the web process never imports the speech stack): the two that come with
the install, then any model folder a team copied into the models folder."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

#: multilingual base first: it knows every language of the study; tiny.en only English
INSTALLED_WITH_FIELDWORK = ("base", "tiny.en")
#: Files besides model.bin that faster-whisper needs to load a model without the network.
REQUIRED_FILES = ("config.json", "tokenizer.json")


def english_only(model: str) -> bool:
    """Whisper's English-only models ("tiny.en", "base.en" ...) neither know other languages
    nor detect one."""
    return model.endswith(".en")


def is_model_folder(path: Path) -> bool:
    return (path / "model.bin").is_file() and all((path / f).is_file() for f in REQUIRED_FILES)


def configured_models_dir() -> Path:
    """The app's models folder (FIELDWORK_ASR_MODELS_DIR, else instance/asr-models)."""
    return Path(current_app.config["ASR_MODELS_DIR"])


def installed_models() -> list[str]:
    """The models the app's pages offer: those that come with Fieldwork, then its folders."""
    return offered_models(configured_models_dir())


def offered_models(models_dir: Path) -> list[str]:
    folders = sorted(folder.name for folder in models_dir.iterdir()
                     if folder.name not in INSTALLED_WITH_FIELDWORK and is_model_folder(folder)
                     ) if models_dir.is_dir() else []
    return [*INSTALLED_WITH_FIELDWORK, *folders]
