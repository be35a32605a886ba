"""Clips of speech decoded several at once: a stretch ends before the speech that runs into
its end, and the transcript keeps the guarantees of decoding window after window (the words,
the language, the speech covered, the same text every time)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from interviews.asr.audio import SAMPLE_RATE, whole_recording
from interviews.asr.base import Segment, TranscriptionOptions
from interviews.asr.batching import split_at_speech
from interviews.asr.engines import get_engine
from interviews.asr.faster import FasterWhisperEngine
from tests.audio import join, read_wav, silence, speak
from tests.interviews.asr.conftest import LONG_TEXT


def ignore(_segment: Segment, _progress: float) -> None:
    """An on_segment callback that keeps nothing."""


@dataclass(frozen=True)
class Paused:
    path: Path
    #: seconds when the second sentence starts
    second_at: float


@pytest.fixture(scope="module")
def pause_then_speech(speech_dir: Path) -> Paused:
    """A sentence, 4 s of silence, and another sentence."""
    first = speak(LONG_TEXT[0], speech_dir / "first.wav")
    samples, rate = read_wav(first)
    parts = [first, silence(speech_dir / "four-seconds.wav", 4.0),
             speak(LONG_TEXT[1], speech_dir / "second.wav")]
    return Paused(join(parts, speech_dir / "pause-then-speech.wav"), len(samples) / rate + 4.0)


def test_a_stretch_ends_in_the_silence_before_speech_that_runs_past_it(pause_then_speech):
    cut = pause_then_speech.second_at + 2.0
    stretch = whole_recording(pause_then_speech.path)[: int(cut * SAMPLE_RATE)]

    speech = split_at_speech(stretch, last=False, min_advance=1.0)
    whole = split_at_speech(stretch, last=True, min_advance=1.0)

    assert len(speech.pieces) >= 2
    assert len(speech.decoded) == len(speech.pieces) - 1
    assert speech.pieces[-1]["end"] == stretch.size
    assert speech.next_start == speech.decoded[-1]["end"] / SAMPLE_RATE
    assert pause_then_speech.second_at - 4.5 < speech.next_start < pause_then_speech.second_at - 3.0
    assert whole.decoded == whole.pieces
    assert whole.next_start == pytest.approx(cut, abs=1e-3)


def test_speech_that_fills_a_short_stretch_is_decoded_rather_than_left_for_ever(
    pause_then_speech,
):
    samples = whole_recording(pause_then_speech.path)[: 2 * SAMPLE_RATE]

    speech = split_at_speech(samples, last=False, min_advance=5.0)

    assert speech.decoded == speech.pieces
    assert speech.next_start == pytest.approx(2.0, abs=1e-3)


@pytest.mark.slow
def test_batched_and_sequential_give_the_same_words_language_and_coverage(
    models_dir, long_speech, wer,
):
    batched = get_engine("faster-whisper", models_dir)
    sequential = FasterWhisperEngine(batched.model_for, clips_at_once=1)
    options = TranscriptionOptions()

    one_by_one = sequential.transcribe(long_speech.path, options, ignore)
    runs = [batched.transcribe(long_speech.path, options, ignore) for _ in range(2)]

    assert batched.clips_at_once > 1
    assert runs[0].segments == runs[1].segments
    assert wer(long_speech.text, runs[0].text) <= wer(long_speech.text, one_by_one.text) + 0.02
    assert runs[0].language == one_by_one.language == "en"
    assert runs[0].coverage > 0.95
    words = [word for segment in runs[0].segments for word in segment.words]
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert words[-1].end <= runs[0].duration + 0.5


@pytest.mark.slow
def test_a_chunk_boundary_in_the_middle_of_speech_loses_no_words(models_dir, long_speech, wer):
    whole = get_engine("faster-whisper", models_dir)
    chunked = FasterWhisperEngine(whole.model_for, chunk_seconds=30)

    result = chunked.transcribe(long_speech.path, TranscriptionOptions(), ignore)

    assert wer(long_speech.text, result.text) <= 0.15
    assert not any(segment.gap for segment in result.segments)
    starts = [segment.start for segment in result.segments]
    assert starts == sorted(starts)
