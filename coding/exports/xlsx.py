"""Excel workbooks written directly as their XML parts, rows streamed into the zip file.

XlsxWriter and openpyxl cost about 5 µs a cell: 2,000 codings of 33 columns took 300 ms
that way. Here each row becomes a line of SpreadsheetML in one pass, and rows go into the
sheet's zip entry in batches, so memory stays flat however many rows there are.

The package is the smallest that Excel, LibreOffice and openpyxl open: content types, the
workbook and its relationships, one style (bold) for a header row, and the sheets. Text is in
inline strings (never a formula, whatever it starts with), numbers are numbers, an empty cell
is left out.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, islice
from typing import IO, Any

from fieldwork.xmltext import escaped_attribute, escaped_text, xml_text

#: the most characters an Excel cell holds (counted as Excel does, in UTF-16 units)
MAX_CELL = 32_767
#: ends a cell cut at MAX_CELL, so that a reader sees that the text goes on
CUT_MARK = "…"
#: rows joined before they are written into the zip entry
BATCH_ROWS = 500
#: shapes of rows kept at most (memory stays flat whatever the rows are like)
MAX_SHAPES = 1_000
#: a sheet expected to hold more rows than this gets ZIP64 headers (its XML may pass 2 GiB);
#: smaller ones do without, as some spreadsheet programs are wary of them
ZIP64_ROWS = 250_000

#: fieldwork.xmltext.NOT_IN_XML but for the separator of joined cells
_NOT_IN_XML_BUT_SEPARATOR = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Excel reads "_x0041_" in a cell as "A": such text keeps its underscore escaped
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="2">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
#: the style of a header row's cells in _STYLES
BOLD = 1
_FROZEN_HEADER = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                  '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>')


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook: its name (at most 31 characters, none of []:*?/\\) and rows,
    the first in bold and kept in view while scrolling when `header` is set."""

    name: str
    rows: Iterable[Sequence[Any]]
    header: bool = False


def write_workbook(target: IO[bytes], sheets: Sequence[Sheet], expected_rows: int = 0) -> None:
    """The workbook with these sheets, written to `target` (a file open for writing, which
    may seek). `expected_rows` says how many rows the largest sheet may hold."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", content_types(len(sheets)))
        package.writestr("_rels/.rels", relationships(
            [("officeDocument", "xl/workbook.xml")]))
        package.writestr("xl/workbook.xml", workbook_part(sheets))
        package.writestr("xl/_rels/workbook.xml.rels", relationships(
            [*(("worksheet", f"worksheets/sheet{n}.xml") for n in range(1, len(sheets) + 1)),
             ("styles", "styles.xml")]))
        package.writestr("xl/styles.xml", _STYLES)
        for number, sheet in enumerate(sheets, start=1):
            with package.open(f"xl/worksheets/sheet{number}.xml", "w",
                              force_zip64=expected_rows > ZIP64_ROWS) as part:
                write_sheet(part, sheet, selected=number == 1)


def content_types(sheets: int) -> str:
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        f'ContentType="{_CONTENT}.worksheet+xml"/>' for n in range(1, sheets + 1))
    return (f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CONTENT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CONTENT}.styles+xml"/>'
            f'{parts}</Types>')


def relationships(targets: list[tuple[str, str]]) -> str:
    """A relationships part: (type, target) numbered rId1, rId2..."""
    links = "".join(f'<Relationship Id="rId{n}" Type="{_DOCUMENT_RELS}/{kind}" '
                    f'Target="{target}"/>' for n, (kind, target) in enumerate(targets, start=1))
    return f'{_HEAD}<Relationships xmlns="{_RELS}">{links}</Relationships>'


def workbook_part(sheets: Sequence[Sheet]) -> str:
    names = "".join(f'<sheet name="{escaped_attribute(sheet.name)}" sheetId="{n}" '
                    f'r:id="rId{n}"/>' for n, sheet in enumerate(sheets, start=1))
    return (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOCUMENT_RELS}">'
            f'<bookViews><workbookView/></bookViews><sheets>{names}</sheets></workbook>')


def write_sheet(part: IO[bytes], sheet: Sheet, selected: bool) -> None:
    """The sheet's XML, its rows written in batches of BATCH_ROWS."""
    view = '<sheetView tabSelected="1" workbookViewId="0">' if selected else \
        '<sheetView workbookViewId="0">'
    part.write((f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetViews>{view}'
                f'{_FROZEN_HEADER if sheet.header else ""}</sheetView></sheetViews>'
                '<sheetData>').encode())
    shapes = Shapes()
    numbered: list[tuple[int, Sequence[Any]]] = []
    for number, row in enumerate(sheet.rows, start=1):
        numbered.append((number, row))
        if len(numbered) == BATCH_ROWS:
            part.write(shapes.rows_xml(numbered, sheet.header).encode())
            numbered = []
    part.write((shapes.rows_xml(numbered, sheet.header) + "</sheetData></worksheet>").encode())


@dataclass(frozen=True)
class Shape:
    """The XML of a row whose cells have these types, empty ones left out: a format string
    taking the row's number and the text of each cell kept."""

    template: str
    #: which of the row's values become cells
    kept: tuple[bool, ...]
    #: which are decimal numbers, to be checked for infinity and NaN (empty: none are)
    floats: tuple[bool, ...]


#: a shape not yet made
UNKNOWN = Shape("", (), ())


class Shapes:
    """Rows to XML, a few at a time. Each row's cells are placed with the format string of its
    shape (made once for each shape: in a table most rows share a few), and the text of all
    the rows' cells is cleaned and escaped at once, not cell by cell: a row costs a few calls
    instead of a few for each of its cells."""

    def __init__(self) -> None:
        self.known: dict[tuple[tuple[type, ...], tuple[bool, ...], bool], Shape | None] = {}

    def rows_xml(self, numbered: list[tuple[int, Sequence[Any]]], header: bool) -> str:
        placed: list[tuple[int, Shape | None, Sequence[Any]]] = []
        values: list[Any] = []
        for number, row in numbered:
            shape = self.shape_of(row, header and number == 1)
            if shape is not None:
                kept = list(compress(row, shape.kept))
                values += kept
                row = kept
            placed.append((number, shape, row))
        texts = iter(escaped_all(values))
        return "".join(
            shape.template.format(number, *islice(texts, len(row))) if shape is not None
            else row_xml(number, row, BOLD if header and number == 1 else 0)
            for number, shape, row in placed)

    def shape_of(self, row: Sequence[Any], bold: bool) -> Shape | None:
        """The row's shape, or None for a row to be written cell by cell (a value that is
        neither text nor a finite number)."""
        types = tuple(map(type, row))
        try:
            empty = tuple(map(EMPTY.__contains__, row))
        except TypeError:
            return None
        key = (types, empty, bold)
        shape = self.known.get(key, UNKNOWN)
        if shape is UNKNOWN:
            if len(self.known) >= MAX_SHAPES:
                self.known.clear()
            shape = self.known[key] = made_shape(types, empty, bold)
        if shape is not None and shape.floats and not all(
                map(math.isfinite, compress(row, shape.floats))):
            return None
        return shape


#: the values that are no cell at all
EMPTY = frozenset({None, ""})


def made_shape(types: tuple[type, ...], empty: tuple[bool, ...], bold: bool) -> Shape | None:
    if not set(types) <= {str, int, float, type(None)}:
        return None
    styled = f' s="{BOLD}"' if bold else ""
    cells = []
    for index, (kind, blank) in enumerate(zip(types, empty, strict=True)):
        if blank:
            continue
        field = f"{{{len(cells) + 1}}}"
        placed = f' r="{column_letters(index)}{{0}}"'
        cells.append(f'<c{placed}{styled} t="inlineStr"><is><t xml:space="preserve">'
                     f'{field}</t></is></c>' if kind is str
                     else f'<c{placed}{styled}><v>{field}</v></c>')
    floats = tuple(kind is float for kind in types)
    return Shape(f'<row r="{{0}}">{"".join(cells)}</row>', tuple(not b for b in empty),
                 floats if any(floats) else ())


#: joins the cells' text while it is cleaned and escaped at once (no cell holds it: it is
#: one of the characters XML cannot hold, taken out of any cell that has it)
_SEPARATOR = "\x00"


def escaped_all(values: list[Any]) -> list[str]:
    """Each value as the text of its cell: characters XML cannot hold taken out, cut at
    MAX_CELL, escaped for Excel and XML."""
    if not values:
        return []
    texts = list(map(str, values))
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        joined = _SEPARATOR.join(xml_text(text) for text in texts)
    else:
        joined = _NOT_IN_XML_BUT_SEPARATOR.sub("", joined)
    if max(map(len, texts)) > MAX_CELL // 2:
        joined = _SEPARATOR.join(within_cell(text) for text in joined.split(_SEPARATOR))
    if "_x" in joined:
        joined = _EXCEL_ESCAPE.sub(r"_x005F_\1", joined)
    return escaped_text(joined).split(_SEPARATOR)


def row_xml(number: int, row: Sequence[Any], style: int) -> str:
    """A row written cell by cell."""
    styled = f' s="{style}"' if style else ""
    cells = []
    for index, value in enumerate(row):
        if value is None or value == "":
            continue
        cells.append(value_cell(f"{column_letters(index)}{number}", value, styled))
    return f'<row r="{number}">{"".join(cells)}</row>'


def value_cell(reference: str, value: Any, styled: str) -> str:
    """A cell for a number or a truth value; anything else as its text."""
    if isinstance(value, bool):
        return f'<c r="{reference}"{styled} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and math.isfinite(value):
        return f'<c r="{reference}"{styled}><v>{value!r}</v></c>'
    return (f'<c r="{reference}"{styled} t="inlineStr"><is>'
            f'<t xml:space="preserve">{cell_text(str(value))}</t></is></c>')


def cell_text(text: str) -> str:
    """The text without characters XML cannot hold, cut at MAX_CELL with CUT_MARK at the
    end, escaped for Excel and XML."""
    text = within_cell(xml_text(text))
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    return escaped_text(text)


def within_cell(text: str) -> str:
    """The text, or as much of it as an Excel cell holds with CUT_MARK after it (a character
    outside the BMP counts twice, as in Excel, and is never cut in half)."""
    units = text.encode("utf-16-le")
    if len(units) <= 2 * MAX_CELL:
        return text
    kept = units[:2 * (MAX_CELL - len(CUT_MARK))]
    if 0xD800 <= int.from_bytes(kept[-2:], "little") <= 0xDBFF:
        kept = kept[:-2]
    return kept.decode("utf-16-le") + CUT_MARK


def column_letters(index: int) -> str:
    """"A" for 0, "Z" for 25, "AA" for 26..."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
