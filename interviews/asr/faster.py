"""The faster-whisper engine (CTranslate2, int8 on the CPU): the default.

faster-whisper yields segments from a generator as it decodes them, so a long recording is
never held as text or features beyond the window being decoded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from faster_whisper import WhisperModel

from interviews.asr.base import (
    COMPRESSION_RATIO_THRESHOLD,
    HALLUCINATION_SILENCE_SECONDS,
    LOG_PROB_THRESHOLD,
    NO_SPEECH_THRESHOLD,
    OnSegment,
    Segment,
    TranscriptionOptions,
    TranscriptionResult,
    Word,
    stream_segments,
)


@lru_cache(maxsize=2)
def _load_model(model: str, threads: int) -> WhisperModel:
    return WhisperModel(
        model, device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
    )


def _segment(raw: Any) -> Segment:
    return Segment(
        start=raw.start,
        end=raw.end,
        text=raw.text,
        words=[
            Word(start=w.start, end=w.end, text=w.word.strip(), probability=w.probability)
            for w in raw.words or []
        ],
        avg_logprob=raw.avg_logprob,
        no_speech_prob=raw.no_speech_prob,
    )


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, model_for: Callable[[str], Path | str], threads: int | None = None) -> None:
        """model_for maps a model name to a model folder or a faster-whisper model name."""
        self.model_for = model_for
        self.threads = threads or os.cpu_count() or 1

    def transcribe(
        self, audio_path: Path | str, options: TranscriptionOptions, on_segment: OnSegment
    ) -> TranscriptionResult:
        model = _load_model(str(self.model_for(options.model)), self.threads)
        raw_segments, info = model.transcribe(str(audio_path), **self._decoding(options))
        segments = stream_segments(map(_segment, raw_segments), info.duration, on_segment)
        return TranscriptionResult(
            language=info.language,
            language_probability=info.language_probability,
            duration=info.duration,
            segments=segments,
        )

    @staticmethod
    def _decoding(options: TranscriptionOptions) -> dict[str, Any]:
        return {
            "language": options.language,
            "vad_filter": options.vad_filter,
            "initial_prompt": options.initial_prompt,
            "word_timestamps": options.word_timestamps,
            "beam_size": options.beam_size,
            "condition_on_previous_text": False,
            "no_speech_threshold": NO_SPEECH_THRESHOLD,
            "log_prob_threshold": LOG_PROB_THRESHOLD,
            "compression_ratio_threshold": COMPRESSION_RATIO_THRESHOLD,
            "hallucination_silence_threshold": (
                HALLUCINATION_SILENCE_SECONDS if options.word_timestamps else None
            ),
        }
