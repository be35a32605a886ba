"""The reliability estimate on real Whisper transcripts of generated speech, the checked
share, and the accuracy to expect before transcribing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from interviews.asr.base import Segment, TranscriptionOptions, TranscriptionResult, Word
from interviews.asr.engines import get_engine
from interviews.asr.expectations import expected_accuracy, model_size, strongest_model
from interviews.asr.languages import STUDY_LANGUAGES
from interviews.asr.published_wer import FLEURS_WER, MISSING, SOURCE
from interviews.asr.reliability import (
    REVIEW_THRESHOLD,
    basis,
    review,
    segment_word_error,
    transcript_word_error,
)

ESTONIAN = ("Meie linn sõlmis kümme aastat tagasi partnerluslepingu ühe Hiina linnaga. "
            "Sellest ajast alates ekspordivad kohalikud ettevõtted piirkonda masinaid ja toitu.")


def transcribe(path: Path, models_dir: Path, model: str,
               language: str | None = None) -> TranscriptionResult:
    options = TranscriptionOptions(model=model, language=language)
    return get_engine("faster-whisper", models_dir).transcribe(
        path, options, lambda segment, progress: None)


def estimate(result: TranscriptionResult, model: str) -> float:
    found = transcript_word_error(result.segments, result.language,
                                  result.language_probability, model)
    assert found is not None
    return found


def test_a_good_english_transcript_gets_a_low_estimate(sentence, models_dir: Path,
                                                       wer: Callable[[str, str], float]) -> None:
    result = transcribe(sentence.path, models_dir, "tiny.en")
    assert wer(sentence.text, result.text) < 0.12
    assert estimate(result, "tiny.en") < REVIEW_THRESHOLD
    for segment in result.segments:
        assert 0 <= segment_word_error(segment, "en", 1.0, "tiny.en") < REVIEW_THRESHOLD


def test_estonian_speech_through_the_english_model_needs_review(
        say: Callable[..., Path], models_dir: Path, wer: Callable[[str, str], float]) -> None:
    result = transcribe(say(ESTONIAN, "estonian", "et"), models_dir, "tiny.en")
    assert wer(ESTONIAN, result.text) > 0.33
    assert estimate(result, "tiny.en") > REVIEW_THRESHOLD


def test_english_speech_transcribed_as_estonian_needs_review(
        sentence, base_model: Path, models_dir: Path,
        wer: Callable[[str, str], float]) -> None:
    good = transcribe(sentence.path, models_dir, "base")
    wrong = transcribe(sentence.path, models_dir, "base", language="et")
    assert wer(sentence.text, wrong.text) > 0.33
    assert estimate(wrong, "base") > REVIEW_THRESHOLD
    assert estimate(wrong, "base") > estimate(good, "base")


def _segment(words: int, probability: float, start: float = 0.0) -> Segment:
    timed = [Word(start + i, start + i + 0.5, f"w{i}", probability) for i in range(words)]
    return Segment(start, start + words, " ".join(w.text for w in timed), timed)


def test_checked_segments_count_as_reliable_and_the_rest_is_estimated() -> None:
    segments = [_segment(62, 0.3), _segment(38, 0.3, 100.0)]
    half = review(segments, [True, False], "et", 1.0, "base")
    assert half.checked_share == pytest.approx(0.62)
    assert half.unchecked_estimate is not None and half.unchecked_estimate > REVIEW_THRESHOLD
    assert half.needs_review
    assert half.summary().startswith("62 % checked by a person; the rest about ")
    assert half.summary().endswith(" % words wrong")
    done = review(segments, [True, True], "et", 1.0, "base")
    assert (done.checked_share, done.unchecked_estimate, done.needs_review) == (1.0, None, False)
    assert not review(segments, [False, False], "et", 1.0, "base", threshold=1.0).needs_review


def test_estonian_with_base_is_poor_and_says_its_source() -> None:
    expectation = expected_accuracy("et", "base")
    assert expectation.level == "poor"
    assert expectation.source == SOURCE and "Radford" in SOURCE and "Table 13" in SOURCE
    assert expectation.sentence.startswith("Estonian with base: expect many errors")
    assert "check every segment" in expectation.sentence
    assert expected_accuracy("en", "base").level == "good"
    assert expected_accuracy("et", "tiny.en").level == "poor"
    assert expected_accuracy("mt", "base").level == "unknown"


def test_the_published_table_covers_the_study_languages() -> None:
    assert {code for code in STUDY_LANGUAGES if code not in MISSING} <= set(FLEURS_WER)
    assert FLEURS_WER["en"]["base"] == 8.9


def test_the_strongest_installed_model_for_a_language() -> None:
    assert strongest_model("et", ["tiny.en", "base"]) == "base"
    assert strongest_model("et", ["tiny.en", "base", "/models/large-v3"]) == "/models/large-v3"
    assert strongest_model("mt", ["tiny.en", "base"]) == "base"
    assert strongest_model("et", ["my-own-model"]) is None
    assert model_size("whisper-small").name == "small"


def test_the_basis_is_in_words() -> None:
    lines = basis([_segment(10, 0.4)], "fi", 0.81, "base")
    assert any("probability" in line and "10 words" in line for line in lines)
    assert "language detected as Finnish with probability 0.81" in lines
    assert any(line.startswith("what to expect, from Radford et al. 2022") and
               "Finnish with base" in line for line in lines)
    assert all(isinstance(line, str) and " " in line for line in lines)
