"""Who speaks when: offline speaker separation of transcribed segments.

Whisper's segments are not turns: one segment often holds the end of a question and the
start of its answer. So each word (or, without word timings, each whole segment) gets a
speaker, and a segment whose words have different speakers is split where the speaker
changes.

- A stereo recording whose channels hold different people (a call recorder, two
  microphones): each word goes to its louder channel. This needs nothing beyond the default
  install.
- Otherwise: voice embeddings of 1.6-second windows of speech only (stretches of words
  without a pause, so no window straddles a silence), made with resemblyzer's voice encoder
  run in numpy from a file shipped with Fieldwork (asr.voices: no PyTorch, no token, no
  network), grouped by spectral clustering into several groups that are merged while their
  voices are alike, which also finds how many speakers there are (asr.voices.clustering);
  a word takes the speaker of the windows over it. A
  long recording has more windows than spectral clustering can handle (its affinity matrix
  grows with their square, its time with their cube): an even sample of them is clustered
  and the others join the nearest cluster.

The recording is read a stretch at a time, never whole. Speakers are numbered in order of
first appearance, so 0 is whoever speaks first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from interviews.asr.audio import AudioWindow, channel_count
from interviews.asr.base import Segment, Word
from interviews.asr.voices.embedding import cluster, voice_windows

#: Words closer than this (seconds) belong to one stretch of speech.
PAUSE_SECONDS = 0.3
#: Inside a segment, a speaker's words lasting less than this are taken for the neighbour's.
MIN_TURN_SECONDS = 0.3
#: A channel this much louder (dB) than the other holds the word's speaker...
CHANNEL_MARGIN_DB = 6.0
#: ...and when that holds for this share of the words, channels are speakers.
CHANNEL_AGREEMENT = 0.8

OnProgress = Callable[[float], None]


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


def without_lone_windows(labels: np.ndarray, stretches: np.ndarray) -> np.ndarray:
    """A window of a stretch of speech whose two neighbours in it (or, at the stretch's
    start or end, the two next to it) agree on another speaker takes theirs: a speaker does
    not change for a single overlapping window, however its voice came out (the first
    window of a recording, in a test, went to the other voice)."""
    smoothed = labels.copy()
    for stretch in np.unique(stretches):
        indexes = np.flatnonzero(stretches == stretch)
        if len(indexes) < 3:
            continue
        found = labels[indexes]
        for position in range(len(indexes)):
            if position == 0:
                pair = found[1], found[2]
            elif position == len(indexes) - 1:
                pair = found[-2], found[-3]
            else:
                pair = found[position - 1], found[position + 1]
            if pair[0] == pair[1] != found[position]:
                smoothed[indexes[position]] = pair[0]
    return smoothed


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
    labels = without_lone_windows(cluster(windows, num_speakers), windows.stretches)
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
    would have to be told apart and the voice encoder's file is missing.
    """
    if not segments or num_speakers == 1:
        return [[replace(segment, speaker=0)] for segment in segments]
    units = units_of(segments)
    pieces = split_segments(segments, units, unit_speakers(audio_path, units, num_speakers,
                                                           on_progress))
    on_progress(1.0)
    return pieces


def split_segments(
    segments: Sequence[Segment], units: Sequence[Unit], speakers: Sequence[int]
) -> list[list[Segment]]:
    """Each segment with its speaker, or split where its units' speakers change, speakers
    numbered by first appearance; units are units_of(segments), speakers one per unit."""
    per_segment: list[list[int]] = [[] for _ in segments]
    for unit, speaker in zip(units, speakers, strict=True):
        per_segment[unit.segment].append(speaker)
    return _by_first_appearance([
        split_by_speaker(segment, found)
        for segment, found in zip(segments, per_segment, strict=True)
    ])
