"""Decoding a stretch of a recording as clips of speech, several at once, with the same
guarantees as decoding it window after window.

The voice-activity detector runs once over the stretch. Its speech is packed, silence left
out, into clips of at most 30 seconds (one encoder window each), as faster-whisper's
BatchedInferencePipeline does, and each clip is decoded on its own, without the text before
it. The same speech pieces give the check of what the text covers (asr.completeness), and
tell where the stretch ends: a piece that runs into the stretch's end is left to the next
stretch, which starts where the last piece kept ended. So no word is cut at a stretch's end
and no audio is decoded twice (decoding window after window, the last segment of each
stretch is decoded again).

Clips are decoded one per CPU core at once, each on one thread (CTranslate2's `num_workers`),
rather than a batch of clips on all threads: on 2 cores a batch of 4 clips costs as much CPU
time as the 4 clips one by one (the encoder a fifth more, beam search a tenth less), while
one clip per core keeps both cores busy without waiting for each other (docs/benchmarks.md).
A clip's text does not depend on the others, nor on which core decodes it, so the transcript
is the same every time. The first clip of a recording is decoded alone, so that its first
words show at once and its language is found before the rest.

What the sequential decoder does and this one does not, made up for here:
- A window judged silent (no-speech probability over NO_SPEECH_THRESHOLD and average log
  probability under LOG_PROB_THRESHOLD) is skipped, as Whisper does; its speech becomes a
  hole in the text, which the completeness check decodes again on its own.
- The vocabulary prompt is given to every clip, not only to the first window: a prompt said
  back is caught by the completeness check and decoded again without it.
- No silence is skipped around a likely hallucination (hallucination_silence_threshold):
  the clips hold speech only.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.transcribe import restore_speech_timestamps
from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

from interviews.asr.audio import SAMPLE_RATE
from interviews.asr.base import LOG_PROB_THRESHOLD, NO_SPEECH_THRESHOLD

#: Whisper's window: a clip is at most this long (seconds).
CLIP_SECONDS = 30
#: Speech as the job hears it (asr.completeness.VAD_OPTIONS), in pieces no longer than a clip.
SPEECH_OPTIONS = VadOptions(min_silence_duration_ms=500, speech_pad_ms=200,
                            max_speech_duration_s=CLIP_SECONDS)
#: A speech piece that ends closer than this to a stretch's end may run on past it.
EDGE_SECONDS = 0.1


@dataclass(frozen=True)
class Speech:
    """The speech pieces of a stretch ({"start", "end"} in samples from its start), those
    decoded now, and where (seconds from the stretch's start) the next stretch begins."""

    pieces: list[dict[str, int]]
    decoded: list[dict[str, int]]
    next_start: float


def speech_pieces(samples: np.ndarray) -> list[dict[str, int]]:
    return get_speech_timestamps(samples, SPEECH_OPTIONS)


def split_at_speech(samples: np.ndarray, last: bool, min_advance: float) -> Speech:
    """The speech of a stretch, without the piece that runs into its end unless it is the
    recording's `last` stretch, or leaving it would move on by less than `min_advance`."""
    pieces = speech_pieces(samples)
    seconds = samples.size / SAMPLE_RATE
    limit = samples.size - EDGE_SECONDS * SAMPLE_RATE
    decoded = pieces if last else [piece for piece in pieces if piece["end"] < limit]
    if len(decoded) == len(pieces):
        return Speech(pieces, pieces, seconds)
    next_start = (decoded[-1]["end"] if decoded else pieces[len(decoded)]["start"]) / SAMPLE_RATE
    if next_start < min_advance:
        return Speech(pieces, pieces, seconds)
    return Speech(pieces, decoded, next_start)


def judged_silent(raw: Any) -> bool:
    """Whisper's own rule for a window it takes for silence."""
    return raw.no_speech_prob > NO_SPEECH_THRESHOLD and raw.avg_logprob < LOG_PROB_THRESHOLD


class ClipDecoder:
    """Decodes the speech pieces of one stretch as clips."""

    def __init__(self, model: WhisperModel, samples: np.ndarray,
                 pieces: list[dict[str, int]]) -> None:
        self.model = model
        self.pieces = pieces
        chunks, clips = collect_chunks(samples, pieces, SAMPLE_RATE, CLIP_SECONDS)
        self.speech = np.concatenate(chunks)
        self.clips = [{"start": clip["offset"], "end": clip["offset"] + clip["duration"]}
                      for clip in clips if clip["duration"] > 0]

    def __len__(self) -> int:
        return len(self.clips)

    def decode(self, index: int, decoding: dict[str, Any]) -> tuple[list[Any], Any]:
        """The raw segments of one clip, with times in the stretch, and the pipeline's info
        (the language found)."""
        raw, info = BatchedInferencePipeline(self.model).transcribe(
            self.speech, clip_timestamps=self.clips[index:index + 1], batch_size=1, **decoding)
        kept = [segment for segment in raw if not judged_silent(segment)]
        return list(restore_speech_timestamps(kept, self.pieces, SAMPLE_RATE)), info

    def decode_from(self, first: int, decoding: dict[str, Any],
                    pool: Executor) -> Iterator[tuple[list[Any], Any]]:
        """The clips from `first` on, decoded at once by the pool's threads, in order."""
        return pool.map(lambda index: self.decode(index, decoding), range(first, len(self)))
