"""What every transcription engine takes and gives back, and the rules they share.

Engines stream their segments: each one is handed to the caller's `on_segment` callback as
soon as it is decoded, with the progress so far (the segment's end over the duration), so a
background job can report progress and stop early by raising `TranscriptionCancelled`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

#: The engines, by the name a job's options give (engines.get_engine makes one).
ENGINES = ("faster-whisper", "openai-whisper")
DEFAULT_ENGINE = "faster-whisper"
#: A window whose no-speech probability is above this (and whose text is improbable) is
#: treated as silence rather than transcribed: Whisper invents text over silence otherwise.
NO_SPEECH_THRESHOLD = 0.6
#: Windows decoded with an average log probability below this (and a high no-speech
#: probability) are taken for silence.
LOG_PROB_THRESHOLD = -1.0
#: Windows whose text compresses better than this are repetition loops.
COMPRESSION_RATIO_THRESHOLD = 2.4
#: Greedy and beam search only, never Whisper's fallback to random sampling at higher
#: temperatures: sampling gave a different transcript of the same file on each run (13
#: segments, then 5), and after a worker died, text it invented. Loops and gaps are
#: handled by decoding again without the prompt instead (asr.completeness).
TEMPERATURE = 0.0
#: With word timestamps, a silence longer than this (seconds) around a likely hallucination
#: is skipped.
HALLUCINATION_SILENCE_SECONDS = 2.0


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    #: Same text as the segment before it: a typical hallucination, to be reviewed.
    repeated: bool = False
    #: Who speaks, numbered from 0 in order of first appearance (asr.speakers).
    speaker: int = 0
    #: Still a loop, or the prompt said back, after decoding it again (asr.completeness).
    doubtful: bool = False
    #: Speech in which no text was found: the text says where, for a person to listen.
    gap: bool = False


@dataclass(frozen=True)
class TranscriptionOptions:
    #: A model name ("tiny.en", "base", "small", a faster-whisper name) or a model folder.
    model: str = "tiny.en"
    #: A language code such as "en" or "pl"; None detects it from the first 30 seconds.
    language: str | None = None
    vad_filter: bool = True
    #: Vocabulary the speakers use (names of cities, institutions), to spell them right.
    initial_prompt: str | None = None
    word_timestamps: bool = True
    beam_size: int = 5


@dataclass(frozen=True)
class TranslationOptions:
    """Whisper's translate task: speech in `language` written in English."""

    #: a multilingual model: Whisper's English-only models (tiny.en ...) cannot translate
    model: str = "base"
    #: the language spoken, e.g. "pl"
    language: str = ""
    beam_size: int = 5


@dataclass(frozen=True)
class TranscriptionResult:
    language: str
    language_probability: float
    duration: float
    segments: list[Segment]
    #: seconds of speech the voice-activity detector heard (0 when it was not checked)
    speech_seconds: float = 0.0
    #: seconds of that speech covered by text
    covered_seconds: float = 0.0
    #: wall seconds spent decoding loops and holes again (asr.completeness)
    redecoding_seconds: float = 0.0

    @property
    def coverage(self) -> float:
        """The share of the speech heard that the text covers (1 when none was heard)."""
        if self.speech_seconds <= 0:
            return 1.0
        return min(self.covered_seconds / self.speech_seconds, 1.0)

    @property
    def text(self) -> str:
        return " ".join(segment.text for segment in self.segments)


OnSegment = Callable[[Segment, float], None]
#: on_translated(index, segment, progress): the English of stretch `index`, and the share of
#: the stretches' time translated so far
OnTranslated = Callable[[int, Segment, float], None]


class UnknownEngine(ValueError):
    """A name that is none of ENGINES."""


class TranscriptionCancelled(Exception):
    """Raised by an `on_segment` callback to stop a transcription."""


class EngineUnavailable(RuntimeError):
    """The engine's optional dependencies are not installed."""


class InvalidModel(ValueError):
    """A model file or folder that is truncated, corrupt or of an unsupported kind."""


class ModelNotInstalled(LookupError):
    """A model that must be installed first; the message says how."""


class CannotTranslate(ValueError):
    """A model that cannot translate (an English-only one), said in words."""


class Engine(Protocol):
    name: str

    def transcribe(
        self, audio_path: Path | str, options: TranscriptionOptions, on_segment: OnSegment
    ) -> TranscriptionResult: ...


def normalise_text(text: str) -> str:
    """Lower case words without punctuation, to compare segments' text."""
    return " ".join(re.findall(r"\w+", text.lower()))


def clock(seconds: float) -> str:
    """hh:mm:ss, as transcripts show times."""
    whole = int(seconds)
    return f"{whole // 3600:02}:{whole % 3600 // 60:02}:{whole % 60:02}"


def progress(end: float, duration: float) -> float:
    if duration <= 0:
        return 1.0
    return min(max(end / duration, 0.0), 1.0)


def stream_segments(
    segments: Iterable[Segment], duration: float, on_segment: OnSegment
) -> list[Segment]:
    """Hand each non-empty segment to `on_segment` as it comes, flagging repeats.

    Progress never goes back, even when a segment ends before the one before it.
    """
    kept: list[Segment] = []
    previous = ""
    done = 0.0
    for segment in segments:
        normalised = normalise_text(segment.text)
        if not normalised:
            continue
        segment = replace(segment, text=segment.text.strip(), repeated=normalised == previous)
        previous = normalised
        kept.append(segment)
        done = max(done, progress(segment.end, duration))
        on_segment(segment, done)
    return kept
