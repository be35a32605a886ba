"""The workbook writer of the codings export: openpyxl reads back every cell as the CSV has it
(text in any script, formulas kept as text, line breaks, long cells cut with a mark), every
part is well-formed XML, and memory stays flat for 100,000 rows."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook

from coding.exports.tables import write_csv
from coding.exports.xlsx import CUT_MARK, MAX_CELL, Sheet, write_workbook
from fieldwork.audit import FORMULA_STARTS
from fieldwork.xmltext import xml_text

COLUMNS = ["Coding ID", "Words", "Seconds", "Memo", "Citation"]
LONG = "Słowo " * 7_000
EMOJI_LONG = "🎉" * 20_000
FORMULA = "=SUM(A1:A9) was the budget line"
ROWS: list[list[Any]] = [
    [1, "Zażółć gęślą jaźń we Wrocławiu", 12.5, "", "A city official [PL-CITY-01, 00:00:12]"],
    [2, "双方在教育和交通领域合作", None, "合作", "Chinese partners"],
    [3, "emoji 🎉👩‍🔬 and a flag 🇵🇱", 0, "ok 👍", ""],
    [4, FORMULA, -3, "+48 71 777 77 77", "-minus first"],
    [5, "@SUM(A1)", 2**40, "\tTab first", "=HYPERLINK(\"http://example.org\")"],
    [6, "line one\nline two\n\nline four", 1.25e-07, "windows\r\nline", "  spaces  "],
    [7, "a & b < c > d \"quoted\" 'single'", 3, "</t></is></c><c>", "]]> <![CDATA["],
    [8, "bell\x07 and vertical\x0btab", 4, "nul\x00byte", "\ufffe\uffff"],
    [9, LONG, 5, EMOJI_LONG, "x" * MAX_CELL],
]


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    target = io.BytesIO()
    write_workbook(target, sheets)
    return target.getvalue()


def csv_cells(columns: list[str], rows: list[list[Any]]) -> list[list[str]]:
    text = io.StringIO(newline="")
    write_csv(text, columns, rows)
    return list(csv.reader(io.StringIO(text.getvalue().lstrip("\ufeff"), newline="")))


def as_in_csv(value: Any) -> str:
    """What the CSV holds for a cell openpyxl read: the CSV marks text a spreadsheet would
    run as a formula (and negative numbers) with a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def expected_in_workbook(csv_cell: str) -> str:
    """The CSV's cell as the workbook holds it: characters XML cannot hold taken out, cut
    at Excel's limit with a mark."""
    text = xml_text(csv_cell)
    units = len(text.encode("utf-16-le")) // 2
    if units <= MAX_CELL:
        return text
    kept = text.encode("utf-16-le")[:2 * (MAX_CELL - 1)].decode("utf-16-le", "ignore")
    return as_in_csv(kept + CUT_MARK) if csv_cell.startswith("'") else kept + CUT_MARK


def test_openpyxl_reads_every_cell_as_the_csv_has_it():
    book = load_workbook(io.BytesIO(workbook_bytes([Sheet("Codings", [COLUMNS, *ROWS],
                                                         header=True)])))
    read = [[as_in_csv(value) for value in row]
            for row in book["Codings"].iter_rows(values_only=True)]
    assert read == [[expected_in_workbook(cell) for cell in row]
                    for row in csv_cells(COLUMNS, ROWS)]


def test_text_stays_text_and_numbers_stay_numbers():
    sheet = load_workbook(io.BytesIO(workbook_bytes([Sheet("Codings", [COLUMNS, *ROWS],
                                                           header=True)])))["Codings"]
    formula = sheet["B5"]
    assert formula.value == FORMULA and formula.data_type == "s"
    assert sheet["E6"].value == "=HYPERLINK(\"http://example.org\")"
    assert sheet["E6"].data_type == "s"
    assert sheet["C5"].value == -3 and sheet["C6"].value == 2**40
    assert sheet["C2"].value == 12.5 and sheet["C7"].value == 1.25e-07
    assert sheet["C3"].value is None and sheet["D2"].value is None
    assert sheet["D7"].value == "windows\r\nline" and sheet["E7"].value == "  spaces  "
    long = sheet["B10"].value
    assert long.endswith(CUT_MARK) and len(long) == MAX_CELL and long.startswith("Słowo Słowo")
    emoji = sheet["D10"].value
    assert emoji.endswith(CUT_MARK) and len(emoji.encode("utf-16-le")) // 2 <= MAX_CELL
    assert sheet["E10"].value == "x" * MAX_CELL


def test_the_header_is_bold_and_stays_in_view():
    book = load_workbook(io.BytesIO(workbook_bytes([
        Sheet("Codings", [COLUMNS, *ROWS[:2]], header=True),
        Sheet("About", [["Project", "Miasta"], ["Made by", "Lead"]])])))
    assert book.sheetnames == ["Codings", "About"]
    codings = book["Codings"]
    assert codings.freeze_panes == "A2"
    assert [cell.font.b for cell in codings[1]] == [True] * len(COLUMNS)
    assert not any(cell.font.b for cell in codings[2])
    assert book["About"].freeze_panes is None
    assert list(book["About"].iter_rows(values_only=True)) == [("Project", "Miasta"),
                                                               ("Made by", "Lead")]


def test_every_part_is_well_formed_xml():
    data = workbook_bytes([Sheet("Codings", [COLUMNS, *ROWS], header=True),
                           Sheet("About", [["a", "b"]])])
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        names = package.namelist()
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml"} == set(names)
        for name in names:
            ElementTree.fromstring(package.read(name))


def test_text_that_excel_would_read_as_an_escape_is_kept_as_written():
    data = workbook_bytes([Sheet("Codings", [["_x0041_ stays", "A_x00e9_B"]])])
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert "_x005F_x0041_ stays" in sheet and "A_x005F_x00e9_B" in sheet


def test_a_value_of_another_kind_is_written_as_its_text_or_truth():
    sheet = load_workbook(io.BytesIO(workbook_bytes([Sheet("S", [
        [True, float("nan"), ("a", "b"), "x"]])])))["S"]
    assert [cell.value for cell in sheet[1]] == [True, "nan", "('a', 'b')", "x"]


#: Run in a process of its own: tracemalloc counts every thread's allocations, and a test
#: process also runs other tests' servers and queues, which allocated in the middle of it.
PEAKS_OF_WRITING = """
import sys, tempfile, tracemalloc, zipfile
from coding.exports.xlsx import Sheet, write_workbook

def rows(count):
    for number in range(count):
        yield [number, f"Wrocław, współpraca z partnerami {number}", number / 7, "",
               "A city official in a Polish city of over 500,000 [PL-CITY-01]"]

for count in (10_000, 100_000):
    with tempfile.TemporaryFile() as target:
        tracemalloc.start()
        write_workbook(target, [Sheet("Codings", rows(count), header=True)], count)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        target.seek(0)
        with zipfile.ZipFile(target) as package:
            size = package.getinfo("xl/worksheets/sheet1.xml").file_size
    print(count, peak, size)
"""


def test_memory_stays_flat_for_100000_rows():
    done = subprocess.run([sys.executable, "-c", PEAKS_OF_WRITING], capture_output=True,
                          text=True, check=True, cwd=Path(__file__).parents[2])
    (_, small, small_size), (_, large, large_size) = (
        map(int, line.split()) for line in done.stdout.splitlines())
    assert small_size > 10_000 * 200 and large_size > 100_000 * 200
    assert large < small * 1.5 and large < 8 * 2**20

