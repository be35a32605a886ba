"""resemblyzer's preprocessing, in numpy: loudness normalisation, the mel spectrogram (as
librosa computes it: Slaney mel scale, Slaney-normalised filters, centred Hann frames) and
the 1.6-second partial windows its voice encoder embeds.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from interviews.asr.audio import SAMPLE_RATE

#: 25 ms frames every 10 ms, 40 mel channels (resemblyzer's hparams.py).
FRAME_SAMPLES = SAMPLE_RATE * 25 // 1000
HOP_SAMPLES = SAMPLE_RATE * 10 // 1000
MEL_CHANNELS = 40
#: Frames in a partial window (1.6 s).
PARTIAL_FRAMES = 160
#: A last window that would be mostly padding is dropped unless it covers this share.
MIN_COVERAGE = 0.75
TARGET_DBFS = -30.0

#: The Slaney mel scale: linear below 1 kHz, logarithmic above.
_LINEAR_HZ_PER_MEL = 200.0 / 3
_LOG_START_HZ = 1000.0
_LOG_START_MEL = _LOG_START_HZ / _LINEAR_HZ_PER_MEL
_LOG_STEP = np.log(6.4) / 27.0


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / _LINEAR_HZ_PER_MEL
    logarithmic = _LOG_START_MEL + np.log(np.maximum(hz, _LOG_START_HZ) / _LOG_START_HZ) / _LOG_STEP
    return np.where(hz >= _LOG_START_HZ, logarithmic, linear)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * _LINEAR_HZ_PER_MEL
    above = np.maximum(mel, _LOG_START_MEL) - _LOG_START_MEL
    logarithmic = _LOG_START_HZ * np.exp(_LOG_STEP * above)
    return np.where(mel >= _LOG_START_MEL, logarithmic, linear)


@lru_cache(maxsize=4)
def mel_filterbank(
    sample_rate: int = SAMPLE_RATE, n_fft: int = FRAME_SAMPLES, n_mels: int = MEL_CHANNELS
) -> np.ndarray:
    """Triangular filters of shape (n_mels, n_fft // 2 + 1), each of unit area in Hz
    (librosa.filters.mel with htk=False, norm="slaney")."""
    frequencies = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sample_rate / 2), n_mels + 2))
    widths = np.diff(edges)
    distances = edges[:, None] - frequencies[None, :]
    rising = -distances[:-2] / widths[:-1, None]
    falling = distances[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    weights = weights.astype(np.float32)
    weights.flags.writeable = False
    return weights


@lru_cache(maxsize=1)
def _hann() -> np.ndarray:
    """The periodic Hann window (scipy's get_window("hann"), which librosa uses)."""
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME_SAMPLES) / FRAME_SAMPLES)
    return window.astype(np.float32)


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """Power mel spectrogram of shape (frames, MEL_CHANNELS): one frame every HOP_SAMPLES,
    centred (not a log-mel spectrogram: resemblyzer's encoder takes the power)."""
    padded = np.pad(np.asarray(wav, dtype=np.float32), FRAME_SAMPLES // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, FRAME_SAMPLES)[::HOP_SAMPLES]
    power = np.abs(np.fft.rfft(frames * _hann(), axis=1)) ** 2
    return (power.astype(np.float32) @ mel_filterbank().T).astype(np.float32)


def normalise_volume(wav: np.ndarray, target_dbfs: float = TARGET_DBFS) -> np.ndarray:
    """The speech raised to target_dbfs (RMS) when quieter; never lowered."""
    rms = np.sqrt(np.mean(np.square(wav, dtype=np.float64))) if wav.size else 0.0
    if rms <= 0:
        return wav
    change = target_dbfs - 20 * np.log10(rms)
    if change <= 0:
        return wav
    return (wav * 10 ** (change / 20)).astype(np.float32)


def partial_starts(n_samples: int, rate: float) -> list[int]:
    """The first frame of each partial window over n_samples of speech, `rate` windows a
    second (resemblyzer's compute_partial_slices, with min_coverage MIN_COVERAGE)."""
    n_frames = int(np.ceil((n_samples + 1) / HOP_SAMPLES))
    step = int(np.round(SAMPLE_RATE / rate / HOP_SAMPLES))
    if not 0 < step <= PARTIAL_FRAMES:
        raise ValueError(f"{rate} windows a second leaves gaps or overlaps too much")
    starts = list(range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step))
    coverage = (n_samples - starts[-1] * HOP_SAMPLES) / (PARTIAL_FRAMES * HOP_SAMPLES)
    if coverage < MIN_COVERAGE and len(starts) > 1:
        starts.pop()
    return starts


def partial_mels(wav: np.ndarray, rate: float) -> tuple[np.ndarray, list[int]]:
    """The mel spectrograms of the partial windows of one stretch of speech, shape
    (windows, PARTIAL_FRAMES, MEL_CHANNELS), and each window's first sample."""
    starts = partial_starts(len(wav), rate)
    needed = (starts[-1] + PARTIAL_FRAMES) * HOP_SAMPLES
    padded = np.pad(wav, (0, max(needed - len(wav), 0)))
    mel = mel_spectrogram(padded)
    windows = np.stack([mel[start : start + PARTIAL_FRAMES] for start in starts])
    return windows, [start * HOP_SAMPLES for start in starts]
