"""What an export holds: the choices made on the Exports page, the codings they select (a coder
under blind coding gets only their own), which sources may be quoted (never a participant who
withdrew consent), and the excerpts grouped under the code tree or the quote bank's chapters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import ColumnElement

from casestudies.models import CaseStudy, Partnership
from coding.citations import SourceCiting, source_citing
from coding.codebook import code_paths, code_tree, project_codes
from coding.codings import Viewer
from coding.excerpts import Excerpt, excerpts_of
from coding.models import Coding, Memo, Quote, Source
from coding.quotebank import project_quotes
from coding.retrieval import with_descendants
from coding.translations import QUOTE_LANGUAGES
from fieldwork.background import ProgressReport, no_progress
from fieldwork.extensions import db
from fieldwork.models import Project
from interviews.citations import Citer
from interviews.models import Interview, Participant
from interviews.transcripts.models import Transcript

GROUPS = {"code": "by code (the code tree as headings)",
          "chapter": "by book chapter (the quote bank)"}
UNASSIGNED_CHAPTER = "Not yet in a chapter"
#: codings turned into excerpts at a time (keeps each query's list of ids short)
BATCH = 1000
#: sources named one by one in a document's description; more are counted
NAMED_SOURCES = 10


class ExportError(ValueError):
    """An export that cannot be made, said in words."""


@dataclass(frozen=True)
class ExportOptions:
    """What to export and which codings: chosen codes (with their sub-codes) and sources, none
    chosen meaning all; for excerpts, the grouping, one chapter or all, and memos or not."""

    what: str
    group: str = "code"
    chapter: str | None = None
    memos: bool = False
    code_ids: tuple[int, ...] = ()
    source_ids: tuple[int, ...] = ()
    #: the language(s) excerpts are quoted in (coding.translations.QUOTE_LANGUAGES)
    quotes: str = "coded"
    #: the sentence or segment before and after each excerpt, in a lighter style
    context: bool = False
    #: the address of Fieldwork (e.g. "https://fieldwork.example.org/"): each excerpt links
    #: back to its source's page there ("" for no links)
    link_base: str = ""


@dataclass(frozen=True)
class Selection:
    project: Project
    options: ExportOptions
    viewer: Viewer
    #: the reader may see participants' names ("named" consent then cites them by name)
    may_see_identity: bool
    #: cites participants under the project's rules for this reader
    citer: Citer
    #: told how far the export has gone, when it runs as a background task
    progress: ProgressReport = no_progress

    @property
    def by_chapter(self) -> bool:
        return self.options.group == "chapter"


@dataclass(frozen=True)
class SourcePlan:
    source: Source
    citing: SourceCiting
    codings: int

    @property
    def citable(self) -> bool:
        return self.citing.citable


@dataclass(frozen=True)
class Plan:
    """The sources that have chosen codings, by title, and how many codings each has."""

    sources: list[SourcePlan]

    @property
    def kept(self) -> int:
        return sum(s.codings for s in self.sources if s.citable)

    @property
    def left_out(self) -> int:
        return sum(s.codings for s in self.sources if not s.citable)

    @property
    def quoted_sources(self) -> int:
        return sum(1 for s in self.sources if s.citable)


@dataclass(frozen=True)
class Entry:
    excerpt: Excerpt
    #: the quote bank's note on the excerpt (grouping by chapter)
    note: str = ""


@dataclass
class Section:
    """A heading (a code, or a chapter) with its memos and excerpts."""

    title: str
    level: int
    memos: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """What a document says of itself on its first page."""

    title: str
    project: str
    made_on: date
    made_by: str
    lines: list[tuple[str, str]]
    left_out: int
    #: excerpts whose words name what their citation leaves out
    flagged: int = 0


def checked_options(project: Project, options: ExportOptions) -> ExportOptions:
    """The options, or an ExportError saying which choice does not fit this project."""
    if options.group not in GROUPS:
        raise ExportError("Choose how to group the excerpts: by code or by chapter.")
    if options.quotes not in QUOTE_LANGUAGES:
        raise ExportError("Choose the language the excerpts are quoted in.")
    codes = {code.id for code in project_codes(project)}
    if not set(options.code_ids) <= codes:
        raise ExportError("Some of the chosen codes are no longer in the codebook. Reload the "
                          "page and choose again.")
    if options.source_ids:
        found = set(db.session.scalars(db.select(Source.id).where(
            Source.project_id == project.id, Source.id.in_(options.source_ids))))
        if found != set(options.source_ids):
            raise ExportError("Some of the chosen sources are no longer in this project. "
                              "Reload the page and choose again.")
    if options.chapter and options.chapter not in chapter_names(project):
        raise ExportError(f"There is no chapter “{options.chapter}” in the quote bank.")
    return options


def chapter_names(project: Project) -> list[str]:
    names: list[str] = []
    for quote in project_quotes(project):
        if quote.chapter and quote.chapter not in names:
            names.append(quote.chapter)
    return names


def source_titles(project: Project) -> list[tuple[int, str]]:
    """(id, title) of the project's sources, by title, without loading their texts."""
    rows = db.session.execute(db.select(Source.id, Source.title).where(
        Source.project_id == project.id).order_by(Source.title, Source.id))
    return [(source_id, title) for source_id, title in rows]


def coding_conditions(selection: Selection, quotes_only: bool) -> list[ColumnElement[bool]]:
    """The WHERE conditions on Coding that the selection makes."""
    options = selection.options
    conditions = [Coding.project_id == selection.project.id]
    if options.code_ids:
        conditions.append(Coding.code_id.in_(with_descendants(selection.project,
                                                              options.code_ids)))
    if options.source_ids:
        conditions.append(Coding.source_id.in_(options.source_ids))
    if selection.viewer.sees_only_own:
        conditions.append(Coding.coder_id == selection.viewer.user.id)
    if quotes_only:
        quotes = db.select(Quote.coding_id).where(Quote.project_id == selection.project.id)
        if options.chapter:
            quotes = quotes.where(Quote.chapter == options.chapter)
        conditions.append(Coding.id.in_(quotes))
    return conditions


def source_links() -> list[Any]:
    """Loader options for what citations and the codings table read of each source: a few
    queries for all sources instead of several for each."""
    interview = db.selectinload(Source.transcript).selectinload(Transcript.interview)
    places = (db.joinedload(Partnership.eu_place), db.joinedload(Partnership.partner_place))
    return [
        interview.selectinload(Interview.participants).selectinload(Participant.consent),
        interview.joinedload(Interview.place),
        interview.selectinload(Interview.partnerships).options(*places),
        interview.selectinload(Interview.case_study).joinedload(CaseStudy.place),
        db.selectinload(Source.places),
        db.selectinload(Source.partnerships).options(*places),
        db.selectinload(Source.case_study).joinedload(CaseStudy.place),
    ]


def plan_export(selection: Selection, conditions: list[ColumnElement[bool]],
                distinct_ranges: bool = False) -> Plan:
    """With `distinct_ranges`, a code applied to the same words by several coders counts once,
    as it is shown once among excerpts."""
    if distinct_ranges:
        ranges = db.select(Coding.source_id, Coding.code_id, Coding.start, Coding.end).where(
            *conditions).distinct().subquery()
        counting = db.select(ranges.c.source_id, db.func.count()).group_by(ranges.c.source_id)
    else:
        counting = db.select(Coding.source_id, db.func.count()).where(*conditions).group_by(
            Coding.source_id)
    counts = dict(db.session.execute(counting).all())
    if not counts:
        return Plan([])
    sources = db.session.scalars(db.select(Source).where(Source.id.in_(counts))
                                 .options(*source_links()).order_by(Source.title, Source.id))
    plans = []
    for source in sources:
        plans.append(SourcePlan(source, source_citing(source, selection.citer),
                                counts[source.id]))
    return Plan(plans)


def quotable_excerpts(selection: Selection, plan: Plan,
                      conditions: list[ColumnElement[bool]]) -> list[Excerpt]:
    """The excerpts of the chosen codings in sources that may be quoted."""
    citable = [s.source.id for s in plan.sources if s.citable]
    if not citable:
        return []
    codings = list(db.session.scalars(
        db.select(Coding).where(*conditions, Coding.source_id.in_(citable))
        .options(db.selectinload(Coding.coder))
        .order_by(Coding.source_id, Coding.start, Coding.end, Coding.id)))
    excerpts: list[Excerpt] = []
    for first in range(0, len(codings), BATCH):
        selection.progress(first, len(codings), "excerpts read")
        excerpts += excerpts_of(selection.project, codings[first:first + BATCH],
                                selection.may_see_identity, context=0,
                                surroundings=selection.options.context, citer=selection.citer,
                                quotes=selection.options.quotes)
    return [excerpt for excerpt in excerpts if excerpt.citable]


def range_key(excerpt: Excerpt) -> tuple[int, int, int, int]:
    return excerpt.source_id, excerpt.code_id, excerpt.start, excerpt.end


def merged_duplicates(excerpts: list[Excerpt]) -> dict[tuple[int, int, int, int], Excerpt]:
    """One excerpt per code on the same words of a source: the codings of several coders share
    it, and it carries all their memos."""
    merged: dict[tuple[int, int, int, int], Excerpt] = {}
    for excerpt in excerpts:
        key = range_key(excerpt)
        first = merged.setdefault(key, excerpt)
        if first is not excerpt and excerpt.memo and excerpt.memo not in first.memo:
            merged[key] = replace(first, memo="\n".join(filter(None, [first.memo, excerpt.memo])))
    return merged


def code_memos(project: Project, code_ids: set[int]) -> dict[int, list[str]]:
    """Memos written on codes (not on one coding), oldest first."""
    memos: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(db.select(Memo.code_id, Memo.title, Memo.body).where(
        Memo.project_id == project.id, Memo.code_id.in_(code_ids), Memo.coding_id.is_(None),
        Memo.source_id.is_(None)).order_by(Memo.created_at, Memo.id))
    for code_id, title, body in rows:
        memos[code_id].append(f"{title}: {body}" if title else body)
    return memos


def sections_by_code(project: Project, excerpts: list[Excerpt],
                     with_memos: bool) -> list[Section]:
    """A section per code that has excerpts or sub-codes with excerpts, in tree order, the
    depth in the tree giving the heading level; excerpts by source, then place in it."""
    by_code: dict[int, list[Excerpt]] = defaultdict(list)
    for excerpt in merged_duplicates(excerpts).values():
        by_code[excerpt.code_id].append(excerpt)
    rows = code_tree(project_codes(project))
    parents = {row.code.id: row.code.parent_id for row in rows}
    wanted: set[int] = set()
    for code_id in by_code:
        while code_id is not None and code_id not in wanted:
            wanted.add(code_id)
            code_id = parents.get(code_id)
    memos = code_memos(project, wanted) if with_memos else {}
    sections = []
    for row in rows:
        if row.code.id not in wanted:
            continue
        entries = sorted(by_code.get(row.code.id, []),
                         key=lambda e: (e.source_title.casefold(), e.source_id, e.start, e.end))
        sections.append(Section(row.code.name + (" (archived)" if row.code.archived else ""),
                                row.depth + 1, memos.get(row.code.id, []),
                                [Entry(excerpt) for excerpt in entries]))
    return sections


def sections_by_chapter(project: Project, excerpts: list[Excerpt]) -> list[Section]:
    """A section per chapter of the quote bank, in its order, quotes by their position."""
    merged = merged_duplicates(excerpts)
    key_of = {excerpt.coding_id: range_key(excerpt) for excerpt in excerpts}
    placed: set[tuple[int, int, int, int]] = set()
    sections: list[Section] = []
    for quote in project_quotes(project):
        key = key_of.get(quote.coding_id)
        if key is None or key in placed:
            continue
        placed.add(key)
        excerpt = merged[key]
        title = quote.chapter or UNASSIGNED_CHAPTER
        if not sections or sections[-1].title != title:
            sections.append(Section(title, 1))
        sections[-1].entries.append(Entry(excerpt, quote.note))
    return sections


def excerpt_link(selection: Selection) -> Callable[[Excerpt], str]:
    """The address of each excerpt's words on its source's page ("" without a link base)."""
    base = urlsplit(selection.options.link_base)
    if not base.netloc:
        return lambda _excerpt: ""
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "https")
    pages: dict[int, str] = {}

    def link(excerpt: Excerpt) -> str:
        if excerpt.source_id not in pages:
            pages[excerpt.source_id] = adapter.build(
                "coding.source_code", {"project_id": selection.project.id,
                                       "source_id": excerpt.source_id}, force_external=True)
        return f"{pages[excerpt.source_id]}?at={excerpt.start}"

    return link


def excerpt_sections(selection: Selection) -> tuple[list[Section], Plan]:
    conditions = coding_conditions(selection, quotes_only=selection.by_chapter)
    plan = plan_export(selection, conditions, distinct_ranges=True)
    excerpts = quotable_excerpts(selection, plan, conditions)
    if selection.by_chapter:
        return sections_by_chapter(selection.project, excerpts), plan
    return sections_by_code(selection.project, excerpts, selection.options.memos), plan


def chosen_codes(selection: Selection) -> str:
    if not selection.options.code_ids:
        return "all codes"
    paths = code_paths(selection.project)
    names = "; ".join(paths[code_id] for code_id in selection.options.code_ids)
    return f"{names} (with their sub-codes)"


def chosen_sources(selection: Selection) -> str:
    if not selection.options.source_ids:
        return "all sources"
    titles = list(db.session.scalars(db.select(Source.title).where(
        Source.id.in_(selection.options.source_ids)).order_by(Source.title)))
    named = "; ".join(titles[:NAMED_SOURCES])
    more = len(titles) - NAMED_SOURCES
    return named + (f"; and {more} more" if more > 0 else "")


def left_out_notice(left_out: int) -> str:
    excerpts = "1 excerpt was" if left_out == 1 else f"{left_out:,} excerpts were"
    return (f"{excerpts} left out: the participants quoted withdrew their consent, so their "
            "words may not be used.")


def excerpt_contents(selection: Selection) -> str:
    contents = "Coded excerpts grouped " + GROUPS[selection.options.group]
    if selection.by_chapter:
        chapter = selection.options.chapter
        contents += f", chapter “{chapter}”" if chapter else ", every chapter"
    return contents


def flagged_notice(flagged: int) -> str:
    excerpts = "1 excerpt names" if flagged == 1 else f"{flagged:,} excerpts name"
    return (f"Check before publishing: {excerpts} the participant, their organisation or their "
            "city although the citation leaves it out (each is marked “Check”).")


def describe(selection: Selection, plan: Plan, title: str, contents: str, made_by: str,
             memos: bool, flagged: int = 0) -> Summary:
    lines: list[tuple[str, str]] = [
        ("Contents", contents),
        ("Codes", chosen_codes(selection)),
        ("Sources", chosen_sources(selection)),
        ("Codings", "yours only (blind coding is on)" if selection.viewer.sees_only_own
         else "every coder's"),
        ("Memos", "included" if memos else "not included"),
        ("Quotes", f"{QUOTE_LANGUAGES[selection.options.quotes]}; English made by a "
                   "machine says so in its citation"),
        ("Excerpts", f"{plan.kept:,} from {plan.quoted_sources:,} sources"),
        ("Participants", "cited as each agreed: named, by role or by code only; this copy may "
                         "show real names, keep it within the team" if selection.may_see_identity
         else "cited by role or by code only, as each agreed (no real names)"),
        ("Citations", selection.citer.rules.template),
    ]
    return Summary(title, selection.project.name, date.today(), made_by, lines, plan.left_out,
                   flagged)


def summary_rows(summary: Summary) -> list[tuple[str, Any]]:
    """The summary as label and value rows, for a table or a sheet."""
    return [("Project", summary.project), ("Made on", summary.made_on.isoformat()),
            ("Made by", summary.made_by), *summary.lines]
