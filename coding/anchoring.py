"""Keep codings on the same words when a source's text is edited.

A coding is a (start, end) range of character offsets (Python ``str`` indices, that is Unicode
code points). When the text changes, every range is carried through a diff of the old text
against the new one:

1. the common prefix and suffix are cut off (a typical edit touches one place);
2. what is left is compared line by line, changed lines sentence by sentence, changed
   sentences word by word and changed words character by character
   (``difflib.SequenceMatcher`` with ``autojunk=False`` at each level), so the character diff
   only ever runs on small pieces; a changed run with as many pieces on both sides (the same
   lines, each edited) is refined piece by piece;
3. each range is mapped through the resulting character opcodes.

Rules for a range:

- text inserted exactly at its start or end is not added to it; text inserted strictly inside
  it is;
- characters replaced inside it (a corrected spelling) stay inside it; at the character level
  letters are compared without case and accents, so a corrected accent or capital counts as
  the same letter (the coding is then ``moved``, not ``unchanged``, if its offsets are equal);
- deleted characters leave it; if all of its characters were deleted or replaced it is
  ``lost``: kept, empty, at the place where its text was, and flagged for review;
- if some were lost it is ``shrunk`` to what remains, flagged for review when more than half
  of its characters were lost.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from fieldwork.folding import fold_character

Status = Literal["unchanged", "moved", "shrunk", "lost"]
Opcode = tuple[str, int, int, int, int]

#: Above this many token comparisons (len(a) * len(b)) a changed block is not refined further
#: and counts as replaced as a whole: the text was rewritten, not edited.
MAX_REFINE_WORK = 4_000_000

_WORDS = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class RemappedSpan:
    """Where one coding's range is in the new text."""

    start: int
    end: int
    status: Status
    #: the share of the coding's original characters still in the new text (1.0 when empty)
    kept: float
    #: for a lost coding, where its text was in the new text (equal to start and end)
    position: int | None = None

    @property
    def needs_review(self) -> bool:
        """Lost, or shrunk by more than half."""
        return self.status == "lost" or (self.status == "shrunk" and self.kept < 0.5)


def remap_spans(
    old_text: str, new_text: str, spans: Sequence[tuple[int, int]]
) -> list[RemappedSpan]:
    """Carry each (start, end) range of ``old_text`` over to ``new_text``, in the given order."""
    for start, end in spans:
        if not 0 <= start <= end <= len(old_text):
            raise ValueError(f"range ({start}, {end}) is outside a text of {len(old_text)}")
    mapper = _OffsetMap(diff_opcodes(old_text, new_text))
    return [mapper.remap(start, end, old_text, new_text) for start, end in spans]


def diff_opcodes(old_text: str, new_text: str) -> list[Opcode]:
    """Character-level opcodes (as ``SequenceMatcher.get_opcodes``) from old to new text."""
    prefix = _common_prefix_length(old_text, new_text)
    limit = min(len(old_text), len(new_text)) - prefix
    suffix = _common_suffix_length(old_text, new_text, limit)
    old_mid = old_text[prefix : len(old_text) - suffix]
    new_mid = new_text[prefix : len(new_text) - suffix]
    opcodes: list[Opcode] = []
    if prefix:
        opcodes.append(("equal", 0, prefix, 0, prefix))
    opcodes.extend(_shift(_diff_block(old_mid, new_mid, 0), prefix, prefix))
    if suffix:
        opcodes.append(
            ("equal", len(old_text) - suffix, len(old_text), len(new_text) - suffix, len(new_text))
        )
    return _merge(opcodes)


def _common_prefix_length(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix_length(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?…。！？])(?=\s)", text)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def _characters(text: str) -> list[str]:
    # Compared without case or accents, so that "Łódź" corrected to "Łodz" or "w" to "W" keeps
    # the letter where it was instead of reading as a deletion plus an insertion.
    return [fold_character(c) for c in text]


_LEVELS: tuple[Callable[[str], list[str]], ...] = (_lines, _sentences, _words, _characters)


def _diff_block(old: str, new: str, level: int) -> list[Opcode]:
    """Opcodes for two strings, tokenised at ``level`` and refined inside replaced blocks."""
    if not old or not new:
        return _whole(old, new)
    old_tokens = [t for t in _LEVELS[level](old) if t]
    new_tokens = [t for t in _LEVELS[level](new) if t]
    if len(old_tokens) * len(new_tokens) > MAX_REFINE_WORK:
        return _whole(old, new)
    old_offsets = _offsets(old_tokens, level)
    new_offsets = _offsets(new_tokens, level)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    result: list[Opcode] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a1, a2, b1, b2 = old_offsets[i1], old_offsets[i2], new_offsets[j1], new_offsets[j2]
        if tag == "replace" and level + 1 < len(_LEVELS) and i2 - i1 == j2 - j1:
            # As many tokens on both sides: edited in place (a renamed speaker on every line).
            for k in range(i2 - i1):
                a, b = old_offsets[i1 + k], new_offsets[j1 + k]
                piece = _diff_block(
                    old[a : old_offsets[i1 + k + 1]], new[b : new_offsets[j1 + k + 1]], level + 1
                )
                result.extend(_shift(piece, a, b))
        elif tag == "replace" and level + 1 < len(_LEVELS):
            result.extend(_shift(_diff_block(old[a1:a2], new[b1:b2], level + 1), a1, b1))
        else:
            result.append((tag, a1, a2, b1, b2))
    return result


def _whole(old: str, new: str) -> list[Opcode]:
    if old and new:
        return [("replace", 0, len(old), 0, len(new))]
    if old:
        return [("delete", 0, len(old), 0, 0)]
    if new:
        return [("insert", 0, 0, 0, len(new))]
    return []


def _offsets(tokens: list[str], level: int) -> list[int]:
    if _LEVELS[level] is _characters:
        return list(range(len(tokens) + 1))
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def _shift(opcodes: list[Opcode], old_by: int, new_by: int) -> list[Opcode]:
    return [
        (tag, i1 + old_by, i2 + old_by, j1 + new_by, j2 + new_by) for tag, i1, i2, j1, j2 in opcodes
    ]


def _merge(opcodes: list[Opcode]) -> list[Opcode]:
    merged: list[Opcode] = []
    for opcode in opcodes:
        if merged and merged[-1][0] == opcode[0] == "equal":
            tag, i1, _, j1, _ = merged[-1]
            merged[-1] = (tag, i1, opcode[2], j1, opcode[4])
        else:
            merged.append(opcode)
    return merged


class _OffsetMap:
    """Old-text positions to new-text positions through character opcodes."""

    def __init__(self, opcodes: list[Opcode]) -> None:
        # Insertions take no old characters; they are found between the blocks around them.
        self.blocks = [op for op in opcodes if op[1] < op[2]]
        self.starts = [op[1] for op in self.blocks]
        self.equal_before: list[int] = []
        count = 0
        for tag, i1, i2, _, _ in self.blocks:
            self.equal_before.append(count)
            if tag == "equal":
                count += i2 - i1
        self.new_length = opcodes[-1][4] if opcodes else 0

    def remap(self, start: int, end: int, old_text: str, new_text: str) -> RemappedSpan:
        if start == end:
            position = self._position(start)
            status: Status = "unchanged" if position == start else "moved"
            return RemappedSpan(position, position, status, 1.0)
        kept_chars = self._equal_count(end) - self._equal_count(start)
        kept = kept_chars / (end - start)
        if kept_chars == 0:
            position = self._position(start)
            return RemappedSpan(position, position, "lost", 0.0, position)
        new_start = self._new_start(start)
        new_end = self._new_end(end)
        if kept_chars < end - start:
            return RemappedSpan(new_start, new_end, "shrunk", kept)
        if (new_start, new_end) == (start, end) and new_text[start:end] == old_text[start:end]:
            return RemappedSpan(start, end, "unchanged", 1.0)
        return RemappedSpan(new_start, new_end, "moved", 1.0)

    def _block_index(self, position: int) -> int:
        return bisect_right(self.starts, position) - 1

    def _equal_count(self, position: int) -> int:
        """How many old characters before ``position`` are kept unchanged."""
        index = self._block_index(position)
        if index < 0:
            return 0
        tag, i1, i2, _, _ = self.blocks[index]
        inside = min(position, i2) - i1 if tag == "equal" else 0
        return self.equal_before[index] + inside

    def _position(self, position: int) -> int:
        """The new position of the old character at ``position`` (or of the end)."""
        index = self._block_index(position)
        if index < 0 or position >= self.blocks[index][2]:
            return self.new_length
        return self._map_inside(self.blocks[index], position, round_up=False)

    def _new_start(self, start: int) -> int:
        index = self._block_index(start)
        while self.blocks[index][0] == "delete":
            index += 1
        block = self.blocks[index]
        return self._map_inside(block, max(start, block[1]), round_up=False)

    def _new_end(self, end: int) -> int:
        index = self._block_index(end - 1)
        while self.blocks[index][0] == "delete":
            index -= 1
        block = self.blocks[index]
        return self._map_inside(block, min(end, block[2]), round_up=True)

    @staticmethod
    def _map_inside(block: Opcode, position: int, round_up: bool) -> int:
        tag, i1, i2, j1, j2 = block
        if tag == "equal":
            return j1 + position - i1
        if tag == "delete":
            return j1
        # A replaced block maps proportionally: its ends map to the replacement's ends.
        scaled = (position - i1) * (j2 - j1)
        step = -(-scaled // (i2 - i1)) if round_up else scaled // (i2 - i1)
        return j1 + step
