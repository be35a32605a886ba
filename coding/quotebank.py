"""The quote bank: excerpts chosen for the book, each with a chapter, a note and a place in
its chapter. Functions only flush."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy.orm import selectinload

from coding.excerpts import Excerpt, excerpts_of
from coding.models import Coding, Quote
from fieldwork.extensions import db
from fieldwork.models import Project, User

MAX_CHAPTER = 200
UNASSIGNED = ""


class QuoteError(ValueError):
    """A quote bank change that cannot be made, said in words."""


def project_quotes(project: Project) -> list[Quote]:
    """Quotes by chapter (unassigned last), then by their place in the chapter."""
    quotes = db.session.scalars(db.select(Quote).where(Quote.project_id == project.id)
                                .options(selectinload(Quote.coding)))
    return sorted(quotes, key=lambda q: (q.chapter == UNASSIGNED, q.chapter.casefold(),
                                         q.position, q.id))


def quote_excerpts(project: Project, may_see_identity: bool) -> dict[int, Excerpt]:
    """The quotes' excerpts by coding id, cited for this reader, with the sentence or
    segment before and after (as an export with context shows them)."""
    codings = [quote.coding for quote in project_quotes(project)]
    return {excerpt.coding_id: excerpt for excerpt in excerpts_of(
        project, codings, may_see_identity, context=0, surroundings=True)}


def flagged_quotes(project: Project, may_see_identity: bool) -> list[Excerpt]:
    """The quotes whose words name what their citation leaves out."""
    return [excerpt for excerpt in quote_excerpts(project, may_see_identity).values()
            if excerpt.flags and excerpt.citable]


def chapters(project: Project) -> list[tuple[str, list[Quote]]]:
    return [(chapter, list(quotes))
            for chapter, quotes in groupby(project_quotes(project), key=lambda q: q.chapter)]


def chapter_names(project: Project) -> list[str]:
    return [name for name, _ in chapters(project) if name]


def clean_chapter(chapter: str) -> str:
    chapter = " ".join(chapter.split())
    if len(chapter) > MAX_CHAPTER:
        raise QuoteError(f"A chapter's name can have at most {MAX_CHAPTER} characters.")
    return chapter


def next_position(project: Project, chapter: str) -> int:
    highest = db.session.scalar(db.select(db.func.max(Quote.position)).where(
        Quote.project_id == project.id, Quote.chapter == chapter))
    return (highest or 0) + 1


def add_quote(project: Project, coding: Coding, chapter: str, note: str, user: User) -> Quote:
    """Put a coding's excerpt in the quote bank (once; a second time changes nothing)."""
    if coding.project_id != project.id:
        raise QuoteError("That excerpt is not in this project.")
    existing = db.session.scalar(db.select(Quote).where(Quote.coding_id == coding.id))
    if existing is not None:
        return existing
    chapter = clean_chapter(chapter)
    quote = Quote(project_id=project.id, coding_id=coding.id, chapter=chapter,
                  note=note.strip(), position=next_position(project, chapter),
                  added_by_id=user.id)
    db.session.add(quote)
    db.session.flush()
    return quote


def update_quote(quote: Quote, chapter: str, note: str) -> None:
    chapter = clean_chapter(chapter)
    if chapter != quote.chapter:
        project = db.session.get(Project, quote.project_id)
        quote.position = next_position(project, chapter)
        quote.chapter = chapter
    quote.note = note.strip()
    db.session.flush()


def move_quote(quote: Quote, step: int) -> None:
    """Swap the quote with its neighbour in the chapter (step -1: up, +1: down)."""
    siblings = [q for q in project_quotes(db.session.get(Project, quote.project_id))
                if q.chapter == quote.chapter]
    index = siblings.index(quote)
    other = index + step
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            sibling.position = position
        db.session.flush()


def remove_quote(quote: Quote) -> None:
    db.session.delete(quote)
    db.session.flush()
