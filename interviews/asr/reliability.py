"""How far a transcript can be trusted: an estimate of its share of wrong words.

A coder who does not speak the language cannot tell a good transcript from a bad one, so each
segment and each transcript gets an estimated word error rate, computed from what the engine
already gives (no extra decoding, only arithmetic):

- the probability Whisper gives each word: their mean, and the share below LOW_PROBABILITY;
- the language probability of the detection (1 when the language was chosen);
- the error rate to expect for that language with that model size, from Whisper's published
  per-language table (interviews.asr.published_wer: Radford et al. 2022, appendix D.2.4,
  Table 13, WER on FLEURS);
- marks that a segment's text is suspect: a loop or repetition (asr.completeness), text that
  compresses too well (Whisper's compression ratio over COMPRESSION_RATIO_THRESHOLD), text
  over what the model took for silence (no-speech probability over NO_SPEECH_THRESHOLD).

The estimate is a logistic function of these, fitted on the calibration set of
bench/reliability.py (generated speech in 21 languages, the wrong language or model, noise,
telephone audio) and checked on real Estonian recordings; docs/benchmarks.md has the figures.

A segment a person has edited or marked checked is reliable by definition: the transcript's
estimate covers what no one has checked yet, and says how much that is (`review`).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from interviews.asr.base import (
    COMPRESSION_RATIO_THRESHOLD,
    NO_SPEECH_THRESHOLD,
    Segment,
    normalise_text,
)
from interviews.asr.expectations import expected_accuracy, prior_wer
from interviews.asr.languages import language_name

#: A project's default review threshold: a transcript estimated to have more than this share
#: of its words wrong needs review.
REVIEW_THRESHOLD = 0.25
#: A word Whisper gives less than this probability counts as doubtful.
LOW_PROBABILITY = 0.5
#: Fitted by `python -m bench.reliability --fit` on the generated clips whose text is not mostly
#: suspect (least squares on the log-odds of the measured word error rate, kept within 2-98 %,
#: ridge 0.1), then checked on the held-out real Estonian recordings: the intercept, the weight
#: of the log-odds of the mean word probability and that of the share of words below
#: LOW_PROBABILITY. The weights of the published error rate's log-odds and of the surprise of
#: the language detection (-log of its probability) are set by hand, small and positive: fitted
#: freely on eSpeak speech they came out slightly negative (its robotic voices fail in
#: languages where the published rate is low, and a language forced wrongly has probability 1),
#: which would make the estimate fall as the evidence of errors grows.
INTERCEPT = 0.844
WORD_PROBABILITY_WEIGHT = -1.57
LOW_SHARE_WEIGHT = 2.652
PRIOR_WEIGHT = 0.3
LANGUAGE_WEIGHT = 0.3
#: A segment whose text is suspect is estimated at least this wrong.
SUSPECT_FLOOR = 0.5
#: Speech where no text was found (a gap) counts as this many words a second, all missing:
#: 150 words a minute, a usual speaking rate.
GAP_WORDS_PER_SECOND = 2.5
#: log-odds are taken of probabilities kept within these bounds
_EDGE = 0.01


@dataclass(frozen=True)
class Features:
    """What the estimate of a segment rests on."""

    words: int
    mean_probability: float
    low_share: float
    suspect: str | None


@dataclass(frozen=True)
class Review:
    """A transcript's state of review: the share of its words a person has checked, and the
    estimated share of wrong words in the rest."""

    checked_share: float
    #: None when every word has been checked
    unchecked_estimate: float | None
    threshold: float = REVIEW_THRESHOLD

    @property
    def needs_review(self) -> bool:
        return self.unchecked_estimate is not None and self.unchecked_estimate > self.threshold

    def summary(self) -> str:
        """E.g. "62 % checked by a person; the rest about 40 % words wrong"."""
        if self.unchecked_estimate is None:
            return "every segment checked by a person"
        rest = f"about {_percent(self.unchecked_estimate)} words wrong"
        if self.checked_share <= 0:
            return f"not checked by a person yet; {rest}"
        return f"{_percent(self.checked_share)} checked by a person; the rest {rest}"


def _percent(share: float) -> str:
    """A share as the pages write it: "40 %"."""
    return f"{share * 100:.0f} %"


def _logit(p: float) -> float:
    p = min(max(p, _EDGE), 1 - _EDGE)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def compression_ratio(text: str) -> float:
    """Whisper's measure of repetition: the text's bytes over their zlib-compressed bytes."""
    encoded = text.encode()
    return len(encoded) / len(zlib.compress(encoded)) if encoded else 0.0


def word_count(segment: Segment) -> int:
    """The segment's words: those timed by the engine, else those of its text."""
    return len(segment.words) or len(normalise_text(segment.text).split())


def suspect_reason(segment: Segment) -> str | None:
    """Why the segment's text may be invented, in words, or None."""
    if segment.doubtful:
        return "still a loop after decoding again"
    if segment.repeated:
        return "the same text as the segment before"
    if compression_ratio(segment.text) > COMPRESSION_RATIO_THRESHOLD:
        return "the text repeats itself"
    if segment.no_speech_prob > NO_SPEECH_THRESHOLD:
        return "text where the model heard no speech"
    return None


def features(segment: Segment) -> Features:
    """The word probabilities (or, without word timings, the mean token probability)."""
    probabilities = [word.probability for word in segment.words]
    if probabilities:
        mean = sum(probabilities) / len(probabilities)
        low = sum(p < LOW_PROBABILITY for p in probabilities) / len(probabilities)
    else:
        mean = math.exp(segment.avg_logprob)
        low = float(mean < LOW_PROBABILITY)
    return Features(word_count(segment), mean, low, suspect_reason(segment))


def _estimate(found: Features, prior: float | None, language_probability: float) -> float:
    z = (INTERCEPT + WORD_PROBABILITY_WEIGHT * _logit(found.mean_probability)
         + LOW_SHARE_WEIGHT * found.low_share
         - LANGUAGE_WEIGHT * math.log(max(language_probability, _EDGE)))
    if prior is not None:
        z += PRIOR_WEIGHT * _logit(prior)
    estimate = _sigmoid(z)
    return max(estimate, SUSPECT_FLOOR) if found.suspect else estimate


def segment_word_error(segment: Segment, language: str, language_probability: float,
                       model: str) -> float:
    """The estimated share of wrong words in the segment (0 to 1)."""
    return _estimate(features(segment), prior_wer(language, model), language_probability)


def _weighted(pairs: Sequence[tuple[int, float | None]]) -> float | None:
    words = sum(count for count, _ in pairs)
    if words == 0:
        return None
    return sum(count * estimate for count, estimate in pairs) / words


def _gap_words(segment: Segment) -> int:
    return max(round((segment.end - segment.start) * GAP_WORDS_PER_SECOND), 1)


def transcript_word_error(segments: Sequence[Segment], language: str,
                          language_probability: float, model: str) -> float | None:
    """The estimated share of wrong words over the transcript, its segments weighted by their
    words; speech where no text was found (gaps) counts as words all missing. None when
    there is nothing to judge."""
    prior = prior_wer(language, model)
    units = [unit(s, False, prior, language_probability) for s in segments]
    return _weighted([(u.words, u.estimate) for u in units])


@dataclass(frozen=True)
class Unit:
    """A segment as a transcript's review counts it: its words, its estimate (None when
    unknown: its words count as checked-or-not but not in the estimate), whether a person
    checked it."""

    words: int
    estimate: float | None
    checked: bool


def review_of(units: Sequence[Unit], threshold: float = REVIEW_THRESHOLD) -> Review:
    """The checked share of the words, and the word-weighted estimate of the rest."""
    total = sum(u.words for u in units)
    checked_words = sum(u.words for u in units if u.checked)
    rest = _weighted([(u.words, u.estimate) for u in units
                      if not u.checked and u.estimate is not None])
    return Review(checked_words / total if total else 1.0, rest, threshold)


def unit(segment: Segment, checked: bool, prior: float | None,
         language_probability: float) -> Unit:
    """The segment's words and estimate; speech without text counts as words all missing."""
    if segment.gap:
        return Unit(_gap_words(segment), 1.0, checked)
    return Unit(word_count(segment), _estimate(features(segment), prior, language_probability),
                checked)


def review(segments: Sequence[Segment], checked: Sequence[bool], language: str,
           language_probability: float, model: str,
           threshold: float = REVIEW_THRESHOLD) -> Review:
    """The checked share of the words, and the estimate for the segments not checked."""
    prior = prior_wer(language, model)
    return review_of([unit(s, done, prior, language_probability)
                      for s, done in zip(segments, checked, strict=True)], threshold)


def basis(segments: Sequence[Segment], language: str, language_probability: float,
          model: str, language_chosen: bool = False) -> list[str]:
    """What the estimate rests on, in words (the "basis" of a JSON export)."""
    found = [features(s) for s in segments if not s.gap]
    words = sum(f.words for f in found)
    name = language_name(language)
    lines = [_words_line(found, words)]
    if language_chosen:
        lines.append(f"language {name}, chosen by a person")
    else:
        lines.append(f"language detected as {name} with probability "
                     f"{language_probability:.2f}")
    expectation = expected_accuracy(language, model)
    lines.append(f"what to expect, from {expectation.source}: {expectation.sentence}")
    suspects = [f.suspect for f in found if f.suspect]
    if suspects:
        lines.append(f"{len(suspects)} segment(s) whose text may be invented "
                     f"({'; '.join(sorted(set(suspects)))})")
    gaps = sum(s.gap for s in segments)
    if gaps:
        lines.append(f"{gaps} stretch(es) of speech where no text was found, counted as "
                     f"{GAP_WORDS_PER_SECOND:g} words a second all missing")
    lines.append("calibrated on generated speech in 21 languages and real Estonian "
                 "recordings (bench/reliability.py, docs/benchmarks.md)")
    return lines


def _words_line(found: Sequence[Features], words: int) -> str:
    if not words:
        return "no words to judge"
    mean = sum(f.mean_probability * f.words for f in found) / words
    low = sum(f.low_share * f.words for f in found) / words
    return (f"Whisper's own probability for each of {words} words: mean {mean:.2f}, "
            f"{_percent(low)} of them below {LOW_PROBABILITY}")
