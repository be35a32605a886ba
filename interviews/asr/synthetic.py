"""Generated speech with known words, from the eSpeak NG library that the `espeakng-loader`
package ships (library and voice data), so that no program from the operating system is
needed: tests, benchmarks and model checks make their clips with it.

Generated speech checks the plumbing (every word is known), not accuracy on real voices.
"""

from __future__ import annotations

import subprocess
import sys
import wave
from functools import lru_cache
from pathlib import Path

import numpy as np

from interviews.asr.espeak_once import REFUSED

ONE_TEXT = Path(__file__).with_name("espeak_once.py")


class SpeechError(RuntimeError):
    """The library refused a voice or a text."""


def _spoken(text: str, voice: str, words_per_minute: int) -> tuple[np.ndarray, int]:
    """The samples and their rate, from a process of their own (espeak_once says why)."""
    done = subprocess.run(
        [sys.executable, str(ONE_TEXT), voice, str(words_per_minute)],
        input=text.encode(), capture_output=True, check=False,
    )
    if done.returncode == REFUSED:
        raise SpeechError(done.stderr.decode().strip())
    if done.returncode != 0:
        raise SpeechError(f"eSpeak NG stopped: {done.stderr.decode().strip()}")
    rate, _, samples = done.stdout.partition(b"\n")
    return np.frombuffer(samples, dtype=np.int16), int(rate)


@lru_cache(maxsize=1)
def sample_rate() -> int:
    """The rate of the samples that `speech_samples` returns (22,050 Hz)."""
    return _spoken("", "en-us", 150)[1]


def speech_samples(text: str, voice: str = "en-us", words_per_minute: int = 150) -> np.ndarray:
    """Mono 16-bit samples of `text` read by an eSpeak NG voice (e.g. "pl", "en-us+f3"):
    the same samples every time for the same text, voice and pace."""
    return _spoken(text, voice, words_per_minute)[0]


def write_wav(samples: np.ndarray, path: Path, rate: int) -> Path:
    """16-bit PCM WAV; samples of shape (n,) for mono or (n, channels)."""
    frames = np.asarray(samples, dtype=np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1 if frames.ndim == 1 else frames.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())
    return path


def speak_to_file(text: str, path: Path, voice: str = "en-us",
                  words_per_minute: int = 150) -> Path:
    """A WAV file of `text` read by an eSpeak NG voice, as `espeak-ng -w` would write it."""
    return write_wav(speech_samples(text, voice, words_per_minute), path, sample_rate())
