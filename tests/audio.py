"""Audio files for tests and benchmarks, made in Python with no program from the operating
system: speech from the eSpeak NG library that a package ships, WAV editing with numpy
(what `sox` did), and other formats through the ffmpeg binary that `imageio-ffmpeg` ships.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from interviews.asr.synthetic import sample_rate, speak_to_file, write_wav


def speak(text: str, path: Path, voice: str = "en-us", words_per_minute: int = 150) -> Path:
    """A WAV file of `text` read by an eSpeak NG voice ("en-us", "en-us+f3", "pl" ...)."""
    return speak_to_file(text, path, voice, words_per_minute)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """16-bit samples of shape (n, channels), and the sample rate."""
    with wave.open(str(path), "rb") as source:
        channels, rate = source.getnchannels(), source.getframerate()
        frames = np.frombuffer(source.readframes(source.getnframes()), dtype=np.int16)
    return frames.reshape(-1, channels), rate


def silence(path: Path, seconds: float, rate: int | None = None) -> Path:
    """Mono silence at the synthesizer's rate unless another is given."""
    rate = rate or sample_rate()
    return write_wav(np.zeros(round(seconds * rate), np.int16), path, rate)


def join(paths: list[Path], out: Path) -> Path:
    """The files one after the other (all at the same rate and channel count)."""
    parts = [read_wav(path) for path in paths]
    rates = {rate for _, rate in parts}
    if len(rates) != 1:
        raise ValueError(f"cannot join WAV files at different rates: {sorted(rates)}")
    return write_wav(np.concatenate([samples for samples, _ in parts]), out, rates.pop())


def muted(path: Path, out: Path) -> Path:
    """Silence as long as the file."""
    samples, rate = read_wav(path)
    return write_wav(np.zeros_like(samples), out, rate)


def pad(path: Path, out: Path, before: float = 0.0, after: float = 0.0) -> Path:
    """The file with silence before and after it."""
    samples, rate = read_wav(path)
    lead = np.zeros((round(before * rate), samples.shape[1]), np.int16)
    tail = np.zeros((round(after * rate), samples.shape[1]), np.int16)
    return write_wav(np.concatenate([lead, samples, tail]), out, rate)


def trim(path: Path, out: Path, seconds: float) -> Path:
    """The first `seconds` of the file."""
    samples, rate = read_wav(path)
    return write_wav(samples[: round(seconds * rate)], out, rate)


def merge_channels(paths: list[Path], out: Path) -> Path:
    """Mono files as the channels of one file, the shorter ones padded with silence."""
    parts = [read_wav(path) for path in paths]
    length = max(len(samples) for samples, _ in parts)
    channels = np.zeros((length, len(parts)), np.int16)
    for index, (samples, _) in enumerate(parts):
        channels[: len(samples), index] = samples[:, 0]
    return write_wav(channels, out, parts[0][1])


def faint_then_clear(faint: str, clear: str, path: Path) -> Path:
    """`faint` spoken too softly under noise for Whisper to make out, then `clear` spoken
    plainly: speech that a voice-activity detector hears but no text comes from."""
    first, rate = read_wav(speak(faint, path.with_suffix(".faint.wav")))
    second, _ = read_wav(speak(clear, path.with_suffix(".clear.wav")))
    noise = np.random.default_rng(1).normal(0, 300, first.shape)
    return write_wav(np.concatenate([(first * 0.02 + noise).astype(np.int16), second]), path,
                     rate)


def convert(path: Path, out: Path, *options: str) -> Path:
    """Another format, chosen by `out`'s suffix (e.g. .mp3, .m4a, .ogg), with ffmpeg."""
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(path),
         *options, str(out)],
        check=True,
    )
    return out
