"""Suggestions made: a source's passages ranked for every code by the model (`ranking`,
and `sentences` when chosen), trained on the codings the coder may see, leaving out what
they rejected before and words they already coded with that code. Reads only; runs in the
worker (numpy), and the web process never imports it."""

from __future__ import annotations

from dataclasses import dataclass

from coding.codebook import project_codes
from coding.codings import Viewer, merge_intervals
from coding.models import CodeSuggestion, Coding, Source
from coding.models.suggestions import REJECTED
from coding.suggestions.ranking import CodeProfile, Example, Ranker, Suggestion
from coding.suggestions.sentences import Embed
from coding.suggestions.vectors import Passage, passages_of
from fieldwork.extensions import db
from fieldwork.models import Project, User


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
