"""`fieldwork models add PATH`: a faster-whisper model folder that a team copies in from
elsewhere (large-v3 from a machine with internet, say), checked before it is accepted: it
loads, it transcribes a short generated clip, and it says which languages it knows. It is then
copied into the models folder, where the project and recording pages offer it, with the
accuracy to expect per language (read from its name: asr.expectations).

Only the command that runs imports this module: it loads faster-whisper and CTranslate2.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from faster_whisper import WhisperModel

from interviews.asr.base import InvalidModel, normalise_text
from interviews.asr.expectations import expected_accuracy, model_size
from interviews.asr.languages import STUDY_LANGUAGES, WHISPER_LANGUAGES
from interviews.asr.offered import INSTALLED_WITH_FIELDWORK, REQUIRED_FILES, is_model_folder
from interviews.asr.synthetic import speak_to_file

#: what the generated clip says: a model that hears none of these words is refused
CHECK_TEXT = "The city council signed a partnership agreement with Brussels."


@dataclass(frozen=True)
class AddedModel:
    name: str
    folder: Path
    heard: str
    multilingual: bool
    languages: list[str]

    def report(self) -> list[str]:
        """What the command prints: the check, the languages, and what to expect."""
        known = (f"{len(self.languages)} languages" if self.multilingual else "English only")
        lines = [f"{self.name} added in {self.folder}",
                 f"checked: it loads and heard “{self.heard}” in a generated English clip",
                 f"languages: {known}"]
        if model_size(self.name) is None:
            lines.append("its size is not in its name, so no accuracy can be expected for it: "
                         "name the folder after its size (e.g. whisper-large-v3) with --name")
        else:
            lines += [expected_accuracy(code, self.name).sentence
                      for code in STUDY_LANGUAGES if code in self.languages]
        return lines


def check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise InvalidModel(f"{folder} is not a folder")
    if not is_model_folder(folder):
        lacking = [name for name in ("model.bin", *REQUIRED_FILES) if not (folder / name).is_file()]
        raise InvalidModel(f"{folder} is not a faster-whisper model folder: it lacks "
                           f"{', '.join(lacking)}")


def load(folder: Path) -> WhisperModel:
    try:
        return WhisperModel(str(folder), device="cpu", compute_type="int8",
                            local_files_only=True)
    except Exception as error:  # CTranslate2 and tokenizers raise their own kinds
        raise InvalidModel(f"{folder} does not load as a faster-whisper model: {error}") from error


def heard_by(model: WhisperModel) -> str:
    """What the model makes of the generated clip; refused when it hears none of its words."""
    with tempfile.TemporaryDirectory() as work:
        clip = speak_to_file(CHECK_TEXT, Path(work) / "check.wav")
        try:
            segments, _info = model.transcribe(str(clip), language="en", beam_size=1)
            heard = " ".join(segment.text.strip() for segment in segments)
        except Exception as error:
            raise InvalidModel(f"the model loads but cannot transcribe: {error}") from error
    if not set(normalise_text(heard).split()) & set(normalise_text(CHECK_TEXT).split()):
        raise InvalidModel(f"the model transcribed a generated English clip as “{heard}”, "
                           "none of its words: it is not a working speech model")
    return heard


def add_model(source: Path, models_dir: Path, name: str | None = None) -> AddedModel:
    """Check the folder, then copy it into the models folder as `name` (its own name by
    default); a name already there or one that comes with Fieldwork is refused."""
    source = source.expanduser().resolve()
    check_folder(source)
    name = name or source.name
    target = models_dir / name
    if name in INSTALLED_WITH_FIELDWORK or target.exists():
        raise InvalidModel(f"a model named {name} is already installed: give another with "
                           "--name")
    model = load(source)
    heard = heard_by(model)
    languages = [code for code in model.supported_languages if code in WHISPER_LANGUAGES]
    multilingual = languages != ["en"]
    del model
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-new-", dir=models_dir))
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        staging.chmod(0o755)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return AddedModel(name, target, heard, multilingual, languages)
