"""Nothing lost, nothing invented: speech without text becomes a visible gap, loops and the
prompt said back are recognised, a silent pause is no gap, and the same file gives the same
transcript every time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interviews.asr.base import Segment, TranscriptionOptions, Word
from interviews.asr.completeness import Completeness, loop_reason, uncovered
from interviews.asr.engines import get_engine
from tests.audio import faint_then_clear, join, silence, speak
from tests.interviews.asr.conftest import LONG_TEXT

PROMPT = "Brussels, European Commission, EU-COM-01, PL-GOV-01."


def ignore(_segment: Segment, _progress: float) -> None:
    """An on_segment callback that keeps nothing."""


@pytest.mark.parametrize(("text", "reason"), [
    ("Commission, EU-COM-01, EU-COM-01, EU-COM-01.", "only words of the vocabulary prompt"),
    ("Thank you. Thank you. Thank you. Thank you. Thank you. Thank you.",
     "the same words over and over"),
    ("we have to do a part of the debate and we have to do a part of the debate and "
     "we have to do a part of the debate", "one phrase repeated"),
    ("The cooperation with Chinese cities started later and is mostly about trade.", None),
    ("Commission.", None),
    ("European Commission.", None),
    ("Brussels, European Commission, EU-COM-01.", "only words of the vocabulary prompt"),
    ("Współpraca z Chengdu zaczęła się później i dotyczy głównie handlu.", None),
])
def test_loops_and_the_prompt_said_back_are_recognised(text: str, reason: str | None) -> None:
    assert loop_reason(text, PROMPT) == reason


def test_uncovered_speech_is_found_between_words() -> None:
    words = [(0.0, 1.0), (1.1, 2.0), (9.0, 10.0)]
    assert uncovered((0.0, 12.0), words, 0.5) == [(2.5, 8.5), (10.5, 12.0)]
    assert uncovered((3.0, 4.0), words, 0.5) == [(3.0, 4.0)]
    assert uncovered((0.0, 2.0), words, 0.5) == []


def test_a_loop_decoded_again_without_the_prompt_is_replaced_or_marked_doubtful() -> None:
    samples = np.zeros(16_000 * 10, np.float32)
    loop = Segment(1.0, 6.0, "EU-COM-01, EU-COM-01, EU-COM-01", [Word(1.0, 6.0, "EU", 0.9)])
    heard = Segment(1.2, 5.0, "We signed the agreement in Brussels.",
                    [Word(1.2, 5.0, "signed", 0.9)])
    fixed = Completeness(lambda _samples, _offset: [heard], PROMPT)
    assert list(fixed.without_loops(loop, samples, 0.0)) == [heard]
    still = Completeness(lambda _samples, _offset: [loop], PROMPT)
    assert [s.doubtful for s in still.without_loops(loop, samples, 0.0)] == [True]


@pytest.fixture(scope="module")
def faint_start(speech_dir: Path) -> Path:
    """Half a minute of speech too faint under noise for Whisper, then clear speech."""
    return faint_then_clear(" ".join(LONG_TEXT[:5]), " ".join(LONG_TEXT[5:]),
                            speech_dir / "faint-start.wav")


@pytest.mark.slow
def test_speech_without_text_is_a_visible_gap_and_lowers_the_coverage(
    models_dir: Path, faint_start: Path
) -> None:
    engine = get_engine("faster-whisper", models_dir)
    result = engine.transcribe(faint_start, TranscriptionOptions(initial_prompt=PROMPT), ignore)

    gaps = [segment for segment in result.segments if segment.gap]
    assert gaps and result.segments[0] == gaps[0] and gaps[0].start < 3
    assert sum(gap.end - gap.start for gap in gaps) > 15 and gaps[-1].end < 25
    assert gaps[0].text.startswith("[no text 00:00:0")
    assert 0.4 < result.coverage < 0.7
    assert "public transport" in result.text


@pytest.mark.slow
def test_a_silent_pause_is_not_a_gap(models_dir: Path, speech_dir: Path) -> None:
    parts = [speak(LONG_TEXT[0], speech_dir / "before.wav"),
             silence(speech_dir / "eight-seconds.wav", 8.0),
             speak(LONG_TEXT[1], speech_dir / "after.wav")]
    paused = join(parts, speech_dir / "paused.wav")
    result = get_engine("faster-whisper", models_dir).transcribe(
        paused, TranscriptionOptions(), ignore)

    assert not any(segment.gap for segment in result.segments)
    assert result.coverage > 0.95
    assert "agreement" in result.text


@pytest.mark.slow
def test_the_same_file_gives_the_same_transcript_three_times(
    models_dir: Path, faint_start: Path
) -> None:
    engine = get_engine("faster-whisper", models_dir)
    options = TranscriptionOptions(initial_prompt=PROMPT)
    runs = [engine.transcribe(faint_start, options, ignore) for _ in range(3)]
    assert runs[0].segments == runs[1].segments == runs[2].segments
