"""Coded excerpts as they are read, cited and exported: the words with some context, where
they come from, and a citation line that respects each participant's consent.

Citation rules (transcripts): a withdrawn participant's words are never cited, unless the
lead applied the withdrawal keeping the codings anonymised: those are cited anonymously; "named"
consent gives the name, but only to readers who may see identities (leads, interviewers);
"role" consent gives the role; otherwise a generic description by organisation type. Every
citation ends with the place and month of the interview and the pseudonym, so a quote can
be traced back by the team. Documents are cited by their title.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from coding.codebook import code_paths
from coding.models import Coding, Memo, Source
from coding.translations import QuoteVersion, quote_versions, with_notes
from fieldwork.extensions import db
from fieldwork.models import Project
from interviews.models import Interview, Participant
from interviews.protection.withdrawal import anonymised_only

CONTEXT = 150
GENERIC_ROLES = {
    "eu_institution": "EU official",
    "eu_member_state": "National government official",
    "us_federal": "US federal official",
    "us_state_city": "US state or city official",
    "chinese": "Chinese official",
    "eu_city_region": "City or regional official",
    "business": "Business representative",
    "academia": "Academic",
    "ngo": "NGO representative",
    "other": "Interviewee",
}


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
    #: who speaks (transcripts), and where in the recording the words are, in seconds
    speaker: str
    seconds: float | None
    memo: str
    #: False when a participant withdrew consent: such excerpts are left out of exports
    citable: bool
    #: the words to quote: the coded words, or those in the language(s) chosen, with what a
    #: machine's translation says of itself (coding.translations)
    versions: tuple[QuoteVersion, ...] = ()

    @property
    def quoted(self) -> tuple[QuoteVersion, ...]:
        return self.versions or (QuoteVersion(self.text, ""),)


def participant_citation(participant: Participant, interview: Interview,
                         may_see_identity: bool) -> str:
    """e.g. "City or regional official, Wrocław, March 2026 [PL-CITY-12]"."""
    consent = participant.consent
    attribution = consent.attribution if consent and not consent.withdrawn else "anonymous"
    if attribution == "named" and may_see_identity and participant.name:
        who = ", ".join(part for part in (participant.name, participant.role,
                                          participant.organisation) if part)
    elif attribution in ("named", "role") and participant.role:
        who = participant.role[0].upper() + participant.role[1:]
    else:
        who = GENERIC_ROLES.get(participant.organisation_type, "Interviewee")
    place = interview.place.name if interview.place else ""
    when = f"{interview.starts_at:%B %Y}"
    return ", ".join(part for part in (who, place, when) if part) + f" [{participant.pseudonym}]"


def is_withdrawn(participant: Participant) -> bool:
    return participant.consent is not None and participant.consent.withdrawn


def source_citation(source: Source, may_see_identity: bool) -> tuple[str, bool]:
    """The citation of a source and whether it may be quoted at all."""
    interview = source.interview
    if interview is None:
        return source.title, True
    participants = list(interview.participants)
    if any(is_withdrawn(p) and not anonymised_only(p) for p in participants):
        return "Withdrawn participant: not to be quoted", False
    if not participants:
        return f"Interview, {interview.starts_at:%B %Y}", True
    return "; ".join(participant_citation(p, interview, may_see_identity)
                     for p in participants), True


def paragraph_at(source: Source, offset: int) -> dict[str, Any] | None:
    for paragraph in source.paragraphs or []:
        if paragraph["start"] <= offset <= paragraph["end"]:
            return paragraph
    return None


def seconds_at(paragraph: dict[str, Any] | None, offset: int) -> float | None:
    """Where in the recording the words at `offset` are, by their share of the segment."""
    if paragraph is None or "t0" not in paragraph:
        return None
    share = (offset - paragraph["start"]) / max(paragraph["end"] - paragraph["start"], 1)
    return round(paragraph["t0"] + (paragraph["t1"] - paragraph["t0"]) * share, 1)


def excerpts_of(project: Project, codings: Iterable[Coding], may_see_identity: bool,
                context: int = CONTEXT, quotes: str = "coded") -> list[Excerpt]:
    """Excerpts of the given codings of the project, in the given order, quoted in the
    language(s) `quotes` asks for (coding.translations.QUOTE_LANGUAGES)."""
    codings = list(codings)
    paths = code_paths(project)
    memos = dict(db.session.execute(db.select(Memo.coding_id, Memo.body).where(
        Memo.coding_id.in_([c.id for c in codings]))).all()) if codings else {}
    citations: dict[int, tuple[str, bool]] = {}
    excerpts = []
    for coding in codings:
        source = coding.source
        if source.id not in citations:
            citations[source.id] = source_citation(source, may_see_identity)
        citation, citable = citations[source.id]
        paragraph = paragraph_at(source, coding.start)
        text = source.text[coding.start:coding.end]
        versions = quote_versions(source.transcript, source.paragraphs or [], text,
                                  coding.start, coding.end, quotes)
        excerpts.append(Excerpt(
            coding_id=coding.id, source_id=source.id, source_title=source.title,
            code_id=coding.code_id, code_path=paths.get(coding.code_id, ""),
            coder=coding.coder.name, start=coding.start, end=coding.end,
            text=text, before=source.text[max(0, coding.start - context):coding.start],
            after=source.text[coding.end:coding.end + context],
            citation=with_notes(citation, versions) if citable else citation,
            speaker=(paragraph or {}).get("speaker", ""),
            seconds=seconds_at(paragraph, coding.start), memo=memos.get(coding.id, ""),
            citable=citable, versions=tuple(versions)))
    return excerpts
