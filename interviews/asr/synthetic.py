"""Generated speech with known words, from the eSpeak NG library that the `espeakng-loader`
package ships (library and voice data), so that no program from the operating system is
needed: tests, benchmarks and model checks make their clips with it.

Generated speech checks the plumbing (every word is known), not accuracy on real voices.
"""

from __future__ import annotations

import ctypes
import threading
import wave
from pathlib import Path

import espeakng_loader
import numpy as np

#: espeak_AUDIO_OUTPUT: samples handed to our callback, synthesis returns when done
_AUDIO_OUTPUT_SYNCHRONOUS = 2
#: espeak_PARAMETER: words per minute
_RATE = 1
#: espeak_Synth flags: UTF-8 text, and the pause at the end of the text as the program adds
_CHARS_UTF8 = 1
_END_PAUSE = 0x1000
_POS_CHARACTER = 1

_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class SpeechError(RuntimeError):
    """The library refused a voice or a text."""


class _Synthesizer:
    """The library is one global state per process: one synthesizer, one call at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.library = ctypes.CDLL(espeakng_loader.get_library_path())
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate = self.library.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, ctypes.c_char_p(data), 0
        )
        if self.sample_rate <= 0:
            raise SpeechError("the eSpeak NG library could not start")
        self.blocks: list[np.ndarray] = []
        self.callback = _CALLBACK(self._collect)
        self.library.espeak_SetSynthCallback(self.callback)

    def _collect(self, samples: ctypes.POINTER(ctypes.c_short), count: int, _events: int) -> int:
        if count > 0:
            self.blocks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    def speak(self, text: str, voice: str, words_per_minute: int) -> np.ndarray:
        with self.lock:
            if self.library.espeak_SetVoiceByName(voice.encode()) != 0:
                raise SpeechError(f"eSpeak NG has no voice called {voice!r}")
            self.library.espeak_SetParameter(_RATE, words_per_minute, 0)
            encoded = text.encode()
            self.blocks = []
            status = self.library.espeak_Synth(
                ctypes.c_char_p(encoded), len(encoded) + 1, 0, _POS_CHARACTER, 0,
                _CHARS_UTF8 | _END_PAUSE, None, None,
            )
            if status != 0:
                raise SpeechError(f"eSpeak NG could not speak the text (status {status})")
            return np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.int16)


_synthesizer: _Synthesizer | None = None
_start_lock = threading.Lock()


def _shared() -> _Synthesizer:
    global _synthesizer
    with _start_lock:
        if _synthesizer is None:
            _synthesizer = _Synthesizer()
    return _synthesizer


def sample_rate() -> int:
    """The rate of the samples that `speech_samples` returns (22,050 Hz)."""
    return _shared().sample_rate


def speech_samples(text: str, voice: str = "en-us", words_per_minute: int = 150) -> np.ndarray:
    """Mono 16-bit samples of `text` read by an eSpeak NG voice (e.g. "pl", "en-us+f3")."""
    return _shared().speak(text, voice, words_per_minute)


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
