"""Coded excerpts as they are read, cited and exported: the words with some context, where
they come from, and a citation line that respects each participant's consent (how a
participant is cited is decided in interviews.citations, how words are cited in
coding.citations). A withdrawn participant's words are never cited, unless the lead applied
the withdrawal keeping the codings anonymised: those are cited by code. A quote from a
transcript with an English version can be given in either language or both
(coding.translations), and a machine's English says so in the citation.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from coding.citations import Around, SourceCiting, around_words, cite_words, source_citing
from coding.codebook import code_paths
from coding.models import Coding, Memo, Source
from coding.translations import QuoteVersion, quote_versions, with_notes
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.citations import Citer, rules_for
from interviews.models import Interview, Participant
from interviews.transcripts.models import Transcript

CONTEXT = 150


@dataclass(frozen=True)
class Excerpt:
    coding_id: int
    source_id: int
    source_title: str
    code_id: int
    code_path: str
    coder: str
    start: int
    end: int
    text: str
    before: str
    after: str
    citation: str
    #: who speaks (transcripts, as cited), and where in the recording the words are, in seconds
    speaker: str
    seconds: float | None
    memo: str
    #: False when a participant withdrew consent: such excerpts are left out of exports
    citable: bool
    #: "00:14:32", "p. 3" or "para. 4"
    locator: str = ""
    #: what the words name that the citation leaves out, for the lead to check
    flags: tuple[str, ...] = ()
    #: the sentence or segment before and after, when asked for
    around: Around | None = None
    #: the words to quote: the coded words, or those in the language(s) chosen, with what a
    #: machine's translation says of itself (coding.translations)
    versions: tuple[QuoteVersion, ...] = ()

    @property
    def quoted(self) -> tuple[QuoteVersion, ...]:
        return self.versions or (QuoteVersion(self.text, ""),)


def paragraph_finder(source: Source) -> Callable[[int], dict[str, Any] | None]:
    """The paragraph (or transcript segment) holding an offset, found by bisection."""
    paragraphs = sorted(source.paragraphs or [], key=lambda p: p["start"])
    starts = [p["start"] for p in paragraphs]

    def find(offset: int) -> dict[str, Any] | None:
        index = bisect_right(starts, offset) - 1
        if index >= 0 and offset <= paragraphs[index]["end"]:
            return paragraphs[index]
        return None

    return find


def sources_of(codings: list[Coding]) -> dict[int, Source]:
    """The codings' sources by id: those this request has read already, and the others, with
    who speaks in them, in a few queries (an export asks once per code)."""
    return read_sources({coding.source_id for coding in codings}, [
        selectinload(Source.transcript).selectinload(Transcript.interview).options(
            selectinload(Interview.place),
            selectinload(Interview.participants).options(
                selectinload(Participant.place), selectinload(Participant.consent)))])


def read_sources(source_ids: set[int], options: list[Any] | None = None) -> dict[int, Source]:
    """The sources by id: those this request has read already (a source's words and
    segments are decoded once: a long transcript's take milliseconds), the others in one
    query with these loader options."""
    found: dict[int, Source] = {}
    for source_id in source_ids:
        known = db.session.identity_map.get(identity_key(Source, source_id))
        if known is not None:
            found[source_id] = known
    missing = source_ids - found.keys()
    if missing:
        found.update((source.id, source) for source in db.session.scalars(
            db.select(Source).where(Source.id.in_(missing)).options(*(options or []))))
    return found


def attach_sources(codings: list[Coding]) -> None:
    """Give each coding its source (`coding.source`) without a query for each: they stay
    read for as long as the codings are kept."""
    sources = sources_of(codings)
    for coding in codings:
        set_committed_value(coding, "source", sources[coding.source_id])


def coder_names(codings: list[Coding]) -> dict[int, str]:
    coder_ids = {coding.coder_id for coding in codings}
    return dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(coder_ids)))
                .all())


def excerpts_of(project: Project, codings: Iterable[Coding], may_see_identity: bool,
                context: int = CONTEXT, surroundings: bool = False,
                citer: Citer | None = None, quotes: str = "coded") -> list[Excerpt]:
    """Excerpts of the given codings of the project, in the given order: `context`
    characters around each, and with `surroundings` the sentence or segment before and
    after. `citer` cites them (by default, under the project's rules for this reader);
    they are quoted in the language(s) `quotes` asks for (coding.translations)."""
    codings = list(codings)
    attach_sources(codings)
    coders = coder_names(codings)
    paths = code_paths(project)
    memos = dict(db.session.execute(db.select(Memo.coding_id, Memo.body).where(
        Memo.coding_id.in_([c.id for c in codings]))).all()) if codings else {}
    citer = citer or Citer(rules_for(project), may_see_identity)
    citings: dict[int, SourceCiting] = {}
    excerpts = []
    for coding in codings:
        coding_id, source_id, start, end = coding.id, coding.source_id, coding.start, coding.end
        if source_id not in citings:
            citings[source_id] = source_citing(coding.source, citer)
        citing = citings[source_id]
        whole = citing.text
        around = around_words(citing, start, end) if surroundings else None
        cited = cite_words(citing, start, end, around)
        text = whole[start:end]
        versions = quote_versions(citing.transcript, citing.paragraphs, text, start, end,
                                  quotes)
        citation = with_notes(cited.citation, versions) if citing.citable else cited.citation
        excerpts.append(Excerpt(
            coding_id=coding_id, source_id=source_id, source_title=citing.title,
            code_id=coding.code_id, code_path=paths.get(coding.code_id, ""),
            coder=coders[coding.coder_id], start=start, end=end,
            text=text, before=whole[max(0, start - context):start],
            after=whole[end:end + context], citation=citation,
            speaker=cited.speaker, seconds=cited.seconds, memo=memos.get(coding_id, ""),
            citable=citing.citable, locator=cited.locator, flags=cited.flags, around=around,
            versions=tuple(versions)))
    return excerpts
