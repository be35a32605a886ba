"""Fitting the reliability estimate's constants, and the rank correlation, in numpy (scipy
is not a dependency).

The estimate is logistic: its log-odds are a weighted sum of a few features of each segment
(interviews.asr.reliability). Fitted here per clip, on the word-weighted means of those
features, by least squares on the log-odds of the measured word error rate (kept within
2-98 %), with a small ridge penalty, on the clips whose text is not mostly suspect (loops,
repetitions: the estimate gives those a floor instead). The weights of the published error
rate and of the language detection are held at the values in FIXED (see
interviews/asr/reliability.py for why); a fitted weight whose sign would make the estimate fall
as the evidence of errors grows is dropped and the rest fitted again: the estimate stays
monotone.
"""

from __future__ import annotations

import math

import numpy as np

from interviews.asr.base import TranscriptionResult
from interviews.asr.expectations import prior_wer
from interviews.asr.reliability import LANGUAGE_WEIGHT, PRIOR_WEIGHT, features

#: feature name -> the sign its weight must have
SIGNS = {"WORD_PROBABILITY_WEIGHT": -1, "LOW_SHARE_WEIGHT": 1, "PRIOR_WEIGHT": 1,
         "LANGUAGE_WEIGHT": 1}
#: weights held, not fitted: feature index -> weight
FIXED = {2: PRIOR_WEIGHT, 3: LANGUAGE_WEIGHT}
#: a clip with more than this share of its words in suspect segments is left out of the fit
SUSPECT_SHARE = 0.5
RIDGE = 0.1
#: the measured error is kept within these before its log-odds are taken
FLOOR, CEILING = 0.02, 0.98
EDGE = 0.01


def _logit(p: float) -> float:
    p = min(max(p, EDGE), 1 - EDGE)
    return math.log(p / (1 - p))


def ranks(values: list[float]) -> np.ndarray:
    """Ranks from 1, ties given their mean rank."""
    array = np.asarray(values, dtype=float)
    order = array.argsort(kind="stable")
    ranked = np.empty(len(array))
    ranked[order] = np.arange(1, len(array) + 1)
    for value in np.unique(array):
        tied = array == value
        ranked[tied] = ranked[tied].mean()
    return ranked


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman's rank correlation: Pearson's on the ranks."""
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def clip_features(result: TranscriptionResult, model: str) -> list[float] | None:
    """The word-weighted means of the segment features of one transcript; None when it has
    no words or mostly suspect ones."""
    found = [features(s) for s in result.segments if not s.gap]
    words = sum(f.words for f in found)
    if not words or sum(f.words for f in found if f.suspect) > SUSPECT_SHARE * words:
        return None
    prior = prior_wer(result.language, model)
    return [
        sum(_logit(f.mean_probability) * f.words for f in found) / words,
        sum(f.low_share * f.words for f in found) / words,
        _logit(prior) if prior is not None else 0.0,
        -math.log(max(result.language_probability, EDGE)),
    ]


def _solve(x: np.ndarray, y: np.ndarray, keep: list[int]) -> np.ndarray:
    design = np.column_stack([np.ones(len(y)), x[:, keep]])
    penalty = RIDGE * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    solved = np.linalg.solve(design.T @ design + penalty, design.T @ y)
    weights = np.zeros(x.shape[1] + 1)
    weights[0] = solved[0]
    weights[[k + 1 for k in keep]] = solved[1:]
    return weights


def fit(samples: list[tuple[TranscriptionResult, str, float]]) -> dict[str, float]:
    """INTERCEPT and the weights, from (transcript, model, measured error) per clip."""
    rows = [(clip_features(result, model), measured) for result, model, measured in samples]
    rows = [(found, measured) for found, measured in rows if found is not None]
    x = np.array([found for found, _ in rows])
    y = np.array([_logit(min(max(measured, FLOOR), CEILING)) for _, measured in rows])
    y = y - sum(weight * x[:, index] for index, weight in FIXED.items())
    keep = [index for index in range(len(SIGNS)) if index not in FIXED]
    while True:
        weights = _solve(x, y, keep)
        wrong = [k for k in keep if np.sign(weights[k + 1]) != list(SIGNS.values())[k]]
        if not wrong:
            break
        keep.remove(wrong[0])
    for index, weight in FIXED.items():
        weights[index + 1] = weight
    names = ["INTERCEPT", *SIGNS]
    return {name: round(float(w), 3) for name, w in zip(names, weights, strict=True)}
