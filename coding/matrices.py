"""Matrices: how often each code is used by city, partner country, organisation type, CEE or
not, or any source attribute (codings, sources, share of sources), and which codes overlap."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from casestudies.models import Place
from coding.codebook import TreeRow, bottom_up, code_tree, project_codes
from coding.models import Coding
from coding.retrieval import Facets, source_facets
from fieldwork.database import plain_rows
from fieldwork.extensions import db
from fieldwork.models import Project
from interviews.models import ORGANISATION_TYPES

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

DIMENSIONS = {
    "city": "EU city",
    "partner_country": "Partner country",
    "organisation_type": "Organisation type",
    "cee": "Central and Eastern Europe",
    "attribute": "Source attribute",
}
#: what the columns are, as the page's heading says it: "Codes by partner country"
DIMENSION_WORDS = {
    "city": "EU city",
    "partner_country": "partner country",
    "organisation_type": "organisation type",
    "cee": "Central and Eastern Europe or not",
    "attribute": "source attribute",
}
PARTNER_COUNTRIES = {"US": "United States", "CN": "China"}


class MatrixError(ValueError):
    """A matrix that cannot be made, said in words."""


@dataclass
class Cell:
    codings: int = 0
    sources: set[int] = field(default_factory=set)


@dataclass
class Matrix:
    dimension: str
    rows: list[TreeRow]
    #: (key, label) of each column
    columns: list[tuple[str, str]]
    cells: dict[tuple[int, str], Cell]
    #: how many sources each column has (for the share)
    column_sources: dict[str, int]
    #: each code's cells with the codings of every code under it added
    totals: dict[tuple[int, str], Cell] = field(default_factory=dict)
    #: the codes that have codes under them
    parents: set[int] = field(default_factory=set)
    #: every source with a coding counted (whatever its columns)
    coded: set[int] = field(default_factory=set)

    def cell(self, code_id: int, key: str, with_subcodes: bool = False) -> Cell:
        return (self.totals if with_subcodes else self.cells).get((code_id, key), Cell())

    def share(self, code_id: int, key: str, with_subcodes: bool = False) -> float:
        total = self.column_sources.get(key, 0)
        sources = self.cell(code_id, key, with_subcodes).sources
        return len(sources) / total if total else 0.0

    def highest(self, with_subcodes: bool = False) -> int:
        cells = (self.totals if with_subcodes else self.cells).values()
        return max((cell.codings for cell in cells), default=0)


def with_subcodes(rows: list[TreeRow], cells: dict[tuple[int, str], Cell]
                  ) -> dict[tuple[int, str], Cell]:
    """The cells with each code's sub-codes added to it (a source counts once)."""
    by_code: dict[int, dict[str, Cell]] = defaultdict(lambda: defaultdict(Cell))
    for (code_id, key), cell in cells.items():
        by_code[code_id][key] = Cell(cell.codings, set(cell.sources))
    for code_id, parent_id in bottom_up(rows):
        for key, cell in by_code[code_id].items():
            total = by_code[parent_id][key]
            total.codings += cell.codings
            total.sources |= cell.sources
    return {(code_id, key): cell for code_id, keyed in by_code.items()
            for key, cell in keyed.items()}


def keys_for(dimension: str, attribute: str) -> Callable[[Facets], set[str]]:
    """How to read a source's column keys for the dimension."""
    if dimension == "city":
        return lambda f: {str(city) for city in f.cities}
    if dimension == "partner_country":
        return lambda f: set(f.partner_countries)
    if dimension == "organisation_type":
        return lambda f: set(f.organisation_types)
    if dimension == "cee":
        return lambda f: {"cee" if f.cee else "other"} if f.eu_countries or f.cee else set()
    return lambda f: {f.attributes[attribute]} if f.attributes.get(attribute) else set()


def column_labels(dimension: str, keys: set[str]) -> list[tuple[str, str]]:
    if dimension == "city":
        places = db.session.scalars(db.select(Place).where(Place.id.in_([int(k) for k in keys])))
        return sorted(((str(p.id), p.display_name) for p in places), key=lambda c: c[1])
    if dimension == "partner_country":
        return [(k, PARTNER_COUNTRIES.get(k, k)) for k in sorted(keys)]
    if dimension == "organisation_type":
        return sorted(((k, ORGANISATION_TYPES.get(k, (k, ""))[0]) for k in keys),
                      key=lambda c: c[1])
    if dimension == "cee":
        return [(k, label) for k, label in (("cee", "CEE"), ("other", "Other EU")) if k in keys]
    return [(k, k) for k in sorted(keys, key=str.casefold)]


def code_matrix(project: Project, dimension: str, attribute: str = "",
                visible_coder: int | None = None,
                facets: dict[int, Facets] | None = None) -> Matrix:
    """Codes (rows, the whole tree) against the dimension's values (columns)."""
    if dimension not in DIMENSIONS:
        raise MatrixError("Choose what the columns are.")
    if dimension == "attribute" and not attribute.strip():
        raise MatrixError("Choose the attribute whose values are the columns.")
    facets = facets if facets is not None else source_facets(project)
    read_keys = keys_for(dimension, attribute)
    source_keys = {source_id: read_keys(f) for source_id, f in facets.items()}
    column_sources: dict[str, int] = defaultdict(int)
    for keys in source_keys.values():
        for key in keys:
            column_sources[key] += 1
    query = db.select(Coding.code_id, Coding.source_id, db.func.count()).where(
        Coding.project_id == project.id).group_by(Coding.code_id, Coding.source_id)
    if visible_coder:
        query = query.where(Coding.coder_id == visible_coder)
    cells: dict[tuple[int, str], Cell] = defaultdict(Cell)
    coded = set()
    for code_id, source_id, count in db.session.execute(query):
        coded.add(source_id)
        for key in source_keys.get(source_id, ()):
            cell = cells[(code_id, key)]
            cell.codings += count
            cell.sources.add(source_id)
    rows = code_tree(project_codes(project))
    return Matrix(dimension, rows, column_labels(dimension, set(column_sources)), dict(cells),
                  dict(column_sources), with_subcodes(rows, cells),
                  {row.code.parent_id for row in rows if row.code.parent_id}, coded)


def co_occurrence(project: Project, visible_coder: int | None = None) -> dict[tuple[int, int], int]:
    """How many times codings of two codes overlap in the same source ({(a, b): n}, a < b).

    One sweep through each source's codings in order of their start, keeping those still
    open. The pairs of a source are counted at once by Counter (in C), in the order they are
    met, and folded into (a, b) with a < b at the end: 100,000 codings make about 620,000
    pairs, and counting each in Python took a third of the 400 ms the page needed; making
    SQLAlchemy rows of the 100,000 codings took another."""
    query = db.select(Coding.source_id, Coding.start, Coding.end, Coding.code_id).where(
        Coding.project_id == project.id)
    if visible_coder:
        query = query.where(Coding.coder_id == visible_coder)
    rows = plain_rows(query.order_by(Coding.source_id, Coding.start))
    met: Counter[tuple[int, int]] = Counter()
    for _source, codings in groupby(rows, key=itemgetter(0)):
        open_codings: list[tuple[int, int]] = []
        pairs: list[tuple[int, int]] = []
        for _, start, end, code_id in codings:
            open_codings = [(e, c) for e, c in open_codings if e > start]
            pairs += [(c, code_id) for _e, c in open_codings]
            open_codings.append((end, code_id))
        met.update(pairs)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for (earlier, later), count in met.items():
        if earlier != later:
            counts[(min(earlier, later), max(earlier, later))] += count
    return dict(counts)


def append_row(sheet: Worksheet, values: list[Any]) -> None:
    """Append a row whose text is kept as text: a code or place named “=...” is never read
    as a formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def workbook_sheets(matrix: Matrix) -> list[tuple[str, Callable[[int, str], Any], bool]]:
    """(name, value of a code in a column, with sub-codes) of each sheet: codings, sources
    and share of sources, of each code's own codings, then with its sub-codes'."""
    sheets = []
    for subcodes, suffix in ((False, ""), (True, " with sub-codes")):
        sheets += [
            (f"Codings{suffix}",
             lambda c, k, s=subcodes: matrix.cell(c, k, s).codings, subcodes),
            (f"Sources{suffix}",
             lambda c, k, s=subcodes: len(matrix.cell(c, k, s).sources), subcodes),
            (f"Share{suffix}" if subcodes else "Share of sources",
             lambda c, k, s=subcodes: round(matrix.share(c, k, s), 4), subcodes),
        ]
    return sheets


def matrix_xlsx(matrix: Matrix, title: str) -> bytes:
    """The matrix as a workbook: codings, sources and share of sources, one sheet each, of
    each code's own codings and then with its sub-codes'."""
    # openpyxl (and the numpy and Pillow it loads, 25 MB) only once a workbook is needed
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    for index, (name, value, subcodes) in enumerate(workbook_sheets(matrix)):
        highest = max(matrix.highest(subcodes), 1)
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = name
        append_row(sheet, [title])
        append_row(sheet, ["Code", *[label for _, label in matrix.columns]])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in matrix.rows:
            values = [value(row.code.id, key) for key, _ in matrix.columns]
            append_row(sheet, [row.path, *values])
            for column, key in enumerate((k for k, _ in matrix.columns), start=2):
                strength = matrix.cell(row.code.id, key, subcodes).codings / highest
                if strength:
                    shade = f"{int(255 - 120 * strength):02X}"
                    sheet.cell(row=sheet.max_row, column=column).fill = PatternFill(
                        "solid", fgColor=f"FF{shade}{shade}")
        sheet.column_dimensions["A"].width = 50
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def retrieval_arguments(dimension: str, key: str, attribute: str = "") -> dict[str, str]:
    """The retrieval filter that shows a cell's excerpts."""
    if dimension in ("city", "partner_country", "organisation_type"):
        return {dimension: key}
    if dimension == "cee":
        return {"cee": "yes" if key == "cee" else "no"}
    return {"attribute": attribute, "attribute_value": key}
