"""Who speaks when: offline speaker separation of transcribed segments.

- A stereo recording whose channels hold different people (a call recorder, two
  microphones): each segment goes to its louder channel.
- Otherwise: voice embeddings of short windows of each segment's speech, made with
  resemblyzer's bundled voice encoder (no token, no network), grouped by spectral clustering
  (average-linkage clustering was at chance on a real phone call); a segment takes the
  speaker most of its windows were given.

Speakers are numbered in order of first appearance, so 0 is whoever speaks first (usually
the interviewer). resemblyzer needs PyTorch: this module belongs to the `speakers` extra and
nothing in the default install imports it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
from faster_whisper.audio import decode_audio
from resemblyzer import VoiceEncoder
from resemblyzer.audio import normalize_volume
from sklearn.cluster import SpectralClustering

from interviews.asr.base import Segment

SAMPLE_RATE = 16_000
DEFAULT_SPEAKERS = 2
MAX_SPEAKERS = 8
#: Voice embeddings per second of speech (resemblyzer's windows are 1.6 s long).
EMBEDDING_RATE = 2.0
#: Segments shorter than this carry too little voice to embed; they take a neighbour's speaker.
MIN_SEGMENT_SECONDS = 0.5
#: A channel this much louder (dB) than the other holds the segment's speaker...
CHANNEL_MARGIN_DB = 6.0
#: ...and when that holds for this share of segments, channels are speakers.
CHANNEL_AGREEMENT = 0.8


def channel_count(audio_path: Path | str) -> int:
    with av.open(str(audio_path)) as container:
        return container.streams.audio[0].codec_context.channels


def _span(audio: np.ndarray, segment: Segment) -> np.ndarray:
    return audio[int(segment.start * SAMPLE_RATE) : int(segment.end * SAMPLE_RATE)]


def _loudness_db(samples: np.ndarray) -> float:
    return 10 * float(np.log10(np.mean(np.square(samples, dtype=np.float64)) + 1e-12))


def speakers_by_channel(
    left: np.ndarray, right: np.ndarray, segments: Sequence[Segment]
) -> list[int] | None:
    """Speaker 0 or 1 by the louder channel, or None when the channels do not separate them."""
    differences = [_loudness_db(_span(left, s)) - _loudness_db(_span(right, s)) for s in segments]
    decisive = sum(abs(d) >= CHANNEL_MARGIN_DB for d in differences)
    if not segments or decisive < CHANNEL_AGREEMENT * len(segments):
        return None
    return [0 if d >= 0 else 1 for d in differences]


def _window_embeddings(
    encoder: VoiceEncoder, audio: np.ndarray, segments: Sequence[Segment]
) -> tuple[np.ndarray, list[int]]:
    """Embeddings of windows of every long enough segment, and which segment each is from."""
    embeddings: list[np.ndarray] = []
    owners: list[int] = []
    for index, segment in enumerate(segments):
        speech = _span(audio, segment)
        if len(speech) < MIN_SEGMENT_SECONDS * SAMPLE_RATE:
            continue
        _, partials, _ = encoder.embed_utterance(
            normalize_volume(speech, -30, increase_only=True),
            return_partials=True,
            rate=EMBEDDING_RATE,
        )
        embeddings.extend(partials)
        owners.extend([index] * len(partials))
    return np.array(embeddings), owners


def _affinity(embeddings: np.ndarray) -> np.ndarray:
    # The embeddings have unit length: their dot product is their cosine similarity.
    return np.clip(embeddings @ embeddings.T, 0.0, 1.0)


def estimate_speakers(affinity: np.ndarray, max_speakers: int = MAX_SPEAKERS) -> int:
    """The number of speakers after which the Laplacian's eigenvalues jump the most."""
    degrees = affinity.sum(axis=1)
    scale = 1.0 / np.sqrt(np.maximum(degrees, 1e-12))
    laplacian = np.eye(len(affinity)) - scale[:, None] * affinity * scale[None, :]
    eigenvalues = np.sort(np.linalg.eigvalsh(laplacian))[: max_speakers + 1]
    gaps = np.diff(eigenvalues)
    return max(DEFAULT_SPEAKERS, int(np.argmax(gaps[1:])) + 2)


def _cluster(embeddings: np.ndarray, num_speakers: int | None) -> np.ndarray:
    if len(embeddings) <= DEFAULT_SPEAKERS:
        return np.arange(len(embeddings))
    affinity = _affinity(embeddings)
    wanted = num_speakers or estimate_speakers(affinity, min(MAX_SPEAKERS, len(embeddings) - 1))
    wanted = min(wanted, len(embeddings) - 1)
    clustering = SpectralClustering(n_clusters=wanted, affinity="precomputed", random_state=0)
    return clustering.fit_predict(affinity)


def _segment_labels(labels: np.ndarray, owners: list[int], count: int) -> list[int | None]:
    votes: list[Counter[int]] = [Counter() for _ in range(count)]
    for label, owner in zip(labels, owners, strict=True):
        votes[owner][int(label)] += 1
    return [vote.most_common(1)[0][0] if vote else None for vote in votes]


def _fill_gaps(labels: list[int | None]) -> list[int]:
    """Segments without a speaker take the one before them (or the first one found)."""
    known = [label for label in labels if label is not None]
    current = known[0] if known else 0
    filled = []
    for label in labels:
        current = current if label is None else label
        filled.append(current)
    return filled


def _by_first_appearance(labels: list[int]) -> list[int]:
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(label, len(order))
    return [order[label] for label in labels]


def speakers_by_voice(
    audio: np.ndarray, segments: Sequence[Segment], num_speakers: int | None = None
) -> list[int]:
    embeddings, owners = _window_embeddings(VoiceEncoder("cpu", verbose=False), audio, segments)
    labels = _cluster(embeddings, num_speakers) if owners else np.array([], dtype=int)
    return _fill_gaps(_segment_labels(labels, owners, len(segments)))


def assign_speakers(
    audio_path: Path | str, segments: Sequence[Segment], num_speakers: int | None = None
) -> list[int]:
    """A speaker number for each segment: 0 for whoever speaks first, then 1, 2...

    num_speakers None estimates how many there are (at least two).
    """
    if not segments:
        return []
    if channel_count(audio_path) == 2 and num_speakers in (None, 2):
        left, right = decode_audio(str(audio_path), SAMPLE_RATE, split_stereo=True)
        by_channel = speakers_by_channel(left, right, segments)
        if by_channel is not None:
            return _by_first_appearance(by_channel)
        audio = (left + right) / 2
    else:
        audio = decode_audio(str(audio_path), SAMPLE_RATE)
    return _by_first_appearance(speakers_by_voice(audio, segments, num_speakers))
