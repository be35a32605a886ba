"""Voice embeddings of a recording's stretches of speech, and their speakers.

Each stretch is read on its own, raised to resemblyzer's loudness, cut into 1.6-second
windows (EMBEDDING_RATE a second) and embedded; windows of many stretches go through the
encoder together. A long recording has more windows than spectral clustering can handle
(its affinity matrix grows with their square, its time with their cube): an even sample of
them is clustered and the others join the nearest cluster.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from interviews.asr.audio import SAMPLE_RATE, AudioWindow
from interviews.asr.extras import voices_available
from interviews.asr.voices.clustering import spectral_clusters
from interviews.asr.voices.encoder import BATCH, EMBEDDING_SIZE, WEIGHTS_FILE, voice_encoder
from interviews.asr.voices.mel import PARTIAL_FRAMES, normalise_volume, partial_mels

#: Voice embeddings per second of speech (the windows are 1.6 s long).
EMBEDDING_RATE = 1.0
#: Stretches of speech shorter than this carry too little voice to embed; their words take a
#: neighbour's speaker.
MIN_SPEECH_SECONDS = 0.5
#: At most this many windows are clustered (about 17 minutes of speech); the rest join the
#: nearest cluster.
MAX_CLUSTERED = 1_000
WINDOW_SECONDS = PARTIAL_FRAMES / 100

OnProgress = Callable[[float], None]


def batches_at_once() -> int:
    """Batches of windows embedded at once: one per core (at most 4), each on one BLAS
    thread. OpenBLAS's own threads gained nothing on the encoder's small matrix products
    (the same time, twice the CPU); two batches at once on 2 cores took 0.6 of the time, with
    the same embeddings (docs/benchmarks.md)."""
    return max(1, min(os.cpu_count() or 1, 4))


class SpeakersUnavailable(RuntimeError):
    """Voices cannot be told apart: the voice encoder's file is missing."""


@dataclass(frozen=True)
class Windows:
    """Voice embeddings (unit length), the (start, end) seconds of speech each covers and
    the number of the stretch of speech it is from."""

    embeddings: np.ndarray
    spans: np.ndarray
    stretches: np.ndarray


def _stretch_windows(
    audio: AudioWindow, stretches: Sequence[tuple[float, float]], on_progress: OnProgress
) -> Iterator[tuple[np.ndarray, list[tuple[float, float]]]]:
    """Each long enough stretch's windows: mel spectrograms and (start, end) seconds."""
    for done, (start, end) in enumerate(stretches, start=1):
        speech = audio.between(start, end)[0]
        if len(speech) >= MIN_SPEECH_SECONDS * SAMPLE_RATE:
            mels, firsts = partial_mels(normalise_volume(speech), EMBEDDING_RATE)
            last = start + len(speech) / SAMPLE_RATE
            yield mels, [(start + first / SAMPLE_RATE,
                          min(start + first / SAMPLE_RATE + WINDOW_SECONDS, last))
                         for first in firsts]
        on_progress(done / len(stretches))


def voice_windows(
    audio_path: Path | str,
    stretches: Sequence[tuple[float, float]],
    on_progress: OnProgress,
) -> Windows:
    """Embeddings of windows of every stretch of speech long enough to hold a voice;
    on_progress is told the share of stretches done."""
    if not voices_available():
        raise SpeakersUnavailable(f"the voice encoder's file {WEIGHTS_FILE} is missing; "
                                  "install Fieldwork again")
    encoder = voice_encoder()
    on_progress(0.0)
    embeddings: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    numbers: list[int] = []
    waiting: list[np.ndarray] = []
    windows = _stretch_windows(AudioWindow(audio_path), stretches, on_progress)
    at_once = batches_at_once()
    with threadpool_limits(1, user_api="blas"), \
            ThreadPoolExecutor(at_once, thread_name_prefix="voices") as pool:
        embedding: deque[Future[np.ndarray]] = deque()
        for number, (mels, stretch_spans) in enumerate(windows):
            waiting.append(mels)
            spans.extend(stretch_spans)
            numbers.extend([number] * len(stretch_spans))
            if sum(len(m) for m in waiting) >= BATCH:
                embedding.append(pool.submit(encoder.embed, np.concatenate(waiting)))
                waiting = []
                if len(embedding) > at_once:
                    embeddings.append(embedding.popleft().result())
        if waiting:
            embedding.append(pool.submit(encoder.embed, np.concatenate(waiting)))
        embeddings.extend(future.result() for future in embedding)
    return Windows(
        np.concatenate(embeddings) if embeddings else np.zeros((0, EMBEDDING_SIZE), np.float32),
        np.array(spans, dtype=np.float64).reshape(-1, 2),
        np.array(numbers, dtype=np.int64),
    )


def _nearest_centroid(embeddings: np.ndarray, sample: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Every embedding's cluster: the one whose mean direction is closest to it."""
    clusters = np.unique(labels)
    centroids = np.array([embeddings[sample[labels == c]].mean(axis=0) for c in clusters])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return clusters[np.argmax(embeddings @ centroids.T, axis=1)]


def cluster(windows: Windows, num_speakers: int | None) -> np.ndarray:
    """A speaker number for each window; num_speakers None finds out how many."""
    embeddings = windows.embeddings
    if len(embeddings) <= 2:
        return np.arange(len(embeddings))
    if len(embeddings) <= MAX_CLUSTERED:
        return spectral_clusters(embeddings, num_speakers, windows.stretches)
    sample = np.linspace(0, len(embeddings) - 1, MAX_CLUSTERED).round().astype(int)
    labels = spectral_clusters(embeddings[sample], num_speakers, windows.stretches[sample])
    return _nearest_centroid(embeddings, sample, labels)
