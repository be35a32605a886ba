"""Inter-coder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha.

Percent agreement and kappa follow NVivo's coding comparison (character level):

- For one code, one source and one pair of coders, every character of the source is a unit
  with two ratings (coded by A or not, coded by B or not). With ``both``, ``only_a``,
  ``only_b`` and ``neither`` characters out of ``n``: percent agreement is
  ``(both + neither) / n``; kappa is ``(po - pe) / (1 - pe)`` with ``po`` that share and
  ``pe = (a/n)(b/n) + ((n-a)/n)((n-b)/n)``, ``a`` and ``b`` the characters each coded.
- NVivo reports one row per code and source and no totals; its help says to average the
  rows in a spreadsheet, weighting each source by its size. This module does that: a code's
  kappa is the average of its per-source kappas weighted by source length, and the overall
  kappa is the average of all (code, source) kappas weighted the same way (so every code
  counts equally when all are defined). Percent agreement weighted by length is the same as
  pooling the characters, which is how it is computed.
- Every figure is given twice: over all the text, as NVivo does, and over the coded text only
  (characters coded by at least one of the two coders; ``neither`` is then 0 and the weights
  are the coded lengths). Uncoded text counts as agreement and inflates the first figures
  (QualCoder issue #667).
- Undefined kappa. Where neither coder used the code in a source, kappa is 0/0: NVivo shows
  1 there; here such a row is ``None`` ("not applicable") and left out of the averages, unless
  ``neither_as_agreement=True`` asks for NVivo's convention. A code nobody used is ``None``
  either way over the coded text, and ``None`` over all text by default. Where ``pe == 1``
  with coding present (both coded the whole source or, over the coded text, exactly the same
  characters), agreement is perfect and kappa is 1, as in NVivo.

Krippendorff's alpha (nominal) is computed over units, the given ranges of each source
(transcript segments or paragraphs; a source without units is one unit). For one code, a
coder's value for a unit is 1 if the coder applied the code anywhere in it, else 0; all the
chosen coders rate every unit of every chosen source. Alpha is
``1 - (n - 1) * o01 / (n0 * n1)`` from the coincidence matrix (Krippendorff 2011, "Computing
Krippendorff's alpha-reliability"). The overall alpha treats every (unit, code) pair as one
unit of analysis with values 0/1 and pools their coincidences: it measures agreement on the
presence of each code in each unit. Alpha is ``None`` when nobody applied the code (0/0);
when everyone applied it to every unit (no variation either) agreement is perfect and alpha
is 1. (The ``krippendorff`` package raises an error in both cases.)

Sources: NVivo help, "Run a Coding Comparison query" (how percentage agreement and kappa are
calculated; averaging kappa across sources or nodes in a spreadsheet).
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import NamedTuple

from fieldwork.audit import csv_cell

Interval = tuple[int, int]


class Coding(NamedTuple):
    coder: Hashable
    source: Hashable
    code: Hashable
    start: int
    end: int


@dataclass(frozen=True)
class SourceInfo:
    """A source's length in characters and its units for alpha (sorted, non-overlapping)."""

    length: int
    units: Sequence[Interval] = ()

    def alpha_units(self) -> list[Interval]:
        units = sorted(self.units) if self.units else [(0, self.length)]
        for (_, end), (start, _) in pairwise(units):
            if start < end:
                raise ValueError("units of a source must not overlap")
        return units


@dataclass(frozen=True)
class Figures:
    """Agreement of two coders over a set of characters."""

    both: int
    only_a: int
    only_b: int
    neither: int
    kappa: float | None

    @property
    def units(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def percent(self) -> float | None:
        """Percent agreement, 0 to 100; None when there are no characters."""
        if not self.units:
            return None
        return 100.0 * (self.both + self.neither) / self.units


@dataclass(frozen=True)
class PairAgreement:
    coder_a: Hashable
    coder_b: Hashable
    all_text: Figures
    coded_text: Figures
    #: per source, over all its text (NVivo's rows)
    by_source: Mapping[Hashable, Figures] = field(default_factory=dict)


@dataclass(frozen=True)
class Alpha:
    value: float | None
    #: how many units (or unit-code pairs, overall) were rated
    units: int


@dataclass(frozen=True)
class CodeAgreement:
    code: Hashable
    pairs: tuple[PairAgreement, ...]
    alpha: Alpha


@dataclass(frozen=True)
class AgreementResults:
    coders: tuple[Hashable, ...]
    codes: tuple[CodeAgreement, ...]
    overall_pairs: tuple[PairAgreement, ...]
    overall_alpha: Alpha


def compute_agreement(
    sources: Mapping[Hashable, SourceInfo],
    codings: Iterable[Coding | tuple],
    coders: Sequence[Hashable] | None = None,
    codes: Sequence[Hashable] | None = None,
    *,
    neither_as_agreement: bool = False,
) -> AgreementResults:
    """Agreement of two or more coders on the given sources and codes.

    ``codings`` are (coder, source, code, start, end); those of other sources, codes or coders
    are ignored. ``coders`` and ``codes`` default to those found in the codings.
    """
    chosen = [Coding(*c) for c in codings]
    coders = tuple(coders) if coders is not None else _in_order(c.coder for c in chosen)
    codes = tuple(codes) if codes is not None else _in_order(c.code for c in chosen)
    if len(coders) < 2:
        raise ValueError("agreement needs at least two coders")
    coverage = _coverage(chosen, sources, set(coders), set(codes))
    pairs = list(combinations(coders, 2))
    per_code = []
    cells: dict[tuple, list[_Cell]] = defaultdict(list)
    overall_alpha = _Coincidences()
    for code in codes:
        code_pairs = []
        for a, b in pairs:
            by_source = {
                source: _compare(
                    coverage.get((a, code, source), []),
                    coverage.get((b, code, source), []),
                    info.length,
                    neither_as_agreement,
                )
                for source, info in sources.items()
            }
            cells[(a, b)].extend(by_source.values())
            code_pairs.append(_pair(a, b, list(by_source.values()), by_source))
        coincidences = _alpha_coincidences(coverage, sources, coders, code)
        overall_alpha.add(coincidences)
        per_code.append(CodeAgreement(code, tuple(code_pairs), coincidences.alpha()))
    overall = tuple(_pair(a, b, cells[(a, b)], {}) for a, b in pairs)
    return AgreementResults(coders, tuple(per_code), overall, overall_alpha.alpha())


def _in_order(values: Iterable[Hashable]) -> tuple[Hashable, ...]:
    return tuple(dict.fromkeys(values))


def _coverage(
    codings: list[Coding],
    sources: Mapping[Hashable, SourceInfo],
    coders: set[Hashable],
    codes: set[Hashable],
) -> dict[tuple, list[Interval]]:
    """Merged, sorted character ranges per (coder, code, source)."""
    ranges: dict[tuple, list[Interval]] = defaultdict(list)
    for c in codings:
        if c.coder in coders and c.code in codes and c.source in sources:
            length = sources[c.source].length
            start, end = max(0, c.start), min(length, c.end)
            if start < end:
                ranges[(c.coder, c.code, c.source)].append((start, end))
    return {key: merge_intervals(value) for key, value in ranges.items()}


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """The intervals joined where they overlap or touch, sorted."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _total(intervals: list[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def _overlap(a: list[Interval], b: list[Interval]) -> int:
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        total += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


class _Cell(NamedTuple):
    all_text: Figures
    coded_text: Figures


def _compare(a: list[Interval], b: list[Interval], length: int, neither_as_one: bool) -> _Cell:
    both = _overlap(a, b)
    only_a, only_b = _total(a) - both, _total(b) - both
    neither = length - both - only_a - only_b
    return _Cell(
        Figures(
            both, only_a, only_b, neither, kappa(both, only_a, only_b, neither, neither_as_one)
        ),
        Figures(both, only_a, only_b, 0, kappa(both, only_a, only_b, 0, False)),
    )


def kappa(
    both: int, only_a: int, only_b: int, neither: int, neither_as_one: bool = False
) -> float | None:
    """Cohen's kappa from a 2x2 table; see the module docstring for the undefined cases."""
    n = both + only_a + only_b + neither
    if n == 0 or both + only_a + only_b == 0:
        return 1.0 if neither_as_one and n else None
    coded_a, coded_b = both + only_a, both + only_b
    observed = (both + neither) / n
    expected = (coded_a * coded_b + (n - coded_a) * (n - coded_b)) / (n * n)
    if expected == 1:
        return 1.0
    return (observed - expected) / (1 - expected)


def _pair(a: Hashable, b: Hashable, cells: list[_Cell], by_source: Mapping) -> PairAgreement:
    return PairAgreement(
        a,
        b,
        _pooled([cell.all_text for cell in cells]),
        _pooled([cell.coded_text for cell in cells]),
        {source: cell.all_text for source, cell in by_source.items()},
    )


def _pooled(figures: list[Figures]) -> Figures:
    """Summed counts, and kappa averaged over the rows where it is defined, by their size."""
    weighted = [(f.kappa, f.units) for f in figures if f.kappa is not None and f.units]
    weight = sum(units for _, units in weighted)
    return Figures(
        sum(f.both for f in figures),
        sum(f.only_a for f in figures),
        sum(f.only_b for f in figures),
        sum(f.neither for f in figures),
        sum(k * units for k, units in weighted) / weight if weight else None,
    )


class _Coincidences:
    """The binary coincidence matrix of Krippendorff's alpha."""

    def __init__(self) -> None:
        self.o00 = self.o01 = self.o11 = 0.0
        self.units = 0

    def add_unit(self, ones: int, raters: int) -> None:
        if raters < 2:
            return
        zeros = raters - ones
        self.o11 += ones * (ones - 1) / (raters - 1)
        self.o00 += zeros * (zeros - 1) / (raters - 1)
        self.o01 += ones * zeros / (raters - 1)
        self.units += 1

    def add(self, other: _Coincidences) -> None:
        self.o00 += other.o00
        self.o01 += other.o01
        self.o11 += other.o11
        self.units += other.units

    def alpha(self) -> Alpha:
        n1 = self.o11 + self.o01
        n0 = self.o00 + self.o01
        n = n0 + n1
        if n1 == 0:
            return Alpha(None, self.units)
        if n0 == 0:
            return Alpha(1.0, self.units)
        return Alpha(1 - (n - 1) * self.o01 / (n0 * n1), self.units)


def _alpha_coincidences(
    coverage: dict[tuple, list[Interval]],
    sources: Mapping[Hashable, SourceInfo],
    coders: Sequence[Hashable],
    code: Hashable,
) -> _Coincidences:
    coincidences = _Coincidences()
    for source, info in sources.items():
        units = info.alpha_units()
        starts = [start for start, _ in units]
        ends = [end for _, end in units]
        ones: Counter[int] = Counter()
        for coder in coders:
            touched: set[int] = set()
            for start, end in coverage.get((coder, code, source), []):
                touched.update(range(bisect_right(ends, start), bisect_left(starts, end)))
            ones.update(touched)
        for index in range(len(units)):
            coincidences.add_unit(ones[index], len(coders))
    return coincidences


NOT_APPLICABLE = "not applicable"

CSV_COLUMNS = (
    "code",
    "coder_a",
    "coder_b",
    "agreement_all_text_percent",
    "kappa_all_text",
    "agreement_coded_text_percent",
    "kappa_coded_text",
    "characters_both",
    "characters_a_only",
    "characters_b_only",
    "characters_neither",
    "alpha",
    "alpha_units",
)


def agreement_csv(
    results: AgreementResults,
    code_names: Mapping[Hashable, str] | None = None,
    coder_names: Mapping[Hashable, str] | None = None,
) -> str:
    """The results as CSV: one row per code and pair of coders, one per code for all coders
    (alpha), then the same for all codes ("overall")."""
    code_names = code_names or {}
    coder_names = coder_names or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    sections = [(csv_cell(code_names.get(c.code, str(c.code))), c.pairs, c.alpha)
                for c in results.codes]
    sections.append(("overall", results.overall_pairs, results.overall_alpha))
    for name, pairs, alpha in sections:
        for pair in pairs:
            writer.writerow(
                [
                    name,
                    csv_cell(coder_names.get(pair.coder_a, str(pair.coder_a))),
                    csv_cell(coder_names.get(pair.coder_b, str(pair.coder_b))),
                    _number(pair.all_text.percent),
                    _number(pair.all_text.kappa),
                    _number(pair.coded_text.percent),
                    _number(pair.coded_text.kappa),
                    pair.all_text.both,
                    pair.all_text.only_a,
                    pair.all_text.only_b,
                    pair.all_text.neither,
                    "",
                    "",
                ]
            )
        writer.writerow([name, "all coders", *[""] * 9, _number(alpha.value), alpha.units])
    return out.getvalue()


def _number(value: float | None) -> str:
    return NOT_APPLICABLE if value is None else f"{value:.4f}"
