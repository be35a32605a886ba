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
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from coding.models import Source
from fieldwork.folding import fold_text
from interviews.asr.base import clock
from interviews.citation_templates import LATER, render_partly, sentence_start
from interviews.citations import Cited, Citer, Hidden, citation_values, speaker_as_cited

WITHDRAWN = "Withdrawn participant: not to be quoted"
#: the most characters of context shown on each side of the words
MAX_CONTEXT = 600
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")


@dataclass(frozen=True)
class Speaking:
    """What the citation of words under one speaker label says of who speaks: the same for
    every excerpt of a source with that label."""

    #: the label as cited (a name the citation leaves out becomes the code)
    speaker: str
    #: the participants the words are cited to
    who: list[Cited]
    #: the speaker is none of them (an interviewer): the locator says who speaks
    names_speaker: bool
    #: the citation with every part filled in but the locator, by whether there is one
    citations: dict[bool, str] = field(default_factory=dict, compare=False, repr=False)


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
    #: the source's words, title, kind and transcript, read from the ORM once (each read of
    #: an attribute costs as much as a call)
    text: str
    title: str
    kind: str
    transcript: Any
    #: who speaks under each speaker label of the source, worked out when first met
    speakers: dict[str, Speaking] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def looked_for(self) -> list[tuple[Cited, Hidden]]:
        """What the citation leaves out and words are checked for, with whose it is (names
        only for readers who may see them: a flag must not tell a coder whose name it is)."""
        return [(person, hidden) for person in self.cited for hidden in person.hidden
                if hidden.what != "the name" or self.may_see_identity]

    def paragraph_at(self, offset: int) -> tuple[int, dict[str, Any] | None]:
        """The paragraph (transcript segment) holding the offset, and its number from 0."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset <= self.paragraphs[index]["end"]:
            return index, self.paragraphs[index]
        return index, None


class WordsCitation(NamedTuple):
    """The citation of some words (a named tuple: one is made for every excerpt exported,
    and a frozen dataclass takes three times as long to make)."""

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
                        citer.may_see_identity, paragraphs, [p["start"] for p in paragraphs],
                        source.text, source.title, source.kind, source.transcript)


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
    return f"para. {index + 1}" if paragraph is not None and citing.kind == "document" \
        else ""


def flags_in(citing: SourceCiting, text: str) -> tuple[str, ...]:
    """What `text` names that the citation leaves out (SourceCiting.looked_for)."""
    looked_for = citing.looked_for
    if not looked_for:
        return ()
    flags = []
    folded = fold_text(text) or ""
    for person, hidden in looked_for:
        match = hidden.pattern.search(folded)
        if match:
            word = text[match.start():match.end()]
            flags.append(f"{hidden.what} of {person.code} (“{word}”)")
    return tuple(flags)


def speaking_as(citing: SourceCiting, label: str) -> Speaking:
    """Who speaks under the label and who the words are cited to, worked out once a label."""
    found = citing.speakers.get(label)
    if found is None:
        speaker = speaker_as_cited(label, citing.cited)
        who = speaking(citing, label)
        found = citing.speakers[label] = Speaking(
            speaker, who, bool(speaker) and all(speaker != person.code for person in who))
    return found


def citation_at(citing: SourceCiting, speaking: Speaking, place: str) -> str:
    """The project's template filled in for words at `place` (the locator): the other parts
    are filled in once for each speaker label, the locator for each excerpt."""
    partly = speaking.citations.get(bool(place))
    if partly is None:
        values = (citation_values(speaking.who, LATER if place else "", speaking.speaker)
                  if citing.cited else {"who": citing.title,
                                        "locator": LATER if place else ""})
        partly = speaking.citations[bool(place)] = render_partly(citing.template, values)
    return sentence_start(partly.replace(LATER, place) if place else partly)


def cite_words(citing: SourceCiting, start: int, end: int,
               around: Around | None = None) -> WordsCitation:
    """The citation of the source's words from `start` to `end` (the context's words are
    checked for names too when it is shown)."""
    index, paragraph = citing.paragraph_at(start)
    seconds = seconds_at(paragraph, start)
    label = (paragraph or {}).get("speaker", "")
    who = speaking_as(citing, label)
    if not citing.citable:
        return WordsCitation(WITHDRAWN, "", who.speaker, seconds, ())
    words = citing.text[start:end]
    flags = flags_in(citing, words if around is None
                     else f"{around.before}\n{words}\n{around.after}")
    place = locator(citing, index, paragraph, seconds)
    if citing.cited and place and who.names_speaker:
        place = f"{who.speaker}, {place}"
    return WordsCitation(citation_at(citing, who, place), place, who.speaker, seconds, flags)


# The words around --------------------------------------------------------------------------


def units_near(citing: SourceCiting, first: int, last: int) -> list[tuple[int, int, str]]:
    """(start, end, speaker) of the segments (transcripts) or sentences (documents) of the
    paragraphs from `first` - 1 to `last` + 1."""
    chosen = citing.paragraphs[max(first - 1, 0):last + 2]
    if citing.kind != "document":
        return [(p["start"], p["end"], p.get("speaker", "")) for p in chosen]
    units = []
    for paragraph in chosen:
        start, text = paragraph["start"], citing.text[paragraph["start"]:paragraph["end"]]
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
        words = " ".join(citing.text[start:end].split())
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
