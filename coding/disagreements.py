"""The disagreements of two coders on one source, as segments the lead settles one by one.

For each code, each coder's ranges are joined where they overlap or touch (as the agreement
figures count them). Ranges of the two coders that share characters form a group; a group is
agreed when both coders have exactly the same ranges, else it is a *different extent*. A group
with ranges of one coder only is a candidate *A only* or *B only*; an A-only and a B-only of
two different codes that share characters become one *different code* segment (the pairs
sharing the most characters first, each candidate used once). Ranges that merely touch share
no character and are not grouped.

A segment's key names both versions exactly, so a decision stays attached to its segment
while neither coder changes those codings, and lapses (the segment shows as unsettled again)
when one of them does. An edit of the source's text moves the keys' ranges with the codings.

Settling a segment with an action gives its outcome, the codings the consensus keeps there:
keep A, keep B, keep both (both versions as they are), merge the extents (for a different
extent: the code over every character either coder coded there) or drop (nothing). Only the
actions that make a difference are offered for each kind.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import NamedTuple

from coding.agreement import Interval, merge_intervals


class Span(NamedTuple):
    """A code over a range of characters."""

    code: Hashable
    start: int
    end: int


A_ONLY, B_ONLY, OTHER_CODE, EXTENT = "a_only", "b_only", "code", "extent"
KINDS = {A_ONLY: "A only", B_ONLY: "B only", OTHER_CODE: "Different code",
         EXTENT: "Different extent"}
KEEP_A, KEEP_B, KEEP_BOTH, MERGE, DROP = "keep_a", "keep_b", "keep_both", "merge", "drop"
#: action -> (key on the keyboard, label); the order of the buttons
ACTIONS = {KEEP_A: ("a", "Keep A"), KEEP_B: ("b", "Keep B"), KEEP_BOTH: ("k", "Keep both"),
           MERGE: ("m", "Merge the extents"), DROP: ("d", "Drop")}
OFFERED = {
    A_ONLY: (KEEP_A, DROP),
    B_ONLY: (KEEP_B, DROP),
    OTHER_CODE: (KEEP_A, KEEP_B, KEEP_BOTH, DROP),
    EXTENT: (KEEP_A, KEEP_B, KEEP_BOTH, MERGE, DROP),
}


class SettleError(ValueError):
    """An action that does not apply to a segment, said in words."""


@dataclass(frozen=True)
class Disagreement:
    kind: str
    #: coder A's version and coder B's, each sorted
    a: tuple[Span, ...]
    b: tuple[Span, ...]

    @cached_property
    def start(self) -> int:
        return min(span.start for span in self.a + self.b)

    @cached_property
    def end(self) -> int:
        return max(span.end for span in self.a + self.b)

    @property
    def key(self) -> str:
        """Both versions in words, e.g. "A 12:40-71 | B 12:38-71"."""
        return f"A {_spans_key(self.a)} | B {_spans_key(self.b)}"

    @property
    def actions(self) -> tuple[str, ...]:
        return OFFERED[self.kind]

    def outcome(self, action: str) -> tuple[Span, ...]:
        """What the consensus keeps here when the segment is settled with `action`."""
        if action not in self.actions:
            label = ACTIONS[action][1] if action in ACTIONS else action
            raise SettleError(f"“{label}” does not apply to a segment of kind "
                              f"“{KINDS[self.kind]}”.")
        if action == KEEP_A:
            return self.a
        if action == KEEP_B:
            return self.b
        if action == KEEP_BOTH:
            return tuple(sorted(self.a + self.b, key=_order))
        if action == MERGE:
            return (Span(self.a[0].code, self.start, self.end),)
        return ()


@dataclass(frozen=True)
class Comparison:
    """One source compared: the ranges both coders agree on, and the disagreements."""

    agreed: tuple[Span, ...]
    disagreements: tuple[Disagreement, ...]

    def consensus(self, actions: dict[str, str]) -> set[Span]:
        """The agreed ranges and the outcome of each settled segment (actions by key)."""
        kept = set(self.agreed)
        for segment in self.disagreements:
            if segment.key in actions:
                kept.update(segment.outcome(actions[segment.key]))
        return kept


def compare_sides(a: Iterable[Span], b: Iterable[Span]) -> Comparison:
    """The agreed ranges and the disagreements of coder A's and coder B's codings of one
    source, in the order of the text."""
    by_code: dict[Hashable, tuple[list[Interval], list[Interval]]] = defaultdict(
        lambda: ([], []))
    for side, spans in ((0, a), (1, b)):
        for code, start, end in spans:
            if start < end:
                by_code[code][side].append((start, end))
    agreed: list[Span] = []
    segments: list[Disagreement] = []
    only_a: list[tuple[Span, ...]] = []
    only_b: list[tuple[Span, ...]] = []
    for code, (ranges_a, ranges_b) in by_code.items():
        for group_a, group_b in _groups(merge_intervals(ranges_a), merge_intervals(ranges_b)):
            spans_a = tuple(Span(code, s, e) for s, e in group_a)
            spans_b = tuple(Span(code, s, e) for s, e in group_b)
            if group_a == group_b:
                agreed.extend(spans_a)
            elif group_a and group_b:
                segments.append(Disagreement(EXTENT, spans_a, spans_b))
            elif group_a:
                only_a.append(spans_a)
            else:
                only_b.append(spans_b)
    segments += _paired(only_a, only_b)
    segments.sort(key=lambda s: (s.start, s.end, s.key))
    return Comparison(tuple(sorted(agreed, key=_order)), tuple(segments))


def _groups(a: list[Interval], b: list[Interval]) -> list[tuple[list[Interval], list[Interval]]]:
    """The ranges of both sides, grouped where ranges of the two sides share characters
    (each side's ranges are merged, so within a side none do)."""
    labelled = sorted([(s, e, 0) for s, e in a] + [(s, e, 1) for s, e in b])
    groups: list[tuple[list[Interval], list[Interval]]] = []
    reach = -1
    for start, end, side in labelled:
        if not groups or start >= reach:
            groups.append(([], []))
        groups[-1][side].append((start, end))
        reach = max(reach, end) if start < reach else end
    return groups


def _paired(only_a: list[tuple[Span, ...]],
            only_b: list[tuple[Span, ...]]) -> list[Disagreement]:
    """A-only and B-only groups of different codes that share characters become "different
    code" segments, those sharing the most first; the rest stay A only and B only."""
    overlaps = sorted(
        ((-_shared(x, y), i, j) for i, x in enumerate(only_a) for j, y in enumerate(only_b)
         if x[0].code != y[0].code and _shared(x, y) > 0))
    used_a: set[int] = set()
    used_b: set[int] = set()
    segments = []
    for _, i, j in overlaps:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            segments.append(Disagreement(OTHER_CODE, only_a[i], only_b[j]))
    segments += [Disagreement(A_ONLY, x, ()) for i, x in enumerate(only_a) if i not in used_a]
    segments += [Disagreement(B_ONLY, (), y) for j, y in enumerate(only_b) if j not in used_b]
    return segments


def _shared(x: tuple[Span, ...], y: tuple[Span, ...]) -> int:
    return sum(max(0, min(p.end, q.end) - max(p.start, q.start)) for p in x for q in y)


_KEY_RANGE = re.compile(r":(\d+)-(\d+)")


def key_ranges(key: str) -> list[Interval]:
    """The (start, end) of every range a segment's key names, in order."""
    return [(int(start), int(end)) for start, end in _KEY_RANGE.findall(key)]


def key_with_ranges(key: str, ranges: Iterable[Interval]) -> str:
    """The key with its ranges replaced, in order (after the source's text changed)."""
    moved = iter(ranges)
    return _KEY_RANGE.sub(lambda _: ":{}-{}".format(*next(moved)), key)


def _order(span: Span) -> tuple:
    return (span.start, span.end, str(span.code))


def _spans_key(spans: tuple[Span, ...]) -> str:
    return ", ".join(f"{span.code}:{span.start}-{span.end}" for span in spans) or "none"


class Piece(NamedTuple):
    """A stretch of text around a segment and who coded it there: "", "a", "b" or "ab"."""

    text: str
    coded_by: str


def marked_text(text: str, segment: Disagreement, context: int = 80) -> list[Piece]:
    """The segment's words with up to `context` characters either side (cut at a space, and
    within the segment's paragraphs), in pieces marked by which coder's version covers them."""
    first = text.rfind("\n", 0, segment.start) + 1
    last = text.find("\n", segment.end)
    start = max(first, _cut(text, max(0, segment.start - context), backwards=True))
    end = min(len(text) if last < 0 else last,
              _cut(text, min(len(text), segment.end + context), backwards=False))
    bounds = sorted({start, end, *(p for s in segment.a + segment.b for p in (s.start, s.end)
                                   if start <= p <= end)})
    pieces: list[Piece] = []
    for left, right in pairwise(bounds):
        coded_by = "".join(side for side, spans in (("a", segment.a), ("b", segment.b))
                           if any(s.start <= left and right <= s.end for s in spans))
        if pieces and pieces[-1].coded_by == coded_by:
            pieces[-1] = Piece(pieces[-1].text + text[left:right], coded_by)
        else:
            pieces.append(Piece(text[left:right], coded_by))
    return pieces


def _cut(text: str, at: int, backwards: bool) -> int:
    """`at` moved away from the segment to the nearest space, or to the text's edge, within
    20 characters; kept where neither is that near."""
    if backwards:
        edge = max(0, at - 20)
        found = text.rfind(" ", edge, at)
        return found + 1 if found >= 0 else (0 if edge == 0 else at)
    edge = min(len(text), at + 20)
    found = text.find(" ", at, edge)
    return found if found >= 0 else (edge if edge == len(text) else at)
