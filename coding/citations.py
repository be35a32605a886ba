"""How coded words are cited: who speaks (interviews.citations decides how each participant
is cited), where the words are (a locator: "00:14:32" in a recording, "p. 3" or "para. 4" in
a document), the sentence or segment before and after them, the project's citation
template, and a flag when the words name what the citation leaves out (the participant's
name, organisation or city).

Every page and export that cites words calls `cite_words` with a `SourceCiting` made once per
source by `source_citing`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from coding.models import Source
from fieldwork.folding import fold_text
from interviews.asr.base import clock
from interviews.citation_templates import render
from interviews.citations import Cited, Citer, citation_values, speaker_as_cited

WITHDRAWN = "Withdrawn participant: not to be quoted"
#: the most characters of context shown on each side of the words
MAX_CONTEXT = 600
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")


@dataclass(frozen=True)
class SourceCiting:
    """What citing words of one source needs, worked out once per source."""

    source: Source
    citable: bool
    #: the participants of the source's interview, as they may be cited (none: a document)
    cited: list[Cited]
    template: str
    #: the reader may see names: only then does a flag say that the words hold a name
    may_see_identity: bool
    paragraphs: list[dict[str, Any]]
    starts: list[int]

    def paragraph_at(self, offset: int) -> tuple[int, dict[str, Any] | None]:
        """The paragraph (transcript segment) holding the offset, and its number from 0."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset <= self.paragraphs[index]["end"]:
            return index, self.paragraphs[index]
        return index, None


@dataclass(frozen=True)
class WordsCitation:
    citation: str
    #: "00:14:32", "p. 3" or "para. 4" ("" when not known)
    locator: str
    #: who speaks, as cited (a name the citation leaves out becomes the code)
    speaker: str
    #: where in the recording the words begin, in seconds
    seconds: float | None
    #: what the words name that the citation leaves out, e.g. "the city of PL-CITY-01
    #: (“Wrocławia”)"
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Around:
    """The sentence or segment before and after the words, as text to show lighter."""

    before: str
    after: str


def source_citing(source: Source, citer: Citer) -> SourceCiting:
    """How words of the source are cited for this reader under the project's rules."""
    interview = source.interview
    cited: list[Cited] = []
    citable = True
    if interview is not None:
        for participant in interview.participants:
            person = citer.cite(participant, interview)
            if person is None:
                citable = False
            else:
                cited.append(person)
    paragraphs = sorted(source.paragraphs or [], key=lambda p: p["start"])
    return SourceCiting(source, citable, cited if citable else [], citer.rules.template,
                        citer.may_see_identity, paragraphs, [p["start"] for p in paragraphs])


def seconds_at(paragraph: dict[str, Any] | None, offset: int) -> float | None:
    """Where in the recording the words at `offset` are, by their share of the segment."""
    if paragraph is None or "t0" not in paragraph:
        return None
    share = (offset - paragraph["start"]) / max(paragraph["end"] - paragraph["start"], 1)
    return round(paragraph["t0"] + (paragraph["t1"] - paragraph["t0"]) * share, 1)


def speaking(citing: SourceCiting, label: str) -> list[Cited]:
    """The participants the words are cited to: the speaker when the label is one of them,
    else everyone interviewed."""
    folded = label.strip().casefold()
    for person in citing.cited:
        if folded and (folded == person.code.casefold()
                       or speaker_as_cited(label, [person]) == person.code):
            return [person]
    return citing.cited


def locator(citing: SourceCiting, index: int, paragraph: dict[str, Any] | None,
            seconds: float | None) -> str:
    if seconds is not None:
        return clock(seconds)
    if paragraph is not None and paragraph.get("page"):
        return f"p. {paragraph['page']}"
    return f"para. {index + 1}" if paragraph is not None and citing.source.kind == "document" \
        else ""


def flags_in(citing: SourceCiting, text: str) -> tuple[str, ...]:
    """What `text` names that the citation leaves out (names only for readers who may see
    them: a flag must not tell a coder whose name it is)."""
    flags = []
    folded = fold_text(text) or ""
    for person in citing.cited:
        for hidden in person.hidden:
            if hidden.what == "the name" and not citing.may_see_identity:
                continue
            match = hidden.pattern.search(folded)
            if match:
                word = text[match.start():match.end()]
                flags.append(f"{hidden.what} of {person.code} (“{word}”)")
    return tuple(flags)


def cite_words(citing: SourceCiting, start: int, end: int,
               around: Around | None = None) -> WordsCitation:
    """The citation of the source's words from `start` to `end` (the context's words are
    checked for names too when it is shown)."""
    index, paragraph = citing.paragraph_at(start)
    seconds = seconds_at(paragraph, start)
    label = (paragraph or {}).get("speaker", "")
    speaker = speaker_as_cited(label, citing.cited)
    if not citing.citable:
        return WordsCitation(WITHDRAWN, "", speaker, seconds, ())
    words = citing.source.text[start:end]
    flags = flags_in(citing, words if around is None
                     else f"{around.before}\n{words}\n{around.after}")
    place = locator(citing, index, paragraph, seconds)
    if not citing.cited:
        return WordsCitation(render(citing.template, {"who": citing.source.title,
                                                      "locator": place}),
                             place, speaker, seconds, flags)
    who = speaking(citing, label)
    if speaker and place and all(speaker != person.code for person in who):
        place = f"{speaker}, {place}"
    return WordsCitation(render(citing.template, citation_values(who, place, speaker)),
                         place, speaker, seconds, flags)


# The words around --------------------------------------------------------------------------


def units_near(citing: SourceCiting, first: int, last: int) -> list[tuple[int, int, str]]:
    """(start, end, speaker) of the segments (transcripts) or sentences (documents) of the
    paragraphs from `first` - 1 to `last` + 1."""
    chosen = citing.paragraphs[max(first - 1, 0):last + 2]
    if citing.source.kind != "document":
        return [(p["start"], p["end"], p.get("speaker", "")) for p in chosen]
    units = []
    for paragraph in chosen:
        start, text = paragraph["start"], citing.source.text[paragraph["start"]:paragraph["end"]]
        for sentence in _SENTENCE_END.split(text):
            if sentence.strip():
                offset = text.index(sentence, start - paragraph["start"])
                units.append((paragraph["start"] + offset,
                              paragraph["start"] + offset + len(sentence), ""))
                start = paragraph["start"] + offset + len(sentence)
    return units


def spoken(citing: SourceCiting, pieces: list[tuple[str, int, int]], own: str) -> str:
    """The pieces' words, each other speaker's named (as cited)."""
    lines: list[str] = []
    previous = None
    for speaker, start, end in pieces:
        words = " ".join(citing.source.text[start:end].split())
        if not words:
            continue
        if speaker != previous and speaker and speaker != own:
            lines.append(f"{speaker_as_cited(speaker, citing.cited)}: {words}")
        elif lines:
            lines[-1] += f" {words}"
        else:
            lines.append(words)
        previous = speaker
    return "\n".join(lines)


def around_words(citing: SourceCiting, start: int, end: int) -> Around:
    """The sentence (document) or segment (transcript) before the words and the one after,
    with the rest of the words' own sentence or segment."""
    first, _ = citing.paragraph_at(start)
    last, _ = citing.paragraph_at(max(end - 1, start))
    units = units_near(citing, max(first, 0), max(last, 0))
    if not units:
        return Around("", "")
    own = next((speaker for s, e, speaker in units if s <= start <= e), "")
    before_units = [u for u in units if u[0] < start]
    after_units = [u for u in units if u[1] > end]
    before_start = start
    if before_units:
        inside = before_units[-1][1] > start and len(before_units) > 1
        before_start = before_units[-2 if inside else -1][0]
    after_end = end
    if after_units:
        inside = after_units[0][0] < end and len(after_units) > 1
        after_end = after_units[1 if inside else 0][1]
    before = spoken(citing, [(sp, max(s, before_start), min(e, start)) for s, e, sp in units
                             if s < start and e > before_start], own)
    after = spoken(citing, [(sp, max(s, end), min(e, after_end)) for s, e, sp in units
                            if e > end and s < after_end], own)
    if len(before) > MAX_CONTEXT:
        before = "…" + before[-MAX_CONTEXT:].split(" ", 1)[-1]
    if len(after) > MAX_CONTEXT:
        after = after[:MAX_CONTEXT].rsplit(" ", 1)[0] + "…"
    return Around(before, after)
