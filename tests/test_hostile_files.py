"""Hostile files: XML that asks for external entities (XXE) or expands entities a billion
times, ZIP archives that unpack to gigabytes, hold too many files or name files outside
their folder, and PDFs that decompress without end. Each is refused with a message that says
why, and nothing is written.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from casestudies.importing import ImportFileError, read_xlsx
from casestudies.models import Partnership
from coding.extraction import ExtractionError, extract_text
from coding.models import Code, Coding, Memo, Source
from coding.refi import RefiError
from coding.refi.reading import read_codebook, read_project
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from tests.access_samples import partnerships_sample

PASSWD = "root:x:0:0"
XXE = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"><Description>&xxe;</Description>
</Project>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE CodeBook SYSTEM "http://127.0.0.1:9/evil.dtd">
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>"""
LAUGHS = "".join(
    f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n else "lol"}">' for n in range(10)
)
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [{LAUGHS}]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="11111111-1111-1111-1111-111111111111" name="&lol9;" isCodable="true"/>
</Codes></CodeBook>"""
UNDECLARED_ENTITY = """<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="11111111-1111-1111-1111-111111111111" name="&xxe;" isCodable="true"/>
</Codes></CodeBook>"""
GOOD_QDE = """<Project xmlns="urn:QDA-XML:project:1.0" name="Fine"><CodeBook><Codes>
<Code guid="11111111-1111-1111-1111-111111111111" name="Goals" isCodable="true"/>
</Codes></CodeBook></Project>"""


def bomb(name: str, size: int, declared: int | None = None) -> bytes:
    """A ZIP whose one member `name` unpacks to `size` zero bytes (declaring `declared`),
    made without ever holding those bytes: deflate blocks of zeros are all alike."""
    block = bytes(2**24)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(size, len(block))
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = piece * count + tail.compress(bytes(rest)) + tail.flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(bytes(rest), crc)
    encoded = name.encode()
    unpacked = size if declared is None else declared
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), unpacked,
                        len(encoded), 0) + encoded
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                          len(data), unpacked, len(encoded), 0, 0, 0, 0, 0, 0) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + len(data), 0)
    return local + data + central + end


def zip_of(members: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content)
    return out.getvalue()


def newer_zip(members: dict[str, bytes | str]) -> bytes:
    """A ZIP whose directory asks for a newer unpacker (version 6.4) than Python has."""
    data = bytearray(zip_of(members))
    directory = data.index(b"PK\x01\x02")
    data[directory + 6] = 64
    return bytes(data)


def nameless_member(members: dict[str, bytes | str]) -> bytes:
    """A ZIP with a member whose name starts with NUL, which unzippers read as no name."""
    return zip_of({"Xnotes.txt": b"x", **members}).replace(b"Xnotes.txt", b"\x00notes.txt")


def many_members(count: int, extra: dict[str, bytes | str]) -> bytes:
    return zip_of({**extra, **{f"sources/{number}.txt": b"" for number in range(count)}})


def counts(project: Project) -> tuple[int, ...]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model).where(
        model.project_id == project.id)) for model in (Source, Code, Coding, Memo, AuditEntry))


def multipart(files: dict[str, tuple[bytes, str]]) -> dict[str, object]:
    """A form post's body made in memory: the test client would spool a large one to a
    temporary file that nothing closes."""
    boundary, body = encode_multipart(
        {field: FileStorage(io.BytesIO(data), filename=name)
         for field, (data, name) in files.items()})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def refi_upload(client: FlaskClient, project: Project, data: bytes, name: str) -> TestResponse:
    where = "exchange/import" if name.endswith(".qdpx") else "codebook/import"
    return client.post(f"/projects/{project.id}/coding/{where}",
                       **multipart({"file": (data, name)}), follow_redirects=True)


REFI_CASES = {
    "xxe": (zip_of({"project.qde": XXE}), "project.qdpx", "declares a document type"),
    "external dtd": (EXTERNAL_DTD.encode(), "c.qdc", "declares a document type"),
    "parameter entity": (PARAMETER_ENTITY.encode(), "c.qdc", "declares a document type"),
    "billion laughs": (BILLION_LAUGHS.encode(), "c.qdc", "declares a document type"),
    "undeclared entity": (UNDECLARED_ENTITY.encode(), "c.qdc", "undefined entity"),
    "zip bomb": (None, "project.qdpx", "“project.qde” in the .qdpx unpacks to 2.0 GB, more "
                 "than the 200 MB Fieldwork unpacks from one file"),
    "lying sizes": (bomb("project.qde", 2**24, declared=100), "project.qdpx",
                    "“project.qde” in the .qdpx unpacks to more than the 100 bytes its header "
                    "declares"),
    "too many files": (many_members(50_001, {"project.qde": GOOD_QDE}), "project.qdpx",
                       "holds more than 50,000 files; Fieldwork opens archives of at most 50,000"),
    "climbs out": (zip_of({"project.qde": GOOD_QDE, "../../etc/cron.d/evil": b"x"}),
                   "project.qdpx", "“../../etc/cron.d/evil”, which points outside"),
    "absolute": (zip_of({"project.qde": GOOD_QDE, "/etc/passwd": b"x"}), "project.qdpx",
                 "“/etc/passwd”, which points outside"),
    "drive": (zip_of({"project.qde": GOOD_QDE, "C:\\Windows\\evil.dll": b"x"}),
              "project.qdpx", "which points outside"),
    "nameless file": (nameless_member({"project.qde": GOOD_QDE}), "project.qdpx",
                      "is damaged: a file in it has no name"),
    "newer zip": (newer_zip({"project.qde": GOOD_QDE}), "project.qdpx",
                  "a ZIP archive of a kind Fieldwork cannot unpack"),
}


@pytest.fixture(scope="module")
def qdpx_bomb() -> bytes:
    return bomb("project.qde", 2 * 2**30 + 2**24)


@pytest.mark.parametrize("case", REFI_CASES)
def test_hostile_refi_files_are_refused_and_write_nothing(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    qdpx_bomb: bytes, case: str,
) -> None:
    data, name, message = REFI_CASES[case]
    before = counts(project)
    response = refi_upload(client_for(people["lead"]), project, data or qdpx_bomb, name)
    assert "Failed: Nothing was imported." in response.text and message in response.text
    assert PASSWD not in response.text
    assert counts(project) == before


def test_the_readers_refuse_before_unpacking(qdpx_bomb: bytes) -> None:
    """The checks come before any member is read: a 2 GB bomb is refused at once."""
    with pytest.raises(RefiError, match="zip bomb"):
        read_project(qdpx_bomb)
    with pytest.raises(RefiError, match="zip bomb"):
        read_codebook(qdpx_bomb)


XLSX_PARTS = {
    "[Content_Types].xml": """<?xml version="1.0"?><Types
 xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>""",
    "_rels/.rels": """<?xml version="1.0"?><Relationships
 xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="xl/workbook.xml"/></Relationships>""",
    "xl/workbook.xml": """<?xml version="1.0"?><workbook
 xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>
<sheet name="p" sheetId="1" r:id="rId1"/></sheets></workbook>""",
    "xl/_rels/workbook.xml.rels": """<?xml version="1.0"?><Relationships
 xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/sheet1.xml"/></Relationships>""",
}


def xlsx_with_sheet(doctype: str, cell: str) -> bytes:
    sheet = f"""<?xml version="1.0"?>{doctype}<worksheet
 xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>eu_place</t></is></c>
<c r="B1" t="inlineStr"><is><t>partner_place</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>{cell}</t></is></c>
<c r="B2" t="inlineStr"><is><t>Guangzhou</t></is></c></row>
</sheetData></worksheet>"""
    return zip_of({**XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet})


def test_a_plain_hand_made_workbook_is_read() -> None:
    """The hostile workbooks below differ from this one only in their attack."""
    assert list(read_xlsx(xlsx_with_sheet("", "Wrocław"))) == [
        ["eu_place", "partner_place"], ["Wrocław", "Guangzhou"]]


XLSX_CASES = {
    "xxe": (xlsx_with_sheet('<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                            "&xxe;"), "not a readable Excel workbook"),
    "billion laughs": (xlsx_with_sheet(f"<!DOCTYPE worksheet [{LAUGHS}]>", "&lol9;"),
                       "not a readable Excel workbook"),
    "zip bomb": (bomb("xl/sharedStrings.xml", 300 * 2**20), "it may be a “zip bomb”"),
    "too many files": (many_members(1_001, XLSX_PARTS), "Fieldwork opens archives of at most"),
    "climbs out": (zip_of({**XLSX_PARTS, "../evil.xml": "x"}), "which points outside"),
    "newer zip": (newer_zip(XLSX_PARTS), "a ZIP archive of a kind Fieldwork cannot unpack"),
}


@pytest.mark.parametrize("case", XLSX_CASES)
def test_hostile_workbooks_are_refused_and_import_nothing(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    files_dir: Path, case: str,
) -> None:
    data, message = XLSX_CASES[case]
    with pytest.raises(ImportFileError, match=message):
        read_xlsx(data)
    partnerships_sample(project, people)
    before = db.session.scalar(db.select(db.func.count()).select_from(Partnership))
    response = client_for(people["lead"]).post(
        f"/projects/{project.id}/partnerships/import",
        **multipart({"file": (data, "partnerships.xlsx")}))
    assert response.status_code == 400 and message in response.text
    assert PASSWD not in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Partnership)) == before


def docx_with_body(doctype: str, text: str) -> bytes:
    """A Word document made by python-docx, its body XML replaced."""
    document = docx.Document()
    out = io.BytesIO()
    document.save(out)
    with zipfile.ZipFile(out) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    parts["word/document.xml"] = (
        f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        "</w:body></w:document>").encode()
    return zip_of(parts)


def test_word_documents_never_read_external_entities() -> None:
    assert extract_text("plain.docx", docx_with_body("", "Umowa")) == "Umowa"
    xxe = docx_with_body('<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                         "before &xxe; after")
    try:
        text = extract_text("xxe.docx", xxe)
    except ExtractionError as error:
        text = str(error)
    assert PASSWD not in text
    laughs = docx_with_body(f"<!DOCTYPE w:document [{LAUGHS}]>", "&lol9;")
    try:
        text = extract_text("laughs.docx", laughs)
    except ExtractionError as error:
        text = str(error)
    assert len(text) < 10_000


@pytest.mark.parametrize(("name", "data", "message"), [
    ("bomb.docx", bomb("word/document.xml", 300 * 2**20), "it may be a “zip bomb”"),
    ("many.docx", many_members(10_001, {}), "Fieldwork opens archives of at most 10,000"),
    ("climbs.docx", zip_of({"../../x.xml": "x"}), "which points outside"),
])
def test_hostile_word_archives_are_refused(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_text(name, data)


def pdf_bomb() -> bytes:
    """A PDF whose one page's content stream inflates to 200 MB."""
    compressor = zlib.compressobj(9)
    block = bytes(2**24)
    content = b"".join(compressor.compress(block) for _ in range(12)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_pdf_that_inflates_without_end_is_read_only_up_to_a_limit(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    files_dir: Path,
) -> None:
    """pypdf stops inflating a stream at 75 MB: the 200 MB page gives no text, and says so."""
    response = client_for(people["coder"]).post(
        f"/projects/{project.id}/coding/sources/document",
        **multipart({"document": (pdf_bomb(), "bomb.pdf")}))
    assert response.status_code == 400 and "holds no text that can be read" in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Source)) == 0


NUL_QDE = """<Project xmlns="urn:QDA-XML:project:1.0" name="Nul"><Sources>
<TextSource guid="50000000-0000-0000-0000-000000000001" name="Notes"
            plainTextPath="internal://notes.txt"/></Sources></Project>"""


def test_nul_characters_in_imported_text_are_dropped(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    files_dir: Path,
) -> None:
    """PostgreSQL cannot store NUL in text: no file may carry one into the database."""
    client = client_for(people["lead"])
    qdpx = zip_of({"project.qde": NUL_QDE, "sources/notes.txt": b"Umowa\x00 z Chengdu."})
    document = client.post(f"/projects/{project.id}/coding/sources/document",
                           **multipart({"document": (b"Umowa\x00 z Brnem.", "notes.txt")}))
    assert document.status_code == 302
    imported = refi_upload(client, project, qdpx, "project.qdpx")
    assert imported.status_code == 400 and "already has sources" in imported.text
    db.session.execute(db.delete(Source).where(Source.project_id == project.id))
    db.session.commit()
    assert refi_upload(client, project, qdpx, "project.qdpx").status_code == 200
    texts = set(db.session.scalars(db.select(Source.text).where(Source.project_id == project.id)))
    assert texts == {"Umowa z Chengdu."}
    partnerships_sample(project, people)
    table = (b"eu_place,eu_country,partner_place,partner_country,kind,notes\n"
             b"Sample City,PL,Sample Partner,CN,friendship city,a\x00b\n")
    report = client.post(f"/projects/{project.id}/partnerships/import",
                         **multipart({"file": (table, "p.csv")}))
    assert "Import 1 partnership" in report.text
    stored = report.text.split('name="file_id" type="hidden" value="', 1)[1].split('"')[0]
    assert client.post(f"/projects/{project.id}/partnerships/import/commit",
                       data={"file_id": stored}).status_code == 302
    assert "ab" in set(db.session.scalars(db.select(Partnership.notes).where(
        Partnership.project_id == project.id)))


def test_a_utf16_text_cut_short_is_refused_in_words(
    project: Project, people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
) -> None:
    qdpx = zip_of({"project.qde": NUL_QDE, "sources/notes.txt": b"\xff\xfeU\x00m"})
    response = refi_upload(client_for(people["lead"]), project, qdpx, "project.qdpx")
    assert "Failed: Nothing was imported." in response.text
    assert "is not UTF-16 (at byte 4)" in response.text
