"""Property-based tests (hypothesis) of what reads files people send, and of carrying
codings over edits: whatever the input, the only failure is our own error with words in it,
and a refused import leaves every table as it was.

Examples are few (the suite stays quick) and not stored between runs; each test runs inside
the test's transaction, so the examples of one test see each other's successful imports.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from fpdf import FPDF
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from casestudies.importing import COLUMNS, ImportFileError, check_file, commit_import
from casestudies.models import Partnership
from coding.codebook import CodeFields, create_code
from coding.codings import apply_codes
from coding.extraction import DOCUMENT_TYPES, ExtractionError, extract_text
from coding.models import Code, Coding, Memo, Source
from coding.refi.reading import read_codebook
from coding.refi.xmlio import RefiError, parse_xml
from coding.sources import SourceError, edit_document_text
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from tests.access_samples import partnerships_sample
from tests.coding.conftest import CHINESE, CZECH, POLISH
from tests.documents import docx_bytes

FEW = settings(max_examples=40, deadline=None, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow])
SOME = settings(FEW, max_examples=80)

#: cells that mean something to the importer, mixed with anything at all
CELL = st.one_of(
    st.sampled_from(["Sample City", "Sample Partner", "PL", "CN", "US", "sister city",
                     "friendship city", "active", "yes", "no", "2015-06-30", "31.12.2019",
                     "sample area", "https://example.org/a", "=1+1", "", " ", "<b>x</b>"]),
    st.text(max_size=30),
)
ROW = st.lists(CELL, min_size=0, max_size=len(COLUMNS) + 2)
HEADER = st.one_of(st.just(list(COLUMNS)), st.permutations(list(COLUMNS)),
                   st.lists(st.sampled_from([*COLUMNS, "", "Unknown", "EU Place"]), max_size=8))


def count_rows(*models: type) -> tuple[int, ...]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in models)


def as_csv(header: list[str], rows: list[list[str]], delimiter: str) -> bytes:
    lines = [delimiter.join(f'"{cell.replace(chr(34), chr(34) * 2)}"' for cell in row)
             for row in (header, *rows)]
    return "\r\n".join(lines).encode("utf-8")


def as_xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in (header, *rows):
        workbook.active.append([cell if cell.isprintable() else "" for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def importing_project(project: Project, people: dict[str, User]) -> Project:
    partnerships_sample(project, people)
    return project


def import_all_or_nothing(project: Project, user: User, data: bytes, filename: str) -> None:
    """Check and, when clean, commit; a refused file must leave the tables as they were."""
    before = count_rows(Partnership, AuditEntry)
    try:
        report = check_file(project, data, filename)
    except ImportFileError as error:
        assert str(error)
        assert count_rows(Partnership, AuditEntry) == before
        return
    assert count_rows(Partnership, AuditEntry) == before
    if not report.ok:
        assert report.missing_columns or not report.rows or all(
            problem for row in report.bad_rows for problem in row.problems)
        return
    made = commit_import(project, report, user, filename)
    assert count_rows(Partnership)[0] == before[0] + len(made) == before[0] + len(report.rows)


@SOME
@given(header=HEADER, rows=st.lists(ROW, max_size=6), delimiter=st.sampled_from([",", ";", "\t"]))
def test_any_csv_table_is_imported_whole_or_not_at_all(
    importing_project: Project, people: dict[str, User], header: list[str],
    rows: list[list[str]], delimiter: str,
) -> None:
    import_all_or_nothing(importing_project, people["lead"], as_csv(header, rows, delimiter),
                          "partnerships.csv")


@FEW
@given(header=HEADER, rows=st.lists(ROW, max_size=6))
def test_any_xlsx_table_is_imported_whole_or_not_at_all(
    importing_project: Project, people: dict[str, User], header: list[str],
    rows: list[list[str]],
) -> None:
    import_all_or_nothing(importing_project, people["lead"], as_xlsx(header, rows),
                          "partnerships.xlsx")


def flipped(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    """`data` with some bytes changed: damage as a bad disk or a cut download makes it."""
    changed = bytearray(data)
    for position, value in flips:
        changed[position % len(changed)] = value
    return bytes(changed)


FLIPS = st.lists(st.tuples(st.integers(0, 2**20), st.integers(0, 255)), min_size=1,
                 max_size=6)
SAMPLE_XLSX = as_xlsx(list(COLUMNS), [["Sample City", "PL", "Sample Partner", "CN"]])


@FEW
@given(flips=FLIPS, cut=st.integers(0, len(SAMPLE_XLSX)))
@example(flips=[(242, 0)], cut=5022)  # a member whose compressed data is broken
def test_damaged_workbooks_are_refused_in_words(
    importing_project: Project, people: dict[str, User], flips: list[tuple[int, int]], cut: int,
) -> None:
    data = flipped(SAMPLE_XLSX, flips)[: max(cut, 4)]
    import_all_or_nothing(importing_project, people["lead"], data, "partnerships.xlsx")


@SOME
@given(data=st.binary(max_size=400))
def test_any_bytes_as_csv_or_xlsx_are_refused_in_words_or_checked(
    importing_project: Project, people: dict[str, User], data: bytes,
) -> None:
    for filename in ("partnerships.csv", "partnerships.xlsx"):
        import_all_or_nothing(importing_project, people["lead"], data, filename)


# --- documents --------------------------------------------------------------------------

def pdf_of(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


SAMPLE_DOCUMENTS = {".docx": docx_bytes(POLISH, CZECH),
                    ".pdf": pdf_of("Agreement of Brno and Dallas.")}


def extracts_or_refuses(filename: str, data: bytes) -> None:
    try:
        text = extract_text(filename, data)
    except ExtractionError as error:
        assert str(error)
        return
    assert text and text == text.strip() and "\r" not in text


@SOME
@given(suffix=st.sampled_from(sorted(DOCUMENT_TYPES)), data=st.binary(max_size=300))
def test_any_bytes_as_a_document_give_text_or_a_reason(suffix: str, data: bytes) -> None:
    extracts_or_refuses(f"document{suffix}", data)


@SOME
@given(suffix=st.sampled_from(sorted(SAMPLE_DOCUMENTS)), flips=FLIPS, cut=st.integers(0, 2**16))
@example(suffix=".pdf", flips=[(2297, 0)], cut=991)  # a filter pypdf does not know
def test_damaged_word_and_pdf_files_give_text_or_a_reason(
    suffix: str, flips: list[tuple[int, int]], cut: int,
) -> None:
    sample = SAMPLE_DOCUMENTS[suffix]
    extracts_or_refuses(f"document{suffix}", flipped(sample, flips)[: max(cut, 1)])


@FEW
@given(text=st.text(max_size=200), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_any_text_document_keeps_its_words_or_is_refused(text: str, suffix: str) -> None:
    extracts_or_refuses(f"notes{suffix}", text.encode("utf-8", "surrogatepass"))


# --- REFI-QDA ---------------------------------------------------------------------------

SAMPLE_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Cities">
 <CodeBook><Codes>
  <Code guid="c0000000-0000-0000-0000-000000000001" name="Goals" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="50000000-0000-0000-0000-000000000001" name="Notes"
              plainTextPath="internal://50000000-0000-0000-0000-000000000001.txt">
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000001" startPosition="0"
                       endPosition="6">
    <Coding guid="52000000-0000-0000-0000-000000000001">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000001"/>
    </Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Notes><Note guid="80000000-0000-0000-0000-000000000001" name="Plan">
  <PlainTextContent>Compare.</PlainTextContent></Note></Notes>
</Project>"""


def qdpx_of(qde: bytes, text: bytes = b"Umowa z Chengdu.") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/50000000-0000-0000-0000-000000000001.txt", text)
    return out.getvalue()


SAMPLE_QDPX = qdpx_of(SAMPLE_QDE.encode())


def coding_rows(project: Project) -> tuple[int, ...]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model).where(
        model.project_id == project.id)) for model in (Source, Code, Coding, Memo, AuditEntry))


@pytest.fixture
def refi_import(project: Project, people: dict[str, User],
                client_for: Callable[[User | None], FlaskClient]) -> Callable[[bytes], None]:
    """Import a .qdpx through the page: either all of it is there, or none of it."""
    client = client_for(people["lead"])

    def send(data: bytes) -> None:
        before = coding_rows(project)
        response = client.post(f"/projects/{project.id}/coding/exchange/import",
                               data={"file": (io.BytesIO(data), "project.qdpx")},
                               content_type="multipart/form-data", follow_redirects=True)
        if response.status_code == 400 or "Failed: " in response.text:
            assert "Nothing was imported." in response.text
            assert coding_rows(project) == before
            return
        assert response.status_code == 200, response.status_code
        sources = db.session.scalars(db.select(Source).where(Source.project_id == project.id))
        for source in sources:
            db.session.delete(source)
        db.session.commit()

    return send


def test_the_sample_project_file_imports(refi_import: Callable[[bytes], None],
                                         project: Project) -> None:
    refi_import(SAMPLE_QDPX)
    assert coding_rows(project)[:3] == (0, 1, 0)


@FEW
@given(flips=FLIPS)
@example(flips=[(473, 64)])  # a directory entry asking for a newer unpacker
@example(flips=[(635, 2)])  # an entry that starts before the archive does
def test_damaged_project_archives_import_whole_or_not_at_all(
    refi_import: Callable[[bytes], None], flips: list[tuple[int, int]],
) -> None:
    refi_import(flipped(SAMPLE_QDPX, flips))


@FEW
@given(flips=FLIPS, cut=st.integers(0, len(SAMPLE_QDE)),
       text=st.binary(max_size=60))
@example(flips=[(1717, 45)], cut=0, text=b"")  # encoding="u-f-8"
def test_damaged_project_xml_imports_whole_or_not_at_all(
    refi_import: Callable[[bytes], None], flips: list[tuple[int, int]], cut: int, text: bytes,
) -> None:
    qde = flipped(SAMPLE_QDE.encode(), flips)
    refi_import(qdpx_of(qde[:cut] if cut > 20 else qde, text))


NUMBER = st.one_of(st.integers(-5, 40).map(str), st.sampled_from(["", "x", "1e3", " 3 "]))


@SOME
@given(start=NUMBER, end=NUMBER, name=st.text(max_size=20), guid=st.text(max_size=40))
def test_any_attribute_values_import_whole_or_not_at_all(
    refi_import: Callable[[bytes], None], start: str, end: str, name: str, guid: str,
) -> None:
    def quoted(value: str) -> str:
        return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
                .encode("utf-8", "surrogatepass").decode("utf-8", "replace"))

    qde = (SAMPLE_QDE.replace('startPosition="0"', f'startPosition="{quoted(start)}"')
           .replace('endPosition="6"', f'endPosition="{quoted(end)}"')
           .replace('name="Goals"', f'name="{quoted(name)}"')
           .replace('guid="c0000000-0000-0000-0000-000000000001"', f'guid="{quoted(guid)}"'))
    refi_import(qdpx_of(qde.encode()))


@SOME
@given(data=st.binary(max_size=300))
def test_any_bytes_as_a_codebook_or_xml_give_codes_or_a_reason(data: bytes) -> None:
    for read in (read_codebook, lambda raw: parse_xml(raw, "The file")):
        try:
            read(data)
        except RefiError as error:
            assert str(error)


# --- carrying codings over edits ----------------------------------------------------------

TEXTS = st.sampled_from([POLISH, CZECH, CHINESE, "Umowa 🤝 z Chengdu; 𠀀 rzadki znak."])
EDIT = st.tuples(st.integers(0, 200), st.integers(0, 30),
                 st.text(alphabet=st.sampled_from(list("ab ąć广🤝\n.")), max_size=12))


def edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, length, inserted in edits:
        at = position % (len(text) + 1)
        text = text[:at] + inserted + text[at + length:]
    return text


@SOME
@given(original=TEXTS, spans=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 40)),
                                      min_size=1, max_size=5),
       edits=st.lists(EDIT, min_size=1, max_size=4))
def test_codings_survive_any_edit_of_a_document(
    project: Project, people: dict[str, User], files_dir: Path, original: str,
    spans: list[tuple[int, int]], edits: list[tuple[int, int, str]],
) -> None:
    source = Source(project_id=project.id, kind="document", title="Notes", text=original,
                    paragraphs=[{"start": 0, "end": len(original)}],
                    created_by_id=people["lead"].id)
    db.session.add(source)
    db.session.flush()
    code = create_code(project, CodeFields(name=f"Code {source.id}"), None, people["lead"])
    for start, length in spans:
        start %= len(original)
        end = min(start + length, len(original))
        if original[start:end].strip():
            apply_codes(source, [code.id], start, end, source.text_version, people["coder"])
    before = {coding.id: original[coding.start:coding.end] for coding in codings_of(source)}
    try:
        edit_document_text(source, edited(original, edits), people["lead"])
    except SourceError as error:
        assert str(error) and source.text == original
    db.session.flush()
    db.session.expire_all()
    source = db.session.get(Source, source.id)
    after = codings_of(source)
    assert {coding.id for coding in after} == set(before)
    for coding in after:
        assert 0 <= coding.start <= coding.end <= len(source.text)
        if coding.start == coding.end:
            assert coding.needs_review, "a coding whose words were deleted is flagged"
        if source.text == original:
            assert source.text[coding.start:coding.end] == before[coding.id]


def codings_of(source: Source) -> list[Coding]:
    return list(db.session.scalars(db.select(Coding).where(Coding.source_id == source.id)))
