"""The accuracy to expect before transcribing: for a language and a model, the error rate
Whisper's authors published (interviews.asr.published_wer), in words for a researcher, and
the strongest installed model for a language.

A model's size is read from its name ("base", "tiny.en", a folder named "large-v3" or
"whisper-small"): the packaged models and any model folder a team adds. Sizes newer than the
paper (large-v3, turbo) are given large-v2's figures: OpenAI reports turbo performing
similarly to large-v2 and large-v3 better.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from interviews.asr.languages import language_name
from interviews.asr.published_wer import (
    FLEURS_WER,
    REFERENCE_SIZE,
    SIZES,
    SOURCE,
    PublishedWer,
    expected_wer,
    size_ratio,
)

#: Expected word error rates up to these (in %) are "good", then "fair"; above, "poor".
GOOD_UP_TO = 12.0
FAIR_UP_TO = 25.0
#: What an English-only model makes of another language: nearly every word wrong.
ENGLISH_ONLY_ELSEWHERE = 0.95
_SIZE = re.compile(r"(?:^|[-_./ ])(tiny|base|small|medium|large(?:-v\d)?|turbo)(\.en)?(?=$|[-_. ])")
_NEWER = {"large-v3": "large-v2", "turbo": "large-v2"}


@dataclass(frozen=True)
class ModelSize:
    #: the size in the published table
    name: str
    english_only: bool
    #: the size the name says, when the table has it under another (large-v3, turbo)
    said: str


@dataclass(frozen=True)
class Expectation:
    level: str
    #: the expected word error rate in %, None when unknown
    percent: float | None
    #: False when derived from the large-v2 figure
    printed: bool
    source: str
    sentence: str


def model_size(model: str) -> ModelSize | None:
    """The size a model name or folder name says, or None."""
    match = _SIZE.search(Path(model).name.lower())
    if match is None:
        return None
    size = _NEWER.get(match[1], match[1])
    return ModelSize(size, match[2] is not None, match[1]) if size in SIZES else None


def _published(language: str, model: str) -> PublishedWer | None:
    size = model_size(model)
    return None if size is None else expected_wer(language, size.name)


def prior_wer(language: str, model: str) -> float | None:
    """The error rate to expect for the pair as a share (0-1+), or None when unknown."""
    size = model_size(model)
    if size is not None and size.english_only and language != "en":
        return ENGLISH_ONLY_ELSEWHERE
    found = _published(language, model)
    return None if found is None else found.percent / 100


def level(percent: float) -> str:
    if percent <= GOOD_UP_TO:
        return "good"
    return "fair" if percent <= FAIR_UP_TO else "poor"


def _figure(found: PublishedWer, language: str, size: ModelSize) -> str:
    if found.printed:
        return f"published word error rate {found.percent:g} % on FLEURS{_whose(size)}"
    return (f"about {found.percent:.0f} %: the paper gives "
            f"{FLEURS_WER[language][REFERENCE_SIZE]:g} % on FLEURS for {REFERENCE_SIZE}, and "
            f"{size.name} has about {size_ratio(size.name):.1f} times {REFERENCE_SIZE}'s errors "
            f"where both are published")


def _whose(size: ModelSize) -> str:
    """Whose figure it is, when not the model's own."""
    if size.said != size.name:
        return f" for {size.name}, the paper's nearest size to {size.said}"
    if size.english_only:
        return f" for the multilingual {size.name}; the paper has no such row for {size.name}.en"
    return ""


_ADVICE = {
    "good": "expect few errors",
    "fair": "expect some errors",
    "poor": "expect many errors",
}
_THEN = {
    "good": "",
    "fair": "; check the segments marked for review",
    "poor": "; check every segment, or use a larger model folder",
}


def expected_accuracy(language: str, model: str) -> Expectation:
    """The accuracy to expect for the pair, with its source, in words."""
    name = language_name(language)
    size = model_size(model)
    if size is not None and size.english_only and language != "en":
        return Expectation("poor", ENGLISH_ONLY_ELSEWHERE * 100, False, SOURCE,
                           f"{name} with {model}: {model} is an English-only model and "
                           f"cannot transcribe {name}; choose a multilingual model such as base")
    found = _published(language, model)
    if size is None or found is None:
        return Expectation("unknown", None, False, SOURCE,
                           f"{name} with {model}: no published error rate; check a few "
                           f"segments before relying on the transcript")
    grade = level(found.percent)
    sentence = (f"{name} with {model}: {_ADVICE[grade]} ({_figure(found, language, size)})"
                f"{_THEN[grade]}")
    return Expectation(grade, found.percent, found.printed, SOURCE, sentence)


def strongest_model(language: str, models: Sequence[str]) -> str | None:
    """Of the installed models, the one with the lowest error rate to expect for the
    language, else the largest (a language with no figure); None when no model's size is
    known."""
    ranked = []
    for model in models:
        size = model_size(model)
        if size is None:
            continue
        elsewhere = size.english_only and language != "en"
        prior = prior_wer(language, model)
        ranked.append((elsewhere, math.inf if prior is None else prior,
                       -SIZES.index(size.name), model))
    return min(ranked)[3] if ranked else None
