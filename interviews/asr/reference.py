"""The openai-whisper engine: the reference implementation, an optional extra.

openai-whisper and PyTorch are imported only when needed, so that the default install
(faster-whisper) neither needs nor loads them. It runs on a checkpoint converted from the
same CTranslate2 weights faster-whisper uses (interviews.asr.convert).

openai-whisper returns a whole file's segments at once; to stream them (progress,
cancellation) the audio is transcribed in chunks. Each chunk's last segment may be cut off
at the chunk's end, so it is dropped and the next chunk starts where the segment before it
ended. openai-whisper has no voice-activity filter: `vad_filter` does not apply to it. The audio is
decoded with PyAV, as for faster-whisper, rather than with openai-whisper's own reader,
which needs the ffmpeg program. Each chunk is checked for loops and for speech without text
as faster-whisper's are (asr.completeness).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from interviews.asr.audio import SAMPLE_RATE, whole_recording
from interviews.asr.base import (
    COMPRESSION_RATIO_THRESHOLD,
    HALLUCINATION_SILENCE_SECONDS,
    LOG_PROB_THRESHOLD,
    NO_SPEECH_THRESHOLD,
    TEMPERATURE,
    EngineUnavailable,
    OnSegment,
    Segment,
    TranscriptionOptions,
    TranscriptionResult,
    Word,
    stream_segments,
)
from interviews.asr.completeness import Completeness
from interviews.asr.sentences import sentences

INSTALL_HINT = 'pip install "fieldwork[whisper]" torch==2.13.0'
#: Seconds of audio transcribed per call: segments and progress come at least this often.
CHUNK_SECONDS = 120.0
#: A chunk holds at least one of Whisper's 30-second windows, so that it yields several
#: segments and dropping its last one loses nothing.
MIN_CHUNK_SECONDS = 30.0


def require_torch() -> ModuleType:
    try:
        import torch
    except ImportError as error:
        raise EngineUnavailable(f"PyTorch is not installed: {INSTALL_HINT}") from error
    return torch


def require_whisper() -> ModuleType:
    try:
        import whisper
    except ImportError as error:
        raise EngineUnavailable(f"openai-whisper is not installed: {INSTALL_HINT}") from error
    return whisper


@lru_cache(maxsize=2)
def _load_model(checkpoint: Path, modified: float, threads: int) -> Any:
    torch = require_torch()
    whisper = require_whisper()
    torch.set_num_threads(threads)
    saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**saved["dims"]))
    model.load_state_dict(saved["model_state_dict"])
    heads = saved.get("alignment_heads")
    if heads:
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        # Word timestamps follow these heads; without them Whisper uses half the decoder's.
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model.eval()


def _word(raw: dict[str, Any], offset: float) -> Word:
    return Word(
        start=offset + float(raw["start"]),
        end=offset + float(raw["end"]),
        text=raw["word"].strip(),
        probability=float(raw["probability"]),
    )


def _segment(raw: dict[str, Any], offset: float) -> Segment:
    return Segment(
        start=offset + float(raw["start"]),
        end=offset + float(raw["end"]),
        text=raw["text"],
        words=[_word(word, offset) for word in raw.get("words", [])],
        avg_logprob=float(raw["avg_logprob"]),
        no_speech_prob=float(raw["no_speech_prob"]),
    )


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(
        self,
        checkpoint_for: Callable[[str], Path],
        chunk_seconds: float = CHUNK_SECONDS,
        threads: int | None = None,
    ) -> None:
        """checkpoint_for maps a model name or folder to an openai-whisper checkpoint."""
        self.checkpoint_for = checkpoint_for
        self.chunk_seconds = max(chunk_seconds, MIN_CHUNK_SECONDS)
        self.threads = threads or os.cpu_count() or 1

    def transcribe(
        self, audio_path: Path | str, options: TranscriptionOptions, on_segment: OnSegment
    ) -> TranscriptionResult:
        whisper = require_whisper()
        checkpoint = self.checkpoint_for(options.model)
        model = _load_model(checkpoint, checkpoint.stat().st_mtime, self.threads)
        audio = whole_recording(audio_path)
        duration = len(audio) / SAMPLE_RATE
        language, probability = self._language(whisper, model, audio, options)

        def redecode(samples: np.ndarray, offset: float) -> list[Segment]:
            decoding = {**self._decoding(options, language), "initial_prompt": None}
            return [_segment(raw, offset)
                    for raw in whisper.transcribe(model, samples, **decoding)["segments"]]

        check = Completeness(redecode, options.initial_prompt)
        segments = self._segments(whisper, model, audio, options, language, check)
        return TranscriptionResult(
            language=language,
            language_probability=probability,
            duration=duration,
            segments=stream_segments(sentences(segments), duration, on_segment),
            speech_seconds=check.coverage.speech,
            covered_seconds=check.coverage.covered,
            redecoding_seconds=check.coverage.redecoding,
        )

    def _language(
        self, whisper: ModuleType, model: Any, audio: np.ndarray, options: TranscriptionOptions
    ) -> tuple[str, float]:
        if options.language:
            return options.language, 1.0
        if not model.is_multilingual:
            return "en", 1.0
        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio), model.dims.n_mels)
        _, probabilities = model.detect_language(mel)
        language = max(probabilities, key=probabilities.get)
        return language, float(probabilities[language])

    def _segments(
        self,
        whisper: ModuleType,
        model: Any,
        audio: np.ndarray,
        options: TranscriptionOptions,
        language: str,
        check: Completeness,
    ) -> Iterator[Segment]:
        chunk = int(self.chunk_seconds * SAMPLE_RATE)
        start = 0
        while start < len(audio):
            end = min(start + chunk, len(audio))
            offset = start / SAMPLE_RATE
            stretch = check.stretch(audio[start:end], offset)
            result = whisper.transcribe(
                model, audio[start:end], **self._decoding(options, language)
            )
            segments = [_segment(raw, offset) for raw in result["segments"]]
            if end < len(audio) and len(segments) > 1:
                segments.pop()
                start = max(round(segments[-1].end * SAMPLE_RATE), start + SAMPLE_RATE)
            else:
                start = end
            for segment in segments:
                yield from stretch.add(segment)
            yield from stretch.close(start / SAMPLE_RATE)

    @staticmethod
    def _decoding(options: TranscriptionOptions, language: str) -> dict[str, Any]:
        return {
            "verbose": None,
            "language": language,
            "temperature": TEMPERATURE,
            "compression_ratio_threshold": COMPRESSION_RATIO_THRESHOLD,
            "logprob_threshold": LOG_PROB_THRESHOLD,
            "no_speech_threshold": NO_SPEECH_THRESHOLD,
            "condition_on_previous_text": False,
            "initial_prompt": options.initial_prompt,
            "word_timestamps": options.word_timestamps,
            "hallucination_silence_threshold": (
                HALLUCINATION_SILENCE_SECONDS if options.word_timestamps else None
            ),
            "beam_size": options.beam_size,
            "fp16": False,
        }
