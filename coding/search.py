"""Full-text search across a project's sources (SQLite FTS5, PostgreSQL full-text search),
with every hit placed in its source so a code can be applied to the hits after review."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text

from coding.models import Source, pg_matches_words
from fieldwork.extensions import db
from fieldwork.folding import fold_text
from fieldwork.models import Project

MAX_HITS = 500
CONTEXT = 80
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    source_id: int
    source_title: str
    start: int
    end: int
    before: str
    words: str
    after: str


def words_of(query: str) -> list[str]:
    return _WORD.findall(query)


def matching_sources(project: Project, words: list[str]) -> list[Source]:
    """Sources containing every word, found by the database's full-text index, by title."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        match = " AND ".join('"' + fold_text(word).replace('"', "") + '"' for word in words)
        found = db.session.execute(text("SELECT rowid FROM sources_fts WHERE sources_fts MATCH :m"),
                                   {"m": match}).scalars()
        ids = set(found)
        return list(db.session.scalars(db.select(Source).where(
            Source.project_id == project.id, Source.id.in_(ids)).order_by(Source.title)))
    return list(db.session.scalars(db.select(Source).where(
        Source.project_id == project.id, pg_matches_words(fold_text(" ".join(words))))
        .order_by(Source.title)))


def hits_in(source: Source, phrase: str) -> list[tuple[int, int]]:
    """Where the phrase is in the source's text (case and accents ignored); if the words
    are not next to each other, where each word is."""
    haystack = fold_text(source.text)
    needles = [fold_text(phrase.strip())] if phrase.strip() else []
    spans = [(m.start(), m.end()) for n in needles
             for m in re.finditer(r"(?<!\w)" + re.escape(n) + r"(?!\w)", haystack)]
    if spans:
        return spans
    for word in words_of(fold_text(phrase)):
        spans += [(m.start(), m.end()) for m in
                  re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", haystack)]
    return sorted(spans)


def search(project: Project, phrase: str, limit: int = MAX_HITS) -> list[Hit]:
    """Every place the phrase (or its words) occurs in the project's sources, up to `limit`."""
    words = words_of(phrase)
    if not words:
        return []
    hits: list[Hit] = []
    for source in matching_sources(project, words):
        for start, end in hits_in(source, phrase):
            hits.append(Hit(source.id, source.title, start, end,
                            source.text[max(0, start - CONTEXT):start], source.text[start:end],
                            source.text[end:end + CONTEXT]))
            if len(hits) >= limit:
                return hits
    return hits
