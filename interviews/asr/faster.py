"""The faster-whisper engine (CTranslate2, int8 on the CPU): the default.

faster-whisper yields segments from a generator as it decodes them, but it first decodes the
whole file, runs the voice-activity filter over all of it and computes the features of all of
it: for a 2-hour recording over 6 GB of memory and a minute before the first segment. So the
recording is read and transcribed in chunks of a few minutes. The language found in the
first chunk with speech is kept for the chunks after it.

A chunk's speech is decoded as clips, one per CPU core at once (asr.batching): on 2 cores
12 % less CPU time than window after window, with words as good (docs/benchmarks.md). With
`clips_at_once=1` a chunk is decoded window after window instead (`WhisperModel.transcribe`);
its last segment may be cut off at the chunk's end, so it is dropped and the next chunk
starts where the segment before it ended.

Each chunk's segments are checked before they are handed on (asr.completeness): loops are
decoded again, speech left without text is decoded again on its own, and what is still
empty is marked as a gap.

Translating (Whisper's translate task) decodes each stretch it is given, an original
segment's time, on its own: its English keeps exactly that segment's start and end.
Translating the whole recording instead cuts the English into segments of its own, at
other times than the original's (a 17-second Polish reading: 4 segments, 2 in English).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper import WhisperModel

from interviews.asr.audio import SAMPLE_RATE, AudioWindow, audio_duration
from interviews.asr.base import (
    COMPRESSION_RATIO_THRESHOLD,
    HALLUCINATION_SILENCE_SECONDS,
    LOG_PROB_THRESHOLD,
    NO_SPEECH_THRESHOLD,
    TEMPERATURE,
    CannotTranslate,
    OnSegment,
    OnTranslated,
    Segment,
    TranscriptionOptions,
    TranscriptionResult,
    TranslationOptions,
    Word,
    stream_segments,
)
from interviews.asr.batching import ClipDecoder, split_at_speech
from interviews.asr.completeness import CheckedStretch, Completeness, loop_reason
from interviews.asr.sentences import sentences

#: Seconds of audio transcribed at a time: memory holds about this much audio and its features.
CHUNK_SECONDS = 240.0
#: A chunk holds at least one of Whisper's 30-second windows, so that dropping its last
#: segment loses nothing.
MIN_CHUNK_SECONDS = 30.0
#: A chunk moves the start on by at least this many seconds, or keeps its last segment.
MIN_ADVANCE = 1.0
#: Clips decoded at once by default: one per thread, up to this many (each holds its own
#: encoder state, a few hundred MB for base); more threads go to each clip.
MAX_CLIPS_AT_ONCE = 4
#: A stretch's English is at most this many tokens a second of speech, and MIN_TOKENS more
#: (speech is about four tokens a second): a loop stops there instead of running to Whisper's
#: limit of 224 tokens a window, which took 10 s for one 6-second stretch.
TOKENS_PER_SECOND = 10
MIN_TOKENS = 16
MAX_TOKENS = 200
#: An English stretch that loops is decoded again with no three tokens repeated, and is
#: flagged doubtful: the loop says Whisper did not make out the speech.
LOOP_NGRAM = 3


@lru_cache(maxsize=2)
def _load_model(model: str, threads: int, workers: int = 1) -> WhisperModel:
    """The model, decoding with `threads` threads in each of `workers` calls at once."""
    return WhisperModel(
        model, device="cpu", compute_type="int8", cpu_threads=threads, num_workers=workers,
        local_files_only=True,
    )


def _segment(raw: Any, offset: float) -> Segment:
    return Segment(
        start=offset + raw.start,
        end=offset + raw.end,
        text=raw.text,
        words=[
            Word(start=offset + w.start, end=offset + w.end, text=w.word.strip(),
                 probability=w.probability)
            for w in raw.words or []
        ],
        avg_logprob=raw.avg_logprob,
        no_speech_prob=raw.no_speech_prob,
    )


class _Language:
    """The language chosen, or the one found in the first chunk with speech."""

    def __init__(self, chosen: str | None) -> None:
        self.code, self.probability = chosen, 1.0 if chosen else 0.0
        self.found = chosen is not None
        #: some speech has given text, in this language
        self.heard = False

    def found_in(self, info: Any) -> None:
        self.heard = True
        if not self.found:
            self.code, self.probability, self.found = info.language, info.language_probability, True


def _decode(model: WhisperModel, samples: np.ndarray, offset: float,
            decoding: dict[str, Any]) -> list[Segment]:
    """The segments of `samples`, with times from `offset`."""
    raw, _info = model.transcribe(samples, **decoding)
    return [_segment(r, offset) for r in raw]


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(
        self,
        model_for: Callable[[str], Path | str],
        threads: int | None = None,
        chunk_seconds: float = CHUNK_SECONDS,
        clips_at_once: int | None = None,
    ) -> None:
        """model_for maps a model name to a model folder or a faster-whisper model name;
        clips_at_once is the number of clips decoded at once, the threads shared among them
        (by default one per thread, up to MAX_CLIPS_AT_ONCE; 1 decodes window after window
        on all threads)."""
        self.model_for = model_for
        self.threads = threads or os.cpu_count() or 1
        self.chunk_seconds = max(chunk_seconds, MIN_CHUNK_SECONDS)
        self.clips_at_once = max(clips_at_once or min(self.threads, MAX_CLIPS_AT_ONCE), 1)

    def transcribe(
        self, audio_path: Path | str, options: TranscriptionOptions, on_segment: OnSegment
    ) -> TranscriptionResult:
        at_once = self.clips_at_once
        model = _load_model(str(self.model_for(options.model)),
                            max(self.threads // at_once, 1), at_once)
        duration = audio_duration(audio_path)
        language = _Language(options.language)

        def redecode(samples: np.ndarray, offset: float) -> list[Segment]:
            return _decode(model, samples, offset, self._again(options, language.code))

        check = Completeness(redecode, options.initial_prompt)
        pool = ThreadPoolExecutor(at_once, thread_name_prefix="whisper-clip")
        try:
            decode = (self._sequential_segments if at_once == 1
                      else partial(self._clip_segments, pool=pool))
            chunks = decode(model, AudioWindow(audio_path), options, language, check)
            segments = stream_segments(sentences(chunks), duration, on_segment)
        finally:
            pool.shutdown(cancel_futures=True)
        return TranscriptionResult(
            language=language.code or "",
            language_probability=language.probability,
            duration=duration,
            segments=segments,
            speech_seconds=check.coverage.speech,
            covered_seconds=check.coverage.covered,
            redecoding_seconds=check.coverage.redecoding,
        )

    def _chunk_at(self, audio: AudioWindow, start: float) -> tuple[np.ndarray, bool]:
        """The samples of the chunk from `start` (none past the recording's end), and whether
        it is the recording's last (shorter than a chunk)."""
        samples = audio.between(start, start + self.chunk_seconds)[0]
        return samples, samples.size < int(self.chunk_seconds * SAMPLE_RATE) - 1

    def _sequential_segments(
        self, model: WhisperModel, audio: AudioWindow, options: TranscriptionOptions,
        language: _Language, check: Completeness,
    ) -> Iterator[Segment]:
        """Each chunk's segments, checked, as they are decoded, but the last one of a chunk
        that is not the recording's last (it may be cut off): the next chunk starts before
        it, where the segment before it ended."""
        start = 0.0
        while True:
            samples, last = self._chunk_at(audio, start)
            if not samples.size:
                return
            end = start + samples.size / SAMPLE_RATE
            stretch = check.stretch(samples, start)
            raw, info = model.transcribe(samples, **self._decoding(options, language.code))
            held: Segment | None = None
            kept_end = start
            for segment in (_segment(r, start) for r in raw):
                language.found_in(info)
                if held is not None:
                    yield from stretch.add(held)
                    kept_end = held.end
                held = segment
            restart = kept_end if kept_end > start else held.start if held else end
            if held is not None and (last or restart < start + MIN_ADVANCE):
                yield from stretch.add(held)
                restart = end
            yield from stretch.close(restart)
            start = restart

    def _clip_segments(
        self, model: WhisperModel, audio: AudioWindow, options: TranscriptionOptions,
        language: _Language, check: Completeness, pool: Executor,
    ) -> Iterator[Segment]:
        """Each chunk's segments, checked, decoded as clips several at once; a chunk ends
        before the speech that runs into its end, and the next chunk starts there. Until
        a clip has given text (and its language), clips are decoded one by one."""
        start = 0.0
        while True:
            samples, last = self._chunk_at(audio, start)
            if not samples.size:
                return
            speech = split_at_speech(samples, last, MIN_ADVANCE)
            stretch = check.stretch(samples, start, speech.pieces)
            clips = ClipDecoder(model, samples, speech.decoded)
            first = 0
            while first < len(clips) and not language.heard:
                yield from self._checked(clips.decode(first, self._clips(options, language)),
                                         language, stretch, start)
                first += 1
            for decoded in clips.decode_from(first, self._clips(options, language), pool):
                yield from self._checked(decoded, language, stretch, start)
            yield from stretch.close(start + speech.next_start)
            start += speech.next_start

    @staticmethod
    def _checked(decoded: tuple[list[Any], Any], language: _Language,
                 stretch: CheckedStretch, offset: float) -> Iterator[Segment]:
        raw, info = decoded
        for segment in raw:
            language.found_in(info)
            yield from stretch.add(_segment(segment, offset))

    def translate(
        self, audio_path: Path | str, options: TranslationOptions,
        stretches: list[tuple[float, float]], on_translated: OnTranslated,
    ) -> list[Segment]:
        """The English of each stretch (start, end in seconds), decoded on its own, in the
        stretches' order and with their times; empty where Whisper heard no speech, flagged
        doubtful where it loops. Each is handed to `on_translated` as it is decoded, in order
        of time."""
        model = _load_model(str(self.model_for(options.model)), self.threads)
        if not model.model.is_multilingual:
            raise CannotTranslate(f"{options.model} knows only English, so it cannot "
                                  "translate: choose base, or another multilingual model.")
        order = sorted(range(len(stretches)), key=lambda index: stretches[index])
        total = sum(max(end - start, 0.0) for start, end in stretches) or 1.0
        audio, done = AudioWindow(audio_path), 0.0
        translated: dict[int, Segment] = {}
        for index in order:
            start, end = stretches[index]
            samples = audio.between(start, end)[0]
            segment = self._translated(model, samples, start, end, options)
            translated[index] = segment
            done += max(end - start, 0.0)
            on_translated(index, segment, min(done / total, 1.0))
        return [translated[index] for index in range(len(stretches))]

    @staticmethod
    def _translated(model: WhisperModel, samples: np.ndarray, start: float, end: float,
                    options: TranslationOptions) -> Segment:
        if samples.size < SAMPLE_RATE // 10:
            return Segment(start, end, "")
        decoding = {
            **FasterWhisperEngine._decoding(
                TranscriptionOptions(model=options.model, vad_filter=False,
                                     beam_size=options.beam_size), options.language),
            "task": "translate",
            "max_new_tokens": min(round(TOKENS_PER_SECOND * samples.size / SAMPLE_RATE)
                                  + MIN_TOKENS, MAX_TOKENS),
        }
        pieces = [_segment(piece, start) for piece in model.transcribe(samples, **decoding)[0]]
        text = " ".join(piece.text.strip() for piece in pieces if piece.text.strip())
        looped = loop_reason(text, None) is not None
        if looped:
            again = model.transcribe(samples, **decoding, no_repeat_ngram_size=LOOP_NGRAM)[0]
            pieces = [_segment(piece, start) for piece in again]
            text = " ".join(piece.text.strip() for piece in pieces if piece.text.strip())
        return Segment(
            start, end, text, words=[word for piece in pieces for word in piece.words],
            avg_logprob=(sum(p.avg_logprob for p in pieces) / len(pieces)) if pieces else 0.0,
            doubtful=looped,
        )

    def _again(self, options: TranscriptionOptions, language: str | None) -> dict[str, Any]:
        """Decoding a stretch again: alone, without the prompt, every window heard."""
        return {**self._decoding(options, language), "initial_prompt": None,
                "vad_filter": False}

    def _clips(self, options: TranscriptionOptions, language: _Language) -> dict[str, Any]:
        """Decoding clips: with word timings, the words give the times, and Whisper's own
        timestamps would only cost tokens."""
        return {**self._decoding(options, language.code),
                "without_timestamps": options.word_timestamps}

    @staticmethod
    def _decoding(options: TranscriptionOptions, language: str | None) -> dict[str, Any]:
        return {
            "language": language,
            "temperature": TEMPERATURE,
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
