"""Codings as a table with every attribute, as CSV and XLSX: the coding, its code
path, coder, words and citation (with a check of names the citation leaves out), where it is
in the source and the recording, and what the
source is linked to: case study, places, partnerships, interview, participants (pseudonyms),
and each source attribute as a column of its own.

A source is read once with its links; its codings come in one query each, so 100,000 codings
take one pass, and rows go to a temporary file as they are made (CSV, and XLSX written
directly by coding.exports.xlsx)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement

from coding import reliability
from coding.citations import SourceCiting, cite_words
from coding.codebook import code_paths
from coding.excerpts import paragraph_finder
from coding.exports.selection import (
    UNASSIGNED_CHAPTER,
    Plan,
    Selection,
    Summary,
    left_out_notice,
    summary_rows,
)
from coding.exports.xlsx import Sheet, write_workbook
from coding.models import Coding, Memo, Quote, Source
from coding.sources import links_of
from coding.translations import note_of
from fieldwork.audit import FORMULA_STARTS, csv_cell
from fieldwork.extensions import db
from fieldwork.models import User

COLUMNS = (
    "Coding ID", "Code path", "Coder", "Source ID", "Source", "Source kind", "Words",
    "Word count", "Start", "End", "Citation", "Locator", "Check before quoting", "Speaker",
    "Seconds", "Memo", "Book chapter",
    "Case study", "Places", "Place countries", "Places in CEE", "Place populations",
    "Partnerships", "Partner countries", "Partnership kinds", "Interview place",
    "Interview date", "Participants", "Organisation types", "Transcript check",
)
ATTRIBUTE = "Attribute: "
#: lists in one cell (several places, partnerships, participants) are joined with this
JOIN = "; "
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
#: a CSV larger than this goes from memory to a temporary file while it is written
SPOOL_BYTES = 16 * 2**20


def attribute_names(plan: Plan) -> list[str]:
    names = {name for s in plan.sources for name in (s.source.attributes or {})}
    return sorted(names, key=str.casefold)


def header(plan: Plan) -> list[str]:
    return [*COLUMNS, *(ATTRIBUTE + name for name in attribute_names(plan))]


def joined(values: Iterable[Any]) -> str:
    return JOIN.join("" if value is None else str(value) for value in values)


def link_columns(source: Source) -> list[Any]:
    """Case study, places (the source's own, its interview's, and the EU side of its
    partnerships, as retrieval counts them), partnerships, interview and participants."""
    links = links_of(source)
    partnerships, interview = links.partnerships, links.interview
    places = links.places + [p.eu_place for p in partnerships if p.eu_place not in links.places]
    participants = list(interview.participants) if interview is not None else []
    when = (interview.starts_at.astimezone(ZoneInfo(interview.timezone)).date().isoformat()
            if interview is not None else "")
    return [
        links.case_study.title if links.case_study is not None else "",
        joined(place.name for place in places),
        joined(place.country_code for place in places),
        joined("yes" if place.is_cee else "no" for place in places),
        joined(place.population for place in places),
        joined(partnership.title for partnership in partnerships),
        joined(partnership.partner_country for partnership in partnerships),
        joined(partnership.kind_label for partnership in partnerships),
        interview.place.name if interview is not None and interview.place else "",
        when,
        joined(p.pseudonym for p in participants),
        joined(p.organisation_type_label for p in participants),
    ]


def codings_in(source: Source, conditions: list[ColumnElement[bool]]) -> Iterator[tuple]:
    return iter(db.session.execute(
        db.select(Coding.id, Coding.code_id, User.name, Coding.start, Coding.end, Memo.body,
                  Quote.chapter)
        .join(User, User.id == Coding.coder_id)
        .outerjoin(Memo, Memo.coding_id == Coding.id)
        .outerjoin(Quote, Quote.coding_id == Coding.id)
        .where(*conditions, Coding.source_id == source.id)
        .order_by(Coding.start, Coding.end, Coding.id)))


def coding_rows(selection: Selection, plan: Plan,
                conditions: list[ColumnElement[bool]]) -> Iterator[list[Any]]:
    """A row per chosen coding of the sources that may be quoted, in the order of header(),
    the selection's progress told as rows are made."""
    total = plan.kept
    for done, row in enumerate(quotable_rows(selection, plan, conditions), start=1):
        yield row
        selection.progress(done, total, "codings written")


def quotable_rows(selection: Selection, plan: Plan,
                  conditions: list[ColumnElement[bool]]) -> Iterator[list[Any]]:
    paths = code_paths(selection.project)
    names = attribute_names(plan)
    for planned in plan.sources:
        if planned.citable:
            yield from source_rows(planned.source, planned.citing, paths, names,
                                   codings_in(planned.source, conditions))


def source_rows(source: Source, citing: SourceCiting, paths: dict[int, str], names: list[str],
                codings: Iterator[tuple]) -> Iterator[list[Any]]:
    """The rows of one source's codings: what is the same for all of them (the source, its
    links and attributes) is read once, not from the ORM for each row."""
    text, about = source.text, [source.id, source.title, source.kind_label]
    links = link_columns(source)
    attributes = [(source.attributes or {}).get(name, "") for name in names]
    note = note_of(source.transcript)
    find = paragraph_finder(source)
    check = check_cell(source)
    for coding_id, code_id, coder, start, end, memo, chapter in codings:
        words = text[start:end]
        cited = cite_words(citing, start, end)
        yield [coding_id, paths.get(code_id, ""), coder, *about, words, len(words.split()),
               start, end, f"{cited.citation}; {note}" if note else cited.citation,
               cited.locator, "; ".join(cited.flags), cited.speaker, cited.seconds,
               memo or "", UNASSIGNED_CHAPTER if chapter == "" else chapter or "",
               *links, check(find, start, end), *attributes]


def check_cell(source: Source) -> Callable[[reliability.Finder, int, int], str]:
    """The "Transcript check" cell of the source's codings: whether the words come from an
    automatic segment that no one checked and that needs review (one query per source)."""
    mark = reliability.source_marks(source)
    cells: dict[float | None, str] = {}

    def cell(find: reliability.Finder, start: int, end: int) -> str:
        estimate = mark(find, start, end)
        if estimate not in cells:
            cells[estimate] = reliability.column_value(source, estimate)
        return cells[estimate]

    return cell


def write_csv(stream: IO[str], columns: list[str], rows: Iterable[list[Any]]) -> None:
    """CSV with a byte-order mark so that spreadsheets read accented and Chinese text
    correctly; cells that a spreadsheet would run as formulas are quoted."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow(columns)
    for row in rows:
        # csv_cell for the few cells that need it: the check of every cell by a call cost a
        # third of writing a codings CSV
        writer.writerow([value if (value.__class__ is str and value[:1] not in _FORMULA_FIRST)
                         or value is None
                         or ((value.__class__ is int or value.__class__ is float) and value >= 0)
                         else csv_cell(value) for value in row])


def csv_file(columns: list[str], rows: Iterable[list[Any]]) -> IO[bytes]:
    """The CSV, UTF-8, in a temporary file (kept in memory while small), read from the start.
    Written whole within the request, then sent from the file: rows never pile up in memory."""
    # Left open: the response that sends it closes it.
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    text = io.TextIOWrapper(spooled, encoding="utf-8", newline="")
    write_csv(text, columns, rows)
    text.flush()
    text.detach()
    spooled.seek(0)
    return spooled


def codings_xlsx(columns: list[str], rows: Iterable[list[Any]], summary: Summary,
                 expected_rows: int = 0) -> IO[bytes]:
    """The workbook in a temporary file, read from the start: the codings (header row in
    bold, kept in view) and what the export holds. Each row goes into the sheet's file as it
    comes (coding.exports.xlsx): memory stays flat however many codings there are."""
    # Left open: the response or the task that sends it closes it.
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    lines = summary_rows(summary)
    if summary.left_out:
        lines.append(("Left out", left_out_notice(summary.left_out)))
    write_workbook(spooled, [
        Sheet("Codings", chain([columns], rows), header=True),
        Sheet("About", [[label, str(value)] for label, value in lines])], expected_rows)
    spooled.seek(0)
    return spooled
