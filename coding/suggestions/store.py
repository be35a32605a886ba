"""Suggestions kept for a coder: made for a source (all of it, or what is still uncoded),
listed, accepted (a coding of theirs, marked as from a suggestion, in the audit log too) or
rejected (never offered again for the same words and code). Functions only flush."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coding.codebook import project_codes
from coding.codings import CodingError, Viewer, apply_codes, merge_intervals
from coding.models import Code, CodeSuggestion, Coding, Source
from coding.models.suggestions import ACCEPTED, PENDING, REJECTED
from coding.suggestions.ranking import CodeProfile, Example, Ranker, Suggestion
from coding.suggestions.sentences import Embed
from coding.suggestions.vectors import Passage, passages_of
from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User

SCOPES = {"all": "the whole source", "uncoded": "what is still uncoded"}
QUOTE_IN_LOG = 80


@dataclass(frozen=True)
class Made:
    """What a run of suggestions found, in plain values (a background task writes it)."""

    source_id: int
    user_id: int
    text_version: int
    suggestions: list[Suggestion]
    passages: int


def coding_text(coding: Coding, texts: dict[int, str]) -> str:
    text = texts.get(coding.source_id, "")
    return text[coding.start:coding.end] if coding.end <= len(text) else coding.quote


def code_profiles(project: Project, viewer: Viewer) -> list[CodeProfile]:
    """Every code in use, with the earlier codings the viewer may see (only their own under
    blind coding: a suggestion's reason quotes them)."""
    codes = project_codes(project, include_archived=False)
    query = db.select(Coding).where(Coding.project_id == project.id).order_by(Coding.id)
    if viewer.sees_only_own:
        query = query.where(Coding.coder_id == viewer.user.id)
    codings = list(db.session.scalars(query))
    texts = dict(db.session.execute(db.select(Source.id, Source.text).where(
        Source.id.in_({c.source_id for c in codings}))).all()) if codings else {}
    examples: dict[int, list[Example]] = {}
    for coding in codings:
        examples.setdefault(coding.code_id, []).append(
            Example(coding_text(coding, texts), coding.id))
    return [CodeProfile(code.id, code.name, code.definition, code.when_to_use,
                        code.when_not_to_use, code.example, examples.get(code.id, []))
            for code in codes]


def coded_ranges(source: Source, coder_id: int | None) -> list[tuple[int, int, int]]:
    """(code, start, end) of the codings on the source, only one coder's when given."""
    query = db.select(Coding.code_id, Coding.start, Coding.end).where(
        Coding.source_id == source.id)
    if coder_id is not None:
        query = query.where(Coding.coder_id == coder_id)
    return [tuple(row) for row in db.session.execute(query)]


def overlaps(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(s < end and e > start for s, e in ranges)


def passages_to_suggest(source: Source, viewer: Viewer, scope: str) -> list[Passage]:
    passages = passages_of(source.id, source.text, source.paragraphs)
    if scope != "uncoded":
        return passages
    coder_id = viewer.user.id if viewer.sees_only_own else None
    coded = merge_intervals([(s, e) for _code, s, e in coded_ranges(source, coder_id)])
    return [p for p in passages if not overlaps(p.start, p.end, coded)]


def rejected_quotes(source: Source, user: User) -> set[tuple[int, str]]:
    return {(code_id, " ".join(quote.split())) for code_id, quote in db.session.execute(
        db.select(CodeSuggestion.code_id, CodeSuggestion.quote).where(
            CodeSuggestion.source_id == source.id, CodeSuggestion.user_id == user.id,
            CodeSuggestion.status == REJECTED))}


def make_suggestions(project: Project, source: Source, viewer: Viewer, scope: str,
                     embed: Embed | None = None) -> Made:
    """Rank the source's passages for every code (with the sentence encoder `embed` too, when
    given); leave out what the coder rejected before and words they already coded with that
    code. Reads only."""
    passages = passages_to_suggest(source, viewer, scope)
    ranked = Ranker(code_profiles(project, viewer), passages, embed).rank(passages)
    rejected = rejected_quotes(source, viewer.user)
    mine = coded_ranges(source, viewer.user.id)
    kept = [s for s in ranked
            if (s.code_id, " ".join(s.passage.text.split())) not in rejected
            and not overlaps(s.passage.start, s.passage.end,
                             [(a, b) for code, a, b in mine if code == s.code_id])]
    return Made(source.id, viewer.user.id, source.text_version, kept, len(passages))


def save_suggestions(project: Project, made: Made) -> int:
    """Replace the coder's pending suggestions on the source with those made; how many."""
    db.session.execute(db.delete(CodeSuggestion).where(
        CodeSuggestion.source_id == made.source_id, CodeSuggestion.user_id == made.user_id,
        CodeSuggestion.status == PENDING))
    for s in made.suggestions:
        db.session.add(CodeSuggestion(
            project_id=project.id, source_id=made.source_id, code_id=s.code_id,
            user_id=made.user_id, start=s.passage.start, end=s.passage.end,
            text_version=made.text_version, quote=s.passage.text, score=round(s.score, 4),
            reason=s.reason, like_coding_id=s.like_coding_id, status=PENDING))
    db.session.flush()
    return len(made.suggestions)


def pending_suggestions(source: Source, user: User) -> list[CodeSuggestion]:
    """The coder's suggestions on the source still to decide, for its current text."""
    return list(db.session.scalars(db.select(CodeSuggestion).where(
        CodeSuggestion.source_id == source.id, CodeSuggestion.user_id == user.id,
        CodeSuggestion.status == PENDING, CodeSuggestion.text_version == source.text_version)
        .order_by(CodeSuggestion.start, CodeSuggestion.score.desc())))


def decidable(suggestion: CodeSuggestion, user: User) -> Source:
    if suggestion.user_id != user.id:
        raise CodingError("This suggestion was made for another coder.")
    if suggestion.status != PENDING:
        raise CodingError("This suggestion was already " + suggestion.status + ".")
    source = db.session.get(Source, suggestion.source_id)
    if suggestion.text_version != source.text_version:
        raise CodingError("The text was changed since this suggestion was made. Ask for "
                          "suggestions again.")
    return source


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_IN_LOG else text[:QUOTE_IN_LOG].rsplit(" ", 1)[0] + "…"


def accept(suggestion: CodeSuggestion, user: User) -> Coding:
    """Make the suggestion a coding of the coder's, marked as from a suggestion."""
    source = decidable(suggestion, user)
    project = db.session.get(Project, suggestion.project_id)
    (coding,) = apply_codes(source, [suggestion.code_id], suggestion.start, suggestion.end,
                            source.text_version, user)
    suggestion.status, suggestion.coding_id = ACCEPTED, coding.id
    suggestion.decided_at = utcnow()
    db.session.flush()
    code = db.session.get(Code, suggestion.code_id)
    audit.record("coding.suggestion_accepted", coding, project=project, user_id=user.id,
                 summary=f"Coded “{short(suggestion.quote)}” with “{code.name}” from a "
                         f"suggestion", suggestion=suggestion.id, source=source.id)
    return coding


def reject(suggestion: CodeSuggestion, user: User) -> None:
    """Turn the suggestion down: the same words are not suggested for the code again."""
    source = decidable(suggestion, user)
    project = db.session.get(Project, suggestion.project_id)
    suggestion.status, suggestion.decided_at = REJECTED, utcnow()
    db.session.flush()
    code = db.session.get(Code, suggestion.code_id)
    audit.record("coding.suggestion_rejected", suggestion, project=project, user_id=user.id,
                 summary=f"Turned down “{code.name}” suggested for “{short(suggestion.quote)}”",
                 source=source.id)


def suggestion_payload(suggestion: CodeSuggestion) -> dict[str, Any]:
    return {"id": suggestion.id, "code": suggestion.code_id, "codeName": suggestion.code.name,
            "colour": suggestion.code.colour, "start": suggestion.start,
            "end": suggestion.end, "reason": suggestion.reason,
            "score": round(suggestion.score, 3), "quote": short(suggestion.quote)}
