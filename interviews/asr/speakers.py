"""Who speaks when: offline speaker separation of transcribed segments.

Whisper's segments are not turns: one segment often holds the end of a question and the
start of its answer. So each word (or, without word timings, each whole segment) gets a
speaker, and a segment whose words have different speakers is split where the speaker
changes.

- A stereo recording whose channels hold different people (a call recorder, two
  microphones): each word goes to its louder channel. This needs nothing beyond the default
  install.
- Otherwise: voice embeddings of 1.6-second windows of speech only (stretches of words
  without a pause, so no window straddles a silence), made with resemblyzer's bundled voice
  encoder (no token, no network), grouped by spectral clustering (average-linkage clustering
  was at chance on a real phone call); a word takes the speaker of the windows over it. A
  long recording has more windows than spectral clustering can handle (its affinity matrix
  grows with their square, its time with their cube): an even sample of them is clustered
  and the others join the nearest cluster.

The recording is read a stretch at a time, never whole. Speakers are numbered in order of
first appearance, so 0 is whoever speaks first. resemblyzer (with PyTorch) and scikit-learn
are the `speakers` extra: they are imported only when voices are separated, and
`extras.voices_available` says whether they are installed.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from interviews.asr.audio import SAMPLE_RATE, AudioWindow, channel_count
from interviews.asr.base import Segment, Word
from interviews.asr.extras import SPEAKERS_INSTALL_HINT, voices_available

DEFAULT_SPEAKERS = 2
MAX_SPEAKERS = 8
EMBEDDING_SIZE = 256
#: Voice embeddings per second of speech (resemblyzer's windows are 1.6 s long): 1 gave
#: the same speakers as 2 on generated dialogues in half the time.
EMBEDDING_RATE = 1.0
#: Words closer than this (seconds) belong to one stretch of speech.
PAUSE_SECONDS = 0.3
#: Stretches of speech shorter than this carry too little voice to embed; their words take a
#: neighbour's speaker.
MIN_SPEECH_SECONDS = 0.5
#: Inside a segment, a speaker's words lasting less than this are taken for the neighbour's.
MIN_TURN_SECONDS = 0.3
#: At most this many windows are clustered (about 12 minutes of speech); the rest join the
#: nearest cluster.
MAX_CLUSTERED = 1_500
#: A channel this much louder (dB) than the other holds the word's speaker...
CHANNEL_MARGIN_DB = 6.0
#: ...and when that holds for this share of the words, channels are speakers.
CHANNEL_AGREEMENT = 0.8

OnProgress = Callable[[float], None]


class SpeakersUnavailable(RuntimeError):
    """Voices cannot be told apart: the `speakers` extra is not installed."""


def _no_progress(share: float) -> None:
    """The default on_progress: nobody is told."""


@dataclass(frozen=True)
class Unit:
    """What gets a speaker: a word, or a whole segment that has no word timings."""

    segment: int
    start: float
    end: float


def units_of(segments: Sequence[Segment]) -> list[Unit]:
    """Every segment's words (or the segment itself), segment by segment."""
    return [
        unit
        for index, segment in enumerate(segments)
        for unit in (
            [Unit(index, word.start, word.end) for word in segment.words]
            or [Unit(index, segment.start, segment.end)]
        )
    ]


def _in_time_order(units: Sequence[Unit]) -> list[int]:
    return sorted(range(len(units)), key=lambda index: units[index].start)


def _loudness_db(samples: np.ndarray) -> float:
    """dBFS; -120 for no samples (a word Whisper timed as lasting no time)."""
    power = np.mean(np.square(samples, dtype=np.float64)) if samples.size else 0.0
    return 10 * float(np.log10(power + 1e-12))


def channel_differences(
    audio_path: Path | str, units: Sequence[Unit], on_progress: OnProgress = _no_progress
) -> list[float]:
    """How much louder (dB) the left channel is than the right, unit by unit.

    on_progress is told 0 as the pass goes on: the voices' pass may come after it."""
    window = AudioWindow(audio_path, channels=2)
    differences = [0.0] * len(units)
    for done, index in enumerate(_in_time_order(units), start=1):
        samples = window.between(units[index].start, units[index].end)
        differences[index] = _loudness_db(samples[0]) - _loudness_db(samples[1])
        if done % 100 == 0:
            on_progress(0.0)
    return differences


def speakers_by_channel(differences: Sequence[float]) -> list[int] | None:
    """Speaker 0 or 1 by the louder channel, or None when the channels do not separate them."""
    decisive = sum(abs(d) >= CHANNEL_MARGIN_DB for d in differences)
    if not differences or decisive < CHANNEL_AGREEMENT * len(differences):
        return None
    return [0 if d >= 0 else 1 for d in differences]


def speech_stretches(units: Sequence[Unit]) -> list[tuple[float, float]]:
    """(start, end) of stretches of units with no pause of PAUSE_SECONDS between them."""
    stretches: list[list[float]] = []
    for unit in (units[index] for index in _in_time_order(units)):
        if stretches and unit.start - stretches[-1][1] < PAUSE_SECONDS:
            stretches[-1][1] = max(stretches[-1][1], unit.end)
        else:
            stretches.append([unit.start, unit.end])
    return [(start, end) for start, end in stretches]


@lru_cache(maxsize=1)
def _voice_encoder() -> Any:
    with warnings.catch_warnings():
        # resemblyzer imports APIs that setuptools and scipy deprecate.
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        warnings.filterwarnings("ignore", "Please import `binary_dilation`", DeprecationWarning)
        from resemblyzer import VoiceEncoder
    return VoiceEncoder("cpu", verbose=False)


def _normalised(speech: np.ndarray) -> np.ndarray:
    """Speech raised to -30 dBFS when quieter (as resemblyzer's own preprocessing does)."""
    loudness = _loudness_db(speech)
    if loudness >= -30:
        return speech
    return speech * np.float32(10 ** ((-30 - loudness) / 20))


@dataclass(frozen=True)
class Windows:
    """Voice embeddings (unit length) and the (start, end) seconds of speech each covers."""

    embeddings: np.ndarray
    spans: np.ndarray


def _embedded(
    encoder: Any, speech: np.ndarray, start: float
) -> Iterator[tuple[np.ndarray, tuple[float, float]]]:
    _, partials, slices = encoder.embed_utterance(
        _normalised(speech), return_partials=True, rate=EMBEDDING_RATE
    )
    for embedding, piece in zip(partials, slices, strict=True):
        end = min(piece.stop, len(speech))
        yield embedding, (start + piece.start / SAMPLE_RATE, start + end / SAMPLE_RATE)


def voice_windows(
    audio_path: Path | str,
    stretches: Sequence[tuple[float, float]],
    on_progress: OnProgress = _no_progress,
) -> Windows:
    """Embeddings of windows of every stretch of speech long enough to hold a voice."""
    if not voices_available():
        raise SpeakersUnavailable(
            "speaker separation by voice is not installed on this server "
            f"({SPEAKERS_INSTALL_HINT})"
        )
    encoder = _voice_encoder()
    on_progress(0.0)
    audio = AudioWindow(audio_path)
    embeddings: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    for done, (start, end) in enumerate(stretches, start=1):
        speech = audio.between(start, end)[0]
        if len(speech) >= MIN_SPEECH_SECONDS * SAMPLE_RATE:
            for embedding, span in _embedded(encoder, speech, start):
                embeddings.append(embedding)
                spans.append(span)
        on_progress(done / len(stretches))
    return Windows(
        np.array(embeddings, dtype=np.float32).reshape(-1, EMBEDDING_SIZE),
        np.array(spans, dtype=np.float64).reshape(-1, 2),
    )


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


def _spectral_clusters(embeddings: np.ndarray, num_speakers: int | None) -> np.ndarray:
    from sklearn.cluster import SpectralClustering

    affinity = _affinity(embeddings)
    wanted = num_speakers or estimate_speakers(affinity, min(MAX_SPEAKERS, len(embeddings) - 1))
    wanted = min(wanted, len(embeddings) - 1)
    clustering = SpectralClustering(n_clusters=wanted, affinity="precomputed", random_state=0)
    return clustering.fit_predict(affinity)


def _nearest_centroid(embeddings: np.ndarray, sample: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Every embedding's cluster: the one whose mean direction is closest to it."""
    clusters = np.unique(labels)
    centroids = np.array([embeddings[sample[labels == c]].mean(axis=0) for c in clusters])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return clusters[np.argmax(embeddings @ centroids.T, axis=1)]


def cluster(embeddings: np.ndarray, num_speakers: int | None) -> np.ndarray:
    """A speaker number for each embedding; num_speakers None estimates how many."""
    if len(embeddings) <= DEFAULT_SPEAKERS:
        return np.arange(len(embeddings))
    if len(embeddings) <= MAX_CLUSTERED:
        return _spectral_clusters(embeddings, num_speakers)
    sample = np.linspace(0, len(embeddings) - 1, MAX_CLUSTERED).round().astype(int)
    labels = _spectral_clusters(embeddings[sample], num_speakers)
    return _nearest_centroid(embeddings, sample, labels)


def label_units(units: Sequence[Unit], spans: np.ndarray, labels: np.ndarray) -> list[int | None]:
    """Each unit's speaker: the label of the windows over it, weighed by how much they cover
    it; None when no window does."""
    starts = spans[:, 0]
    ends_so_far = np.maximum.accumulate(spans[:, 1]) if len(spans) else spans[:, 1]
    found: list[int | None] = []
    for unit in units:
        first = int(np.searchsorted(ends_so_far, unit.start, side="right"))
        last = int(np.searchsorted(starts, unit.end, side="left"))
        votes: Counter[int] = Counter()
        for index in range(first, last):
            overlap = min(spans[index, 1], unit.end) - max(spans[index, 0], unit.start)
            if overlap > 0:
                votes[int(labels[index])] += overlap
        found.append(votes.most_common(1)[0][0] if votes else None)
    return found


def fill_gaps(labels: Sequence[int | None]) -> list[int]:
    """Units without a speaker take the one before them (or the first one found)."""
    known = [label for label in labels if label is not None]
    current = known[0] if known else 0
    filled = []
    for label in labels:
        current = current if label is None else label
        filled.append(current)
    return filled


@dataclass
class Turn:
    """Consecutive words of one speaker inside a segment."""

    speaker: int
    words: list[Word]

    @property
    def seconds(self) -> float:
        return self.words[-1].end - self.words[0].start


def turns_of(words: Sequence[Word], speakers: Sequence[int]) -> list[Turn]:
    """The words' turns, without turns shorter than MIN_TURN_SECONDS."""
    turns: list[Turn] = []
    for word, speaker in zip(words, speakers, strict=True):
        if turns and turns[-1].speaker == speaker:
            turns[-1].words.append(word)
        else:
            turns.append(Turn(speaker, [word]))
    return _without_short_turns(turns)


def _without_short_turns(turns: list[Turn]) -> list[Turn]:
    """A short turn joins the turn before it (the first one, the turn after it)."""
    kept: list[Turn] = []
    for turn in turns:
        if kept and (turn.seconds < MIN_TURN_SECONDS or kept[-1].speaker == turn.speaker):
            kept[-1].words.extend(turn.words)
        else:
            kept.append(turn)
    if len(kept) > 1 and kept[0].seconds < MIN_TURN_SECONDS:
        kept[1] = Turn(kept[1].speaker, kept[0].words + kept[1].words)
        del kept[0]
    return kept


def split_by_speaker(segment: Segment, speakers: list[int]) -> list[Segment]:
    """The segment with its speaker, or split where its words' speaker changes.

    speakers: one per word, or one for a segment without word timings."""
    if not segment.words:
        return [replace(segment, speaker=speakers[0])]
    turns = turns_of(segment.words, speakers)
    if len(turns) == 1:
        return [replace(segment, speaker=turns[0].speaker)]
    return [
        replace(
            segment,
            start=segment.start if n == 0 else turn.words[0].start,
            end=segment.end if n == len(turns) - 1 else turn.words[-1].end,
            text=" ".join(word.text for word in turn.words),
            words=turn.words,
            speaker=turn.speaker,
        )
        for n, turn in enumerate(turns)
    ]


def _by_first_appearance(pieces: list[list[Segment]]) -> list[list[Segment]]:
    order: dict[int, int] = {}
    for segment in sorted((s for split in pieces for s in split), key=lambda s: s.start):
        order.setdefault(segment.speaker, len(order))
    return [[replace(s, speaker=order[s.speaker]) for s in split] for split in pieces]


def unit_speakers(
    audio_path: Path | str,
    units: Sequence[Unit],
    num_speakers: int | None,
    on_progress: OnProgress = _no_progress,
) -> list[int]:
    """A speaker number for each unit, by channel when a stereo recording's channels
    separate the speakers, else by voice."""
    if channel_count(audio_path) == 2 and num_speakers in (None, 2):
        by_channel = speakers_by_channel(channel_differences(audio_path, units, on_progress))
        if by_channel is not None:
            return by_channel
    windows = voice_windows(audio_path, speech_stretches(units), on_progress)
    if not len(windows.embeddings):
        return [0] * len(units)
    labels = cluster(windows.embeddings, num_speakers)
    return fill_gaps(label_units(units, windows.spans, labels))


def assign_speakers(
    audio_path: Path | str,
    segments: Sequence[Segment],
    num_speakers: int | None = None,
    on_progress: OnProgress = _no_progress,
) -> list[list[Segment]]:
    """For each segment, itself with its speaker (0 for whoever speaks first, then 1, 2...),
    or its pieces when the speaker changes inside it.

    num_speakers None estimates how many there are (at least two). on_progress is told the
    share done (0..1, never going back) as the work goes on. SpeakersUnavailable when voices
    would have to be told apart and the `speakers` extra is not installed.
    """
    if not segments or num_speakers == 1:
        return [[replace(segment, speaker=0)] for segment in segments]
    units = units_of(segments)
    speakers = unit_speakers(audio_path, units, num_speakers, on_progress)
    per_segment: list[list[int]] = [[] for _ in segments]
    for unit, speaker in zip(units, speakers, strict=True):
        per_segment[unit.segment].append(speaker)
    pieces = [
        split_by_speaker(segment, found)
        for segment, found in zip(segments, per_segment, strict=True)
    ]
    on_progress(1.0)
    return _by_first_appearance(pieces)
