"""Choosing an engine by name, with the model folders it reads from."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from interviews.asr.base import DEFAULT_ENGINE, ENGINES, Engine, InvalidModel, UnknownEngine
from interviews.asr.convert import cached_checkpoint
from interviews.asr.faster import FasterWhisperEngine
from interviews.asr.reference import OpenAIWhisperEngine
from interviews.asr.weights import resolve_model

#: Under the models folder: checkpoints converted from models kept elsewhere (packages).
CONVERTED_DIR = "converted"


def openai_checkpoint(model: str, models_dir: Path | None) -> Path:
    """An openai-whisper checkpoint for a model name, folder or .pt file, converted once.

    A model in the models folder gets its checkpoint beside it; one elsewhere (the packaged
    tiny model) in the models folder's `converted` folder.
    """
    if model.endswith(".pt") and Path(model).is_file():
        return Path(model)
    folder = resolve_model(model, models_dir)
    if isinstance(folder, str):
        raise InvalidModel(f"openai-whisper needs a model folder or a .pt checkpoint, not {model}")
    if models_dir is None or folder.resolve().is_relative_to(models_dir.resolve()):
        return cached_checkpoint(folder)
    return cached_checkpoint(folder, models_dir / CONVERTED_DIR)


def get_engine(name: str = DEFAULT_ENGINE, models_dir: Path | None = None) -> Engine:
    """The engine called name, reading models installed in models_dir."""
    if name == "faster-whisper":
        return FasterWhisperEngine(partial(resolve_model, models_dir=models_dir))
    if name == "openai-whisper":
        return OpenAIWhisperEngine(partial(openai_checkpoint, models_dir=models_dir))
    raise UnknownEngine(f"unknown transcription engine {name!r}: choose {', '.join(ENGINES)}")
