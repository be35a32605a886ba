"""Whisper's published word error rates by language and model size, as plain data.

Source: Radford et al. (2022), "Robust Speech Recognition via Large-Scale Weak Supervision"
(arXiv 2212.04356), appendix D.2.4, Table 13 "WER (%) on Fleurs": read speech, one row per
model size (tiny, base, small, medium, large, large-v2). The paper's text normaliser removes
punctuation, marks and case; Chinese is split into characters, so its figure is a character
error rate.

Only the figures that could be read and checked here are kept; a missing size is left out, not
guessed. The paper's PDF could not be opened from this machine: the figures were taken from
notes that quote Table 13 column by column (all six sizes for English, German, Spanish, Dutch;
tiny, base, small and large-v2 for Russian; small and large-v2 for French and Chinese; the
large-v2 row for the other languages, and Serbian's large row). No figure was found for
Albanian, Belarusian, Maltese, Luxembourgish and Basque (`MISSING`): they are left out.

Where a size is missing, `expected_wer` derives it from the large-v2 figure and the ratio of
that size to large-v2 in the languages where the paper gives both (the median ratio), and says
it is derived.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

SOURCE = ('Radford et al. 2022, "Robust Speech Recognition via Large-Scale Weak Supervision", '
          'appendix D.2.4, Table 13 (WER on FLEURS)')
#: model sizes, from the smallest; the order the paper's rows go in
SIZES = ("tiny", "base", "small", "medium", "large", "large-v2")
#: the size whose row covers every language the paper reports
REFERENCE_SIZE = "large-v2"

#: language -> model size -> word error rate in % (Chinese: character error rate)
FLEURS_WER: dict[str, dict[str, float]] = {
    "en": {"tiny": 12.4, "base": 8.9, "small": 6.1, "medium": 4.4, "large": 4.5,
           "large-v2": 4.2},
    "de": {"tiny": 27.8, "base": 17.9, "small": 10.2, "medium": 6.5, "large": 5.5,
           "large-v2": 4.5},
    "es": {"tiny": 15.9, "base": 9.9, "small": 5.6, "medium": 3.6, "large": 3.5,
           "large-v2": 3.0},
    "nl": {"tiny": 49.0, "base": 33.0, "small": 16.4, "medium": 9.9, "large": 8.3,
           "large-v2": 6.7},
    "ru": {"tiny": 31.1, "base": 20.5, "small": 11.4, "large-v2": 5.6},
    "fr": {"small": 15.0, "large-v2": 8.3},
    "zh": {"small": 20.8, "large-v2": 14.7},
    "sr": {"large": 29.2, "large-v2": 33.9},
    "pl": {"large-v2": 5.4},
    "it": {"large-v2": 4.0},
    "pt": {"large-v2": 4.3},
    "ca": {"large-v2": 7.3},
    "sv": {"large-v2": 8.5},
    "uk": {"large-v2": 8.6},
    "fi": {"large-v2": 9.7},
    "sk": {"large-v2": 11.7},
    "el": {"large-v2": 12.5},
    "cs": {"large-v2": 13.3},
    "hr": {"large-v2": 13.4},
    "da": {"large-v2": 13.8},
    "ro": {"large-v2": 14.4},
    "bg": {"large-v2": 14.6},
    "gl": {"large-v2": 15.4},
    "bs": {"large-v2": 15.7},
    "mk": {"large-v2": 16.5},
    "hu": {"large-v2": 17.0},
    "et": {"large-v2": 21.9},
    "lv": {"large-v2": 23.1},
    "sl": {"large-v2": 23.1},
    "lt": {"large-v2": 28.1},
}
#: study languages for which no figure was found in the sources read
MISSING = ("sq", "be", "mt", "lb", "eu")


@dataclass(frozen=True)
class PublishedWer:
    """The error rate to expect for a language and a model size, in %."""

    percent: float
    #: False when it is derived from the large-v2 figure rather than printed for this size
    printed: bool
    #: the size the printed figure belongs to
    size: str


def size_ratio(size: str) -> float | None:
    """How many times large-v2's errors `size` makes, the median over the languages where
    the paper gives both (None when it gives none)."""
    ratios = [row[size] / row[REFERENCE_SIZE] for row in FLEURS_WER.values()
              if size in row and REFERENCE_SIZE in row]
    return statistics.median(ratios) if ratios else None


def expected_wer(language: str, size: str) -> PublishedWer | None:
    """The published figure for the pair, or one derived from large-v2's; None when the
    language has no figure."""
    row = FLEURS_WER.get(language)
    if row is None or size not in SIZES:
        return None
    if size in row:
        return PublishedWer(row[size], True, size)
    ratio = size_ratio(size)
    if REFERENCE_SIZE not in row or ratio is None:
        return None
    return PublishedWer(round(row[REFERENCE_SIZE] * ratio, 1), False, REFERENCE_SIZE)
