"""Nothing lost, nothing invented: a check of each decoded stretch of a recording.

Whisper can drop speech without a word (a 30-second window judged silent) and can invent
text (a loop of one phrase, the vocabulary
prompt said back). So after a stretch is decoded:

- A segment that repeats itself or only repeats the prompt is decoded again on its own,
  without the prompt; if it is still such a loop it stays, flagged `doubtful`.
- Where the voice-activity detector (Silero, shipped with faster-whisper) hears speech
  that no segment covers for more than MIN_GAP_SECONDS, that stretch is decoded again on
  its own, without the previous text and the prompt. What is still without text becomes a
  visible gap segment ("[no text 00:00:31–00:00:45]") for a person to listen to.
- Whisper also drops single words where one segment ends and the next begins. Speech of at
  least MIN_MISSED_SECONDS there, with no word, heard again by the detector at a finer grain,
  becomes a short gap too. It is not decoded again: on its own, so short a stretch comes
  back as invented words (a dropped "pandemic" came back as "and there we go").

The speech time heard and the speech time covered by text are counted, so that a job can
say how much of the speech its text covers.
"""

from __future__ import annotations

import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from interviews.asr.audio import SAMPLE_RATE
from interviews.asr.base import Segment, clock, normalise_text

#: Speech without text longer than this (seconds) is decoded again, then shown as a gap.
MIN_GAP_SECONDS = 3.0
#: Seconds of audio kept on each side of a stretch decoded again, so no word is cut.
REDECODE_MARGIN = 0.5
#: Text that compresses better than this is a loop (Whisper's own threshold is 2.4).
LOOP_COMPRESSION_RATIO = 2.4
#: A segment whose words lie for this share in phrases (PHRASE_WORDS words) said three
#: times or more repeats itself.
LOOP_SHARE = 0.5
PHRASE_WORDS = 4
MIN_LOOP_WORDS = 6
#: Stretches of speech closer than this (seconds) are one.
REGION_JOIN_SECONDS = 0.5
#: Speech as the job hears it: short pauses inside a turn stay inside the stretch.
VAD_OPTIONS = VadOptions(min_silence_duration_ms=500, speech_pad_ms=200)
#: Speech between two segments at least this long (seconds) with no word is a missed word.
MIN_MISSED_SECONDS = 0.4
#: Whisper's word times are this far (seconds) from the sound, either way.
WORD_SLACK = 0.15
#: Audio heard on each side of a possible missed word, so the detector hears it in context.
MISSED_CONTEXT = 0.3
#: Speech as a word is heard: no padding, pauses from 0.2 s.
WORD_VAD_OPTIONS = VadOptions(min_silence_duration_ms=200, speech_pad_ms=0)

#: decode(samples, offset): the segments of these samples, decoded alone without the
#: prompt, with times from `offset` seconds.
Redecode = Callable[[np.ndarray, float], list[Segment]]


@dataclass
class Coverage:
    """Seconds of speech heard by the voice-activity detector, and of those, covered by text;
    and the time spent decoding stretches again (wall seconds)."""

    speech: float = 0.0
    covered: float = 0.0
    redecoding: float = 0.0


def gap_text(start: float, end: float) -> str:
    if clock(start) == clock(end):
        return f"[no text at {clock(start)}]"
    return f"[no text {clock(start)}–{clock(end)}]"


def in_seconds(pieces: list[dict[str, int]], offset: float) -> list[tuple[float, float]]:
    """The voice-activity detector's pieces (in samples) as seconds from `offset`."""
    return [(offset + found["start"] / SAMPLE_RATE, offset + found["end"] / SAMPLE_RATE)
            for found in pieces]


def around(samples: np.ndarray, offset: float, start: float, end: float,
           margin: float) -> tuple[np.ndarray, float]:
    """The samples from start to end (seconds from `offset`) with `margin` seconds each side,
    as far as they go, and the time their first sample stands for."""
    first = max(int((start - margin - offset) * SAMPLE_RATE), 0)
    last = min(int((end + margin - offset) * SAMPLE_RATE), samples.size)
    return samples[first:last], offset + first / SAMPLE_RATE


def speech_regions(samples: np.ndarray, offset: float,
                   pieces: list[dict[str, int]] | None = None) -> list[tuple[float, float]]:
    """Stretches of speech in mono 16 kHz samples, in seconds from `offset`; stretches that
    touch (each is padded) are one, so that one hole in the text is one gap. `pieces` are
    the voice-activity detector's, when it has already run over these samples."""
    regions: list[tuple[float, float]] = []
    if pieces is None:
        pieces = get_speech_timestamps(samples, VAD_OPTIONS)
    for start, end in in_seconds(pieces, offset):
        if regions and start - regions[-1][1] < REGION_JOIN_SECONDS:
            regions[-1] = (regions[-1][0], end)
        else:
            regions.append((start, end))
    return regions


def _spans(segments: list[Segment]) -> list[tuple[float, float]]:
    """Where text lies: each word's time, or the segment's when it has no word timings."""
    spans = []
    for segment in segments:
        if segment.gap:
            continue
        if segment.words:
            spans += [(word.start, word.end) for word in segment.words]
        else:
            spans.append((segment.start, segment.end))
    return sorted(spans)


def uncovered(region: tuple[float, float], spans: list[tuple[float, float]],
              slack: float) -> list[tuple[float, float]]:
    """Parts of `region` that no span reaches within `slack` seconds."""
    holes, position = [], region[0]
    for start, end in spans:
        if end + slack <= position:
            continue
        if start - slack >= region[1]:
            break
        if start - slack > position:
            holes.append((position, start - slack))
        position = max(position, end + slack)
    if position < region[1]:
        holes.append((position, region[1]))
    return holes


def loop_reason(text: str, prompt: str | None) -> str | None:
    """Why a segment's text looks invented (a loop, or the prompt said back), or None."""
    words = normalise_text(text).split()
    if not words:
        return None
    if _says_the_prompt_back(words, normalise_text(prompt or "").split()):
        return "only words of the vocabulary prompt"
    if len(words) < MIN_LOOP_WORDS:
        return None
    encoded = " ".join(words).encode()
    if len(encoded) / len(zlib.compress(encoded)) > LOOP_COMPRESSION_RATIO:
        return "the same words over and over"
    if _share_in_repeated_phrases(words) >= LOOP_SHARE:
        return "one phrase repeated"
    return None


def _says_the_prompt_back(words: list[str], prompt: list[str]) -> bool:
    """Only words of the prompt, and either one of them again or three in the prompt's
    order: "European Commission" may be an answer, "Commission, EU-COM-01, EU-COM-01" is not."""
    if not prompt or not set(words) <= set(prompt):
        return False
    runs = {tuple(prompt[i:i + 3]) for i in range(len(prompt) - 2)}
    return len(set(words)) < len(words) or any(
        tuple(words[i:i + 3]) in runs for i in range(len(words) - 2))


def _share_in_repeated_phrases(words: list[str]) -> float:
    phrases = list(zip(*(words[i:] for i in range(PHRASE_WORDS)), strict=False))
    counts = Counter(phrases)
    inside = {i + j for i, phrase in enumerate(phrases) if counts[phrase] >= 3
              for j in range(PHRASE_WORDS)}
    return len(inside) / len(words)


def _decode_alone(redecode: Redecode, samples: np.ndarray, offset: float, start: float,
                  end: float) -> list[Segment]:
    """Decode the samples between start and end (with a margin each side) on their own."""
    return redecode(*around(samples, offset, start, end, REDECODE_MARGIN))


class Completeness:
    """The check, for a whole recording: its prompt, how to decode a stretch again, and
    the coverage so far."""

    def __init__(self, redecode: Redecode, prompt: str | None) -> None:
        self._redecode = redecode
        self.prompt = prompt
        self.coverage = Coverage()

    def redecode(self, samples: np.ndarray, offset: float) -> list[Segment]:
        started = time.perf_counter()
        try:
            return self._redecode(samples, offset)
        finally:
            self.coverage.redecoding += time.perf_counter() - started

    def stretch(self, samples: np.ndarray, offset: float,
                pieces: list[dict[str, int]] | None = None) -> CheckedStretch:
        """A stretch of the recording whose segments are about to be decoded, and its speech
        pieces when the voice-activity detector has already found them."""
        return CheckedStretch(self, samples, offset, pieces)

    def without_loops(self, segment: Segment, samples: np.ndarray,
                      offset: float) -> list[Segment]:
        """The segment, or what decoding its stretch again without the prompt gives when it
        is a loop; a loop that stays a loop is kept, marked doubtful."""
        if loop_reason(segment.text, self.prompt) is None:
            return [segment]
        again = _decode_alone(self.redecode, samples, offset, segment.start, segment.end)
        if again and all(loop_reason(piece.text, self.prompt) is None for piece in again):
            return again
        return [replace(segment, doubtful=True)]

    def fill(self, hole: tuple[float, float], samples: np.ndarray,
             offset: float) -> list[Segment]:
        """Speech without text decoded again on its own; what stays empty, as gaps."""
        again = [piece for piece in _decode_alone(self.redecode, samples, offset, *hole)
                 if normalise_text(piece.text) and loop_reason(piece.text, self.prompt) is None
                 and piece.end > hole[0] and piece.start < hole[1]]
        gaps = [Segment(start, end, gap_text(start, end), gap=True)
                for start, end in uncovered(hole, _spans(again), REDECODE_MARGIN)
                if end - start >= MIN_GAP_SECONDS]
        self.coverage.covered -= sum(gap.end - gap.start for gap in gaps)
        return sorted(again + gaps, key=lambda segment: segment.start)


class CheckedStretch:
    """Segments of one decoded stretch, checked as they come and handed on in order of
    time, with the speech between them that has no text filled in or marked."""

    def __init__(self, check: Completeness, samples: np.ndarray, offset: float,
                 pieces: list[dict[str, int]] | None = None) -> None:
        self.check = check
        self.samples = samples
        self.offset = offset
        self.regions = speech_regions(samples, offset, pieces)
        #: text is known up to here
        self.position = offset

    def add(self, segment: Segment) -> list[Segment]:
        pieces = self.check.without_loops(segment, self.samples, self.offset)
        spans = _spans(pieces)
        before = self._holes_until(spans[0][0] if spans else segment.start)
        self.position = max(self.position, spans[-1][1] if spans else segment.end)
        return before + pieces

    def close(self, until: float) -> list[Segment]:
        """The speech after the last segment up to `until`, where the next stretch starts;
        counts the stretch's speech."""
        after = self._holes_until(until)
        heard = sum(max(min(end, until) - start, 0.0) for start, end in self.regions)
        # every second heard counts as covered; fill() took the gaps' seconds off
        self.check.coverage.speech += heard
        self.check.coverage.covered += heard
        return after

    def _holes_until(self, until: float) -> list[Segment]:
        found: list[Segment] = []
        for start, end in self.regions:
            hole = (max(start, self.position + REDECODE_MARGIN), min(end, until - REDECODE_MARGIN))
            if hole[1] - hole[0] >= MIN_GAP_SECONDS:
                found += self.check.fill(hole, self.samples, self.offset)
        found = sorted(found + self._missed_words(until, found), key=lambda s: s.start)
        self.position = max(self.position, until)
        return found

    def _missed_words(self, until: float, filled: list[Segment]) -> list[Segment]:
        """Short gaps where speech between the text so far and `until` has no word."""
        known = [(segment.start, segment.end) for segment in filled]
        between = (self.position + WORD_SLACK, until - WORD_SLACK)
        gaps = []
        for region in self.regions:
            part = (max(region[0], between[0]), min(region[1], between[1]))
            for hole in uncovered(part, known, WORD_SLACK) if part[0] < part[1] else []:
                heard = self._word_heard(hole) if hole[1] - hole[0] >= MIN_MISSED_SECONDS else None
                if heard:
                    gaps.append(Segment(*heard, gap_text(*heard), gap=True))
        self.check.coverage.covered -= sum(gap.end - gap.start for gap in gaps)
        return gaps

    def _word_heard(self, hole: tuple[float, float]) -> tuple[float, float] | None:
        """Where in `hole` the detector hears a word's worth of speech, if it does."""
        context, start = around(self.samples, self.offset, *hole, MISSED_CONTEXT)
        pieces = in_seconds(get_speech_timestamps(context, WORD_VAD_OPTIONS), start)
        heard = [(max(begin, hole[0]), min(end, hole[1])) for begin, end in pieces
                 if min(end, hole[1]) > max(begin, hole[0])]
        if sum(end - begin for begin, end in heard) < MIN_MISSED_SECONDS:
            return None
        return heard[0][0], heard[-1][1]
