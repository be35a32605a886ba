"""Import and export of a project's partnerships as CSV or XLSX.

An import is checked in full first: every bad row is named with its row number and the
reason. Only a file with no bad row is written, all of it at once.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO
from zipfile import BadZipFile

from sqlalchemy.orm import joinedload, selectinload

from casestudies import places
from casestudies.matching import AMBIGUOUS, EXACT, UnknownCountryError, match_key
from casestudies.models import (
    INSTITUTIONALISATION_FLAGS,
    PARTNERSHIP_KINDS,
    PARTNERSHIP_STATUSES,
    CooperationArea,
    Partnership,
    PartnershipSource,
    Place,
)
from casestudies.partnerships import (
    PARTNER_COUNTRIES,
    PartnershipFilters,
    duplicate_key,
    ensure_areas,
    existing_keys,
    partnerships_query,
)
from fieldwork import audit
from fieldwork.archives import ArchiveError, ArchiveLimits, check_archive
from fieldwork.audit import csv_cell
from fieldwork.background import ProgressReport, no_progress
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User
from fieldwork.storage import file_store, store_upload

COLUMNS = (
    "eu_place", "eu_country", "partner_place", "partner_country", "kind", "status",
    "signed_on", "ended_on", "areas", "agreement_on_file", "office_abroad", "dedicated_staff",
    "budget_line", "source_url", "source_seen_on", "notes",
)
REQUIRED_COLUMNS = ("eu_place", "partner_place")
MAX_ROWS = 20_000
#: a workbook of MAX_ROWS rows unpacks to a few megabytes; far more is a zip bomb
XLSX_LIMITS = ArchiveLimits(max_unpacked=200 * 2**20, max_members=1_000)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRUE_WORDS = {"yes", "y", "true", "1", "x", "tak", "ja", "oui"}
FALSE_WORDS = {"no", "n", "false", "0", "", "nie", "nein", "non"}
KIND_WORDS = {
    **{match_key(value): value for value in PARTNERSHIP_KINDS},
    **{match_key(label): value for value, label in PARTNERSHIP_KINDS.items()},
    "sistercity": "sister_city", "twincity": "sister_city", "sister": "sister_city",
    "twin": "sister_city", "twinning": "sister_city", "friendship": "friendship_city",
    "friendshipcity": "friendship_city", "cooperationagreement": "cooperation_agreement",
    "memorandum": "cooperation_agreement", "mou": "cooperation_agreement",
    "memorandumofunderstanding": "cooperation_agreement", "agreement": "cooperation_agreement",
    "letterofintent": "letter_of_intent", "loi": "letter_of_intent",
}
STATUS_WORDS = {
    **{match_key(value): value for value in PARTNERSHIP_STATUSES},
    **{match_key(label): value for value, label in PARTNERSHIP_STATUSES.items()},
    "inactive": "dormant",
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
AREA_SEPARATORS = re.compile(r"[;,]")


class ImportFileError(ValueError):
    """A file that cannot be read as a table of partnerships at all."""


@dataclass
class ParsedRow:
    number: int
    cells: dict[str, str]
    eu_place: Place | None = None
    partner_place: Place | None = None
    kind: str = "other"
    status: str = "unknown"
    signed_on: date | None = None
    ended_on: date | None = None
    areas: list[CooperationArea] = field(default_factory=list)
    flags: dict[str, bool] = field(default_factory=dict)
    source_url: str = ""
    source_seen_on: date | None = None
    notes: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ParsedRow]
    missing_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.problems]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.missing_columns and not self.bad_rows


# --- reading files ------------------------------------------------------------------


def is_xlsx(filename: str, head: bytes) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or head.startswith(b"PK\x03\x04")


def read_table(data: bytes, filename: str) -> Iterator[list[Any]]:
    """The rows of a CSV or XLSX file as lists of cell values (header first)."""
    if is_xlsx(filename, data[:4]):
        return read_xlsx(data)
    return read_csv(data)


def read_xlsx(data: bytes) -> Iterator[list[Any]]:
    try:
        check_archive(data, "The workbook", XLSX_LIMITS)
    except ArchiveError as error:
        raise ImportFileError(str(error)) from None
    # openpyxl (and the numpy and Pillow it loads, 25 MB) only once a workbook is needed
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    except (InvalidFileException, BadZipFile, zlib.error, EOFError, KeyError, OSError,
            ValueError, IndexError, SyntaxError) as error:
        # SyntaxError: the XML parsers' errors (a damaged sheet, entity tricks) derive from it.
        raise ImportFileError("The file is not a readable Excel workbook (.xlsx).") from error
    workbook.close()
    return iter(rows)


def read_csv(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” (or as .xlsx) and try again."
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    return iter(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def header_name(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value or "").strip().lower()).strip("_")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).replace("\x00", "").split())


def rows_of(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The file's column names and its non-blank rows as (row number, cells by column)."""
    table = read_table(data, filename)
    header = [header_name(value) for value in next(table, [])]
    rows = []
    for number, values in enumerate(table, start=2):
        cells = {name: cell_text(value) for name, value in zip(header, values, strict=False)
                 if name}
        if any(cells.values()):
            rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it.")
    return header, rows


# --- checking rows ---------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text[:10] if pattern == "%Y-%m-%d" else text,
                                     pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_flag(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(text)


class RowChecker:
    """Checks rows against the gazetteer, the project's areas and its partnerships."""

    def __init__(self, project: Project) -> None:
        self.areas = {area.name: area for area in ensure_areas(project)}
        self.existing = existing_keys(project)
        self.seen: dict[tuple[int, int, str], int] = {}
        self.places: dict[int, Place] = {}
        self.index = places.place_index()

    def check(self, number: int, cells: dict[str, str]) -> ParsedRow:
        row = ParsedRow(number, cells)
        row.eu_place = self.place(row, "eu_place", "eu_country", "EU place")
        row.partner_place = self.place(row, "partner_place", "partner_country", "partner place")
        self.check_sides(row)
        self.check_choices(row)
        self.check_dates(row)
        self.check_flags(row)
        self.check_source(row)
        row.notes = cells.get("notes", "")
        self.check_duplicate(row)
        return row

    def place(self, row: ParsedRow, name_column: str, country_column: str,
              label: str) -> Place | None:
        name = row.cells.get(name_column, "")
        country = row.cells.get(country_column, "")
        if not name:
            row.problems.append(f"The {label} is empty.")
            return None
        try:
            result = places.match_place(name, country or None, self.index)
        except UnknownCountryError:
            row.problems.append(f"Unknown country “{country}” for the {label}.")
            return None
        if result.status == EXACT:
            return self.load(result.place_id)
        where = f" in {country}" if country else ""
        if result.status == AMBIGUOUS:
            options = "; ".join(places.describe_places(result.candidates[:6]))
            row.problems.append(
                f"Ambiguous {label} “{name}”{where}: it could be {options}. Add the region in "
                f"brackets, e.g. “{name} (region)”, or the country.")
            return None
        hint = ""
        if result.suggestions:
            hint = " Did you mean " + " or ".join(
                places.describe_places(s.place_id for s in result.suggestions)) + "?"
        row.problems.append(f"Unknown {label} “{name}”{where}: not in the gazetteer.{hint}")
        return None

    def load(self, place_id: Any) -> Place:
        if place_id not in self.places:
            self.places[place_id] = db.session.get(Place, place_id)
        return self.places[place_id]

    def check_sides(self, row: ParsedRow) -> None:
        if row.eu_place is not None and not row.eu_place.is_eu:
            row.problems.append(f"The EU place {places.describe_place(row.eu_place)} is not in "
                                "the EU.")
        partner = row.partner_place
        if partner is not None and partner.country_code not in PARTNER_COUNTRIES:
            row.problems.append(f"The partner place {places.describe_place(partner)} is not in "
                                "the United States or China.")

    def check_choices(self, row: ParsedRow) -> None:
        kind = row.cells.get("kind", "")
        if kind:
            row.kind = KIND_WORDS.get(match_key(kind), "")
            if not row.kind:
                row.problems.append(f"Unknown kind “{kind}”; use one of: "
                                    f"{', '.join(PARTNERSHIP_KINDS.values())}.")
        status = row.cells.get("status", "")
        if status:
            row.status = STATUS_WORDS.get(match_key(status), "")
            if not row.status:
                row.problems.append(f"Unknown status “{status}”; use one of: "
                                    f"{', '.join(PARTNERSHIP_STATUSES.values())}.")
        for name in AREA_SEPARATORS.split(row.cells.get("areas", "")):
            key = " ".join(name.split()).lower()
            if not key:
                continue
            if key in self.areas:
                if self.areas[key] not in row.areas:
                    row.areas.append(self.areas[key])
            else:
                row.problems.append(f"Unknown area “{name.strip()}”; the project's areas are: "
                                    f"{', '.join(self.areas)}.")

    def check_dates(self, row: ParsedRow) -> None:
        for column, label in (("signed_on", "signing date"), ("ended_on", "end date"),
                              ("source_seen_on", "date the source was seen")):
            text = row.cells.get(column, "")
            try:
                setattr(row, column, parse_date(text))
            except ValueError:
                row.problems.append(f"Bad {label} “{text}”: write it as YYYY-MM-DD, e.g. "
                                    "2015-06-30.")
        if row.signed_on and row.ended_on and row.ended_on < row.signed_on:
            row.problems.append("The end date is before the signing date.")

    def check_flags(self, row: ParsedRow) -> None:
        for column, label in INSTITUTIONALISATION_FLAGS.items():
            text = row.cells.get(column, "")
            try:
                row.flags[column] = parse_flag(text)
            except ValueError:
                row.flags[column] = False
                row.problems.append(f"“{text}” in “{label}” is neither yes nor no.")

    def check_source(self, row: ParsedRow) -> None:
        row.source_url = row.cells.get("source_url", "")
        if row.source_url and not row.source_url.startswith(("http://", "https://")):
            row.problems.append(f"The source “{row.source_url}” is not a web address "
                                "(http:// or https://).")

    def check_duplicate(self, row: ParsedRow) -> None:
        if row.eu_place is None or row.partner_place is None or not row.kind:
            return
        key = duplicate_key(row.eu_place.id, row.partner_place.id, row.kind)
        pair = f"{row.eu_place.name} – {row.partner_place.name}"
        if key in self.existing:
            row.problems.append(f"Duplicate: the project already has this partnership ({pair}, "
                                f"{PARTNERSHIP_KINDS[row.kind].lower()}).")
        elif key in self.seen:
            row.problems.append(f"Duplicate of row {self.seen[key]} ({pair}).")
        else:
            self.seen[key] = row.number


def check_file(project: Project, data: bytes, filename: str) -> ImportReport:
    """Read and check every row; nothing is written. Raises ImportFileError for unreadable
    files."""
    return check_rows(project, *rows_of(data, filename))


def check_rows(project: Project, header: list[str], rows: list[tuple[int, dict[str, str]]],
               progress: ProgressReport = no_progress) -> ImportReport:
    """Check every row of a file already read (rows_of), telling `progress` as it goes."""
    known = set(COLUMNS)
    report = ImportReport(
        rows=[],
        missing_columns=[name for name in REQUIRED_COLUMNS if name not in header],
        unknown_columns=[name for name in header if name and name not in known],
    )
    if report.missing_columns:
        return report
    checker = RowChecker(project)
    for done, (number, cells) in enumerate(rows):
        progress(done, len(rows), "rows checked")
        report.rows.append(checker.check(number, cells))
    return report


def commit_import(project: Project, report: ImportReport, user: User | None,
                  filename: str) -> list[Partnership]:
    """Write every row of a clean report. Flushes; the caller commits."""
    if not report.ok:
        raise ValueError("an import with bad rows is never written")
    created = []
    for row in report.rows:
        partnership = Partnership(
            project_id=project.id, eu_place_id=row.eu_place.id,
            partner_place_id=row.partner_place.id, kind=row.kind, status=row.status,
            signed_on=row.signed_on, ended_on=row.ended_on, notes=row.notes,
            areas=row.areas, created_by_id=user.id if user is not None else None, **row.flags,
        )
        if row.source_url:
            partnership.sources = [PartnershipSource(url=row.source_url,
                                                     seen_on=row.source_seen_on)]
        created.append(partnership)
    db.session.add_all(created)
    db.session.flush()
    audit.record("partnerships.import", project=project, user_id=user.id if user else None,
                 summary=f"{len(created)} partnerships imported from {filename}",
                 count=len(created))
    return created


# --- export ---------------------------------------------------------------------------------


def export_name(place: Place, index_match: Any) -> str:
    """A name that the import reads back as this very place."""
    result = index_match(place.name, place.country_code)
    if result.status == EXACT and result.place_id == place.id:
        return place.name
    if place.kind == "region":
        return place.nuts_code or place.key.split(":", 1)[1]
    if place.region is not None:
        return f"{place.name} ({place.region.key.split(':', 1)[1]})"
    return place.name


def export_rows(project: Project, filters: PartnershipFilters | None = None) -> Iterator[list[Any]]:
    """The header, then one row per partnership, in the import's columns."""
    index = places.place_index()

    def index_match(name: str, country: str) -> Any:
        return places.match_place(name, country, index)

    yield list(COLUMNS)
    query = partnerships_query(project, filters or PartnershipFilters()).options(
        joinedload(Partnership.eu_place).joinedload(Place.region),
        joinedload(Partnership.partner_place).joinedload(Place.region),
        selectinload(Partnership.sources),
    )
    for partnership in db.session.scalars(query).unique():
        source = partnership.sources[0] if partnership.sources else None
        yield [
            export_name(partnership.eu_place, index_match), partnership.eu_place.country_code,
            export_name(partnership.partner_place, index_match),
            partnership.partner_place.country_code, PARTNERSHIP_KINDS[partnership.kind],
            PARTNERSHIP_STATUSES[partnership.status], partnership.signed_on,
            partnership.ended_on, "; ".join(area.name for area in partnership.areas),
            *("yes" if getattr(partnership, flag) else "no"
              for flag in INSTITUTIONALISATION_FLAGS),
            source.url if source else "", source.seen_on if source else None, partnership.notes,
        ]


def export_csv(rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value.isoformat() if isinstance(value, date) else value)
                         for value in row])
    return "\ufeff" + buffer.getvalue()


def export_xlsx(rows: Iterable[list[Any]]) -> bytes:
    # openpyxl (and the numpy and Pillow it loads, 25 MB) only once a workbook is needed
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("partnerships")
    for row in rows:
        sheet.append([csv_cell(value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def store_import_file(stream: BinaryIO, filename: str, user: User,
                      project: Project) -> StoredFile:
    """Keep an uploaded import file between its preview and its commit."""
    stored = store_upload(stream, filename, user.id)
    audit.record("partnerships.import_upload", stored, project=project,
                 summary=f"Import file {stored.filename} uploaded for checking")
    return stored


def stored_file_bytes(sha256: str) -> bytes:
    return b"".join(file_store().iter_chunks(sha256))


def problem_lines(report: ImportReport) -> list[str]:
    """Each bad row's problems, e.g. "Row 3: Unknown partner place “Atlantis” …"."""
    if report.missing_columns:
        return [f"The file has no column {' or '.join(report.missing_columns)}."]
    return [f"Row {row.number}: {problem}" for row in report.bad_rows
            for problem in row.problems]
