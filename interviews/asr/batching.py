"""Decoding a stretch of a recording in batches of speech clips (faster-whisper's
BatchedInferencePipeline), with the same guarantees as decoding it window after window.

The voice-activity detector runs once over the stretch. Its speech is packed, silence left
out, into clips of at most 30 seconds (one encoder window each), and the clips are decoded
`batch_size` at a time, without conditioning on the text before. The same speech pieces
give the check of what the text covers (asr.completeness), and tell where the stretch ends:
a piece that runs into the stretch's end is left to the next stretch, which starts where
the last piece kept ended. So no word is cut at a stretch's end and no audio is decoded
twice (decoding window after window, the last segment of each stretch is decoded again).

What the sequential decoder does and the batched one does not, made up for here:
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
from dataclasses import dataclass
from typing import Any

import numpy as np
from faster_whisper import BatchedInferencePipeline
from faster_whisper.transcribe import restore_speech_timestamps
from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

from interviews.asr.audio import SAMPLE_RATE
from interviews.asr.base import LOG_PROB_THRESHOLD, NO_SPEECH_THRESHOLD

#: Clips decoded at once. On 2 CPU cores 4 is as fast as 8 or 16, and a batch's segments
#: come sooner (the page's progress moves with them).
BATCH_SIZE = 4
#: The first batch of a recording holds one clip, so that its first words show at once.
FIRST_BATCH_SIZE = 1
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


def batches(count: int, first: bool, size: int) -> Iterator[slice]:
    """Slices of `count` clips, `size` at a time; the first of a recording holds one."""
    start = 0
    if first and count:
        start = min(FIRST_BATCH_SIZE, count)
        yield slice(0, start)
    for begin in range(start, count, size):
        yield slice(begin, min(begin + size, count))


def judged_silent(raw: Any) -> bool:
    """Whisper's own rule for a window it takes for silence."""
    return raw.no_speech_prob > NO_SPEECH_THRESHOLD and raw.avg_logprob < LOG_PROB_THRESHOLD


class ClipDecoder:
    """Decodes the speech pieces of one stretch in batches of clips."""

    def __init__(self, pipeline: BatchedInferencePipeline, samples: np.ndarray,
                 pieces: list[dict[str, int]]) -> None:
        self.pipeline = pipeline
        self.pieces = pieces
        chunks, clips = collect_chunks(samples, pieces, SAMPLE_RATE, CLIP_SECONDS)
        self.speech = np.concatenate(chunks)
        self.clips = [{"start": clip["offset"], "end": clip["offset"] + clip["duration"]}
                      for clip in clips if clip["duration"] > 0]

    def decode(self, which: slice, decoding: dict[str, Any]) -> tuple[list[Any], Any]:
        """The raw segments of some clips, with times in the stretch, and the pipeline's
        info (the language found)."""
        group = self.clips[which]
        raw, info = self.pipeline.transcribe(self.speech, clip_timestamps=group,
                                             batch_size=len(group), **decoding)
        kept = [segment for segment in raw if not judged_silent(segment)]
        return list(restore_speech_timestamps(kept, self.pieces, SAMPLE_RATE)), info
