"""How a REFI-QDA file counts positions in its texts, and converting them to code points.

The standard counts Unicode code points. NVivo (and tools built on .NET or Java strings)
counts UTF-16 code units, where a character outside the Basic Multilingual Plane (an emoji,
a rare CJK character, a mathematical letter) counts as two; a few tools count UTF-8 bytes.
The three agree on text of plain ASCII, so only selections after a wider character tell
them apart. For those, each counting is tried: a position inside a character rules that
counting out; otherwise selections that start and end at word or line boundaries, or that
hold the text the file gives for them, speak for it. Countings that read every selection
alike are one (text without characters beyond the BMP: code points and UTF-16). The tool
named in the file decides when its counting fits the selections at least as well as the
others; else the best must fit clearly, or the user is asked. At most MOST_CHECKED
selections, spread over the file, are checked.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

CODE_POINTS, UTF16, UTF8 = "code points", "UTF-16 code units", "UTF-8 bytes"
COUNTINGS = (CODE_POINTS, UTF16, UTF8)
#: what the import form offers, and the words for each
CHOICES = {"": "Find out from the file", CODE_POINTS: "Unicode code points (the standard)",
           UTF16: "UTF-16 code units (NVivo, .NET or Java tools)", UTF8: "UTF-8 bytes"}
#: how tools count, by a word of the file's origin: NVivo in UTF-16 units (.NET strings);
#: Fieldwork and QualCoder (Python strings) in code points
TOOL_COUNTINGS = (("nvivo", UTF16), ("fieldwork", CODE_POINTS), ("qualcoder", CODE_POINTS))
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
#: a counting is taken without the tool's word when it fits this share of the telling
#: selections and fits this much better than the next
CLEAR_SHARE, CLEAR_MARGIN = 0.6, 0.25
#: at most this many selections are checked
MOST_CHECKED = 5_000
#: a counting under which more than this share of the telling selections would start or end
#: inside a character is not the file's (a few broken selections are skipped and counted)
IMPOSSIBLE_SHARE = 0.02


def _is_ideograph(character: str) -> bool:
    return "\u2e80" <= character <= "\u9fff" or "\uf900" <= character <= "\ufaff" or (
        character >= "\U00020000")


def at_boundary(text: str, position: int) -> bool:
    """A word could start or end here: an end of the text, a side that is no letter or
    digit, or between two CJK characters (written without spaces)."""
    if position <= 0 or position >= len(text):
        return True
    before, after = text[position - 1], text[position]
    if not (before.isalnum() and after.isalnum()):
        return True
    return _is_ideograph(before) and _is_ideograph(after)


class Widths:
    """Positions in one counting of one text, turned into code points."""

    def __init__(self, text: str, counting: str) -> None:
        import numpy as np  # on first use: imports run in the worker, not the web process

        #: of each wider character: where it starts in this counting, its width there, and
        #: the extra units of all wider characters up to it
        if counting == UTF16:
            units = np.frombuffer(text.encode("utf-16-le"), dtype="<u2")
            starts = np.flatnonzero((units >= 0xD800) & (units < 0xDC00))
            widths = np.full(len(starts), 2)
        else:
            units = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
            starts = np.flatnonzero(units >= 0xC0)
            leads = units[starts]
            widths = 2 + (leads >= 0xE0).astype(int) + (leads >= 0xF0)
        self.starts: list[int] = starts.tolist()
        self.widths: list[int] = widths.tolist()
        self.extras: list[int] = np.cumsum(widths - 1).tolist()
        self.total = len(units)

    def code_point(self, position: int) -> int | None:
        """The code point at `position`, or None when it falls inside a character or past
        the end of the text."""
        if not 0 <= position <= self.total:
            return None
        index = bisect_right(self.starts, position) - 1
        if index < 0:
            return position
        start, width, extra = self.starts[index], self.widths[index], self.extras[index]
        if position == start:
            return position - (extra - (width - 1))
        if position < start + width:
            return None
        return position - extra


class SourceCounting:
    """One source's text in every counting."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.plain = text.isascii()
        #: made when first asked for: None where the counting is code points here
        self.made: dict[str, Widths | None] = {CODE_POINTS: None}

    def widths(self, counting: str) -> Widths | None:
        if counting not in self.made:
            text = self.text
            wide = not self.plain and (counting == UTF8 or _ASTRAL.search(text) is not None)
            self.made[counting] = Widths(text, counting) if wide else None
        return self.made[counting]

    def length(self, counting: str) -> int:
        widths = self.widths(counting)
        return len(self.text) if widths is None else widths.total

    def code_point(self, counting: str, position: int) -> int | None:
        widths = self.widths(counting)
        if widths is None:
            return position if 0 <= position <= len(self.text) else None
        return widths.code_point(position)


@dataclass
class Selection:
    """A selection as the file gives it, before its positions are understood."""

    source: SourceCounting
    start: int
    end: int
    #: the selected text as the file gives it (e.g. the name QualCoder and NVivo write)
    text: str = ""


#: a selection's start and end in code points as one counting reads them (None: impossible)
Reading = tuple[int | None, int | None]


@dataclass
class Fit:
    counting: str
    #: telling selections this counting cannot be (a position inside a character)
    impossible: int = 0
    #: telling selections whose words fit (boundaries, or the file's own text of them)
    fitting: int = 0


@dataclass
class Finding:
    """Which counting a file's positions use, and how sure that is."""

    counting: str
    #: selections looked at, and those among them that the countings read differently
    checked: int
    telling: int
    fits: list[Fit] = field(default_factory=list)
    #: the tool named in the file counts this way
    tool_counting: str = ""
    clear: bool = True
    chosen_by_user: bool = False
    #: the file's selections, of which `checked` were looked at
    total: int = 0

    def words(self) -> str:
        """For the import report."""
        if self.chosen_by_user:
            how = "as chosen at the import"
        elif not self.telling:
            how = ("all countings agree on this file: no selection follows a character that "
                   "counts differently")
        else:
            fit = next(fit for fit in self.fits if fit.counting == self.counting)
            how = (f"{fit.fitting:,} of the {self.telling:,} selections that the countings "
                   "read differently fit their words this way: word boundaries, or the "
                   "selection's own text")
            if self.tool_counting == self.counting:
                how = f"as the tool that made the file counts them; {how}"
        sample = f" (of {self.total:,}, spread over the file)" if self.total > self.checked else ""
        return (f"Positions read as {self.counting} ({how}); "
                f"{self.checked:,} selections checked{sample}.")

    def unclear_words(self) -> str:
        """Why the file's counting could not be told, and what to do."""
        parts = [f"{fit.counting}: {fit.fitting:,} fit"
                 + (f", {fit.impossible:,} impossible" if fit.impossible else "")
                 for fit in self.fits]
        return (f"Fieldwork cannot tell how this file counts positions in its texts: of "
                f"{self.telling:,} selections that the countings read differently, "
                f"{'; '.join(parts)}. Choose the counting under “Positions in the file” and "
                "import it again (NVivo counts UTF-16 code units; the standard and most "
                "other tools count code points).")


def tool_counting(origin: str) -> str:
    lowered = origin.casefold()
    return next((counting for word, counting in TOOL_COUNTINGS if word in lowered), "")


def _fits(selection: Selection, start: int | None, end: int | None) -> bool | None:
    """None when the selection cannot be at these code points; else whether its words fit."""
    if start is None or end is None:
        return None
    text = selection.source.text
    if selection.text.strip():
        given = " ".join(selection.text.split())
        found = " ".join(text[start:end].split())
        if given == found or (len(given) >= 10 and found.startswith(given.rstrip("….").strip())):
            return True
    return at_boundary(text, start) and at_boundary(text, end)


def distinct(fits: list[Fit], telling: list[tuple[Selection, list[Reading]]]) -> list[Fit]:
    """The countings that read the selections differently from each other, best first (of
    two that read them alike, the earlier in COUNTINGS stands for both)."""
    kept: list[Fit] = []
    for fit in fits:
        index = COUNTINGS.index(fit.counting)
        if not any(all(read[index] == read[COUNTINGS.index(other.counting)]
                       for _selection, read in telling) for other in kept):
            kept.append(fit)
    return sorted(kept, key=lambda fit: (-fit.fitting, COUNTINGS.index(fit.counting)))


def find_counting(selections: list[Selection], origin: str, chosen: str = "") -> Finding:
    """The counting of a file's selections (at most MOST_CHECKED of them, spread evenly
    over the file, are checked); `chosen` when the user named one."""
    checked = selections[::max(1, -(-len(selections) // MOST_CHECKED))]
    telling: list[tuple[Selection, list[Reading]]] = []
    for selection in checked:
        read = [(selection.source.code_point(counting, selection.start),
                 selection.source.code_point(counting, selection.end)) for counting in COUNTINGS]
        if len(set(read)) > 1:
            telling.append((selection, read))
    fits = []
    for index, counting in enumerate(COUNTINGS):
        fit = Fit(counting)
        for selection, read in telling:
            result = _fits(selection, *read[index])
            fit.impossible += result is None
            fit.fitting += bool(result)
        fits.append(fit)
    from_tool = tool_counting(origin)
    finding = Finding(CODE_POINTS, len(checked), len(telling), fits, from_tool,
                      total=len(selections))
    if chosen:
        finding.counting, finding.chosen_by_user = chosen, True
        return finding
    if not telling:
        return finding
    possible = distinct([fit for fit in fits
                         if fit.impossible <= IMPOSSIBLE_SHARE * len(telling)], telling)
    if not possible:
        finding.clear = False
        return finding
    if len(possible) == 1:
        finding.counting = possible[0].counting
        return finding
    best = possible[0]
    tool_fit = next((fit for fit in possible if fit.counting == from_tool), None)
    if tool_fit is not None and tool_fit.fitting >= best.fitting:
        finding.counting = from_tool
        return finding
    runner_up = possible[1].fitting if len(possible) > 1 else 0
    finding.counting = best.counting
    finding.clear = (best.fitting >= CLEAR_SHARE * len(telling)
                     and best.fitting - runner_up >= CLEAR_MARGIN * len(telling))
    return finding
