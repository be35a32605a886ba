"""Both engines on generated speech: the words, progress, cancellation, options."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from interviews.asr.base import (
    Segment,
    TranscriptionCancelled,
    TranscriptionOptions,
    stream_segments,
)
from interviews.asr.engines import UnknownEngine, get_engine, openai_checkpoint
from interviews.asr.faster import FasterWhisperEngine
from interviews.asr.reference import OpenAIWhisperEngine

requires_whisper = pytest.mark.skipif(
    importlib.util.find_spec("whisper") is None,
    reason="openai-whisper is not installed (extra: whisper)",
)
ENGINES = ["faster-whisper", pytest.param("openai-whisper", marks=requires_whisper)]

pytestmark = pytest.mark.slow


class Recorder:
    def __init__(self, stop_after: int | None = None) -> None:
        self.segments: list[Segment] = []
        self.progress: list[float] = []
        self.stop_after = stop_after

    def __call__(self, segment: Segment, progress: float) -> None:
        self.segments.append(segment)
        self.progress.append(progress)
        if self.stop_after is not None and len(self.segments) >= self.stop_after:
            raise TranscriptionCancelled


@pytest.fixture(scope="module")
def engines(models_dir: Path) -> dict[str, object]:
    return {name: get_engine(name, models_dir) for name in ("faster-whisper", "openai-whisper")}


@pytest.mark.parametrize("engine_name", ENGINES)
def test_engine_transcribes_the_spoken_words(engines, engine_name, sentence, wer):
    recorder = Recorder()
    result = engines[engine_name].transcribe(sentence.path, TranscriptionOptions(), recorder)

    assert wer(sentence.text, result.text) <= 0.2
    assert result.language == "en"
    assert result.segments == recorder.segments
    words = [word for segment in result.segments for word in segment.words]
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert 0 <= words[0].start < words[-1].end <= result.duration + 0.5
    assert all(0 <= w.probability <= 1 for w in words)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_progress_rises_to_the_end(engines, engine_name, dialogue, wer):
    recorder = Recorder()
    result = engines[engine_name].transcribe(dialogue.path, TranscriptionOptions(), recorder)

    assert wer(dialogue.text, result.text) <= 0.25
    assert len(recorder.progress) >= 3
    assert recorder.progress == sorted(recorder.progress)
    assert recorder.progress[-1] == pytest.approx(1.0, abs=0.05)


def test_word_timestamps_can_be_left_out(engines, sentence):
    options = TranscriptionOptions(word_timestamps=False, beam_size=1)
    result = engines["faster-whisper"].transcribe(sentence.path, options, Recorder())

    assert result.segments
    assert all(segment.words == [] for segment in result.segments)


def test_faster_whisper_streams_and_stops_when_cancelled(engines, long_speech, wer):
    engine = engines["faster-whisper"]
    first_segment_at: list[float] = []
    started = time.perf_counter()

    def on_segment(segment: Segment, progress: float) -> None:
        first_segment_at.append(time.perf_counter() - started)

    result = engine.transcribe(long_speech.path, TranscriptionOptions(), on_segment)
    whole = time.perf_counter() - started
    cancelled = Recorder(stop_after=1)
    with pytest.raises(TranscriptionCancelled):
        engine.transcribe(long_speech.path, TranscriptionOptions(), cancelled)

    assert wer(long_speech.text, result.text) <= 0.15
    assert first_segment_at[0] < 0.8 * whole
    assert len(cancelled.segments) == 1
    assert cancelled.progress[0] < 0.2


def test_faster_whisper_reads_a_long_recording_chunk_by_chunk(long_speech, wer):
    whole = get_engine("faster-whisper").transcribe(
        long_speech.path, TranscriptionOptions(), Recorder()
    )
    engine = FasterWhisperEngine(get_engine("faster-whisper").model_for, chunk_seconds=30)
    recorder = Recorder()
    result = engine.transcribe(long_speech.path, TranscriptionOptions(), recorder)

    assert wer(long_speech.text, result.text) <= 0.15
    assert result.duration == whole.duration
    assert recorder.progress == sorted(recorder.progress)
    assert recorder.progress[-1] == pytest.approx(1.0, abs=0.05)
    starts = [segment.start for segment in result.segments]
    assert starts == sorted(starts)
    assert result.segments[-1].end > 30


@requires_whisper
def test_openai_whisper_streams_chunk_by_chunk_and_stops_when_cancelled(
    models_dir, long_speech, wer
):
    engine = OpenAIWhisperEngine(
        lambda model: openai_checkpoint(model, models_dir), chunk_seconds=30
    )
    options = TranscriptionOptions(beam_size=1, word_timestamps=False)
    recorder = Recorder()
    result = engine.transcribe(long_speech.path, options, recorder)
    cancelled = Recorder(stop_after=1)
    with pytest.raises(TranscriptionCancelled):
        engine.transcribe(long_speech.path, options, cancelled)

    assert wer(long_speech.text, result.text) <= 0.15
    assert recorder.progress == sorted(recorder.progress)
    starts = [segment.start for segment in result.segments]
    assert starts == sorted(starts)
    assert len(cancelled.segments) == 1


def test_an_initial_prompt_brings_the_project_vocabulary(engines, say):
    audio = say("The mayor of Szczecin met officials from Wroclaw and Bydgoszcz.", "names")
    options = TranscriptionOptions(initial_prompt="Szczecin, Wroclaw, Bydgoszcz")

    result = engines["faster-whisper"].transcribe(audio, options, Recorder())

    assert "Bydgoszcz" in result.text


def test_repeated_segments_are_flagged():
    said = ["Thank you.", "thank you", "Thank you!", "We met in Warsaw.", "", "we met in warsaw"]
    segments = [Segment(float(i), float(i + 1), text) for i, text in enumerate(said)]
    progress: list[float] = []

    kept = stream_segments(segments, 6.0, lambda _, done: progress.append(done))

    assert [s.repeated for s in kept] == [False, True, True, False, True]
    assert progress == [1 / 6, 2 / 6, 3 / 6, 4 / 6, 1.0]


def test_unknown_engine_is_refused():
    with pytest.raises(UnknownEngine, match="faster-whisper, openai-whisper"):
        get_engine("whisper.cpp")


POLISH = (
    "Dzień dobry. Nasze miasto współpracuje z miastami w Stanach Zjednoczonych i w Chinach. "
    "Rozmawiamy o gospodarce, kulturze i edukacji."
)


def test_the_language_is_detected_or_chosen(base_model, say):
    audio = say(POLISH, "polish", voice="pl")
    engine = get_engine("faster-whisper", base_model.parent)

    detected = engine.transcribe(audio, TranscriptionOptions(model="base"), Recorder())
    chosen = engine.transcribe(audio, TranscriptionOptions(model="base", language="pl"), Recorder())

    assert detected.language == "pl"
    assert 0 < detected.language_probability < 1
    assert (chosen.language, chosen.language_probability) == ("pl", 1)
    assert "edukacji" in chosen.text
