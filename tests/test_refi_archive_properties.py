"""Property-based tests (hypothesis) of the limits on REFI-QDA files (issue 16): archives
with lying headers, nested archives, overlapping members, bombs of both compressions, huge
entities and attributes, and invalid UTF-8 and UTF-16. Whatever is drawn, reading it ends in
the file's contents or a RefiError in words, within a second, and Python's memory never
rises past BOUND (the caps are lowered for these tests, so that a bomb that slips past one
would show). The Word and Excel check likewise ends in nothing or an ArchiveError. Through
the page, a hostile .qdpx leaves every table as it was.

Examples are few (the suite stays quick) and not stored between runs.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coding.models import Code, Coding, Memo, Source
from coding.refi import RefiError, read_codebook, read_project
from coding.refi.limits import MAX_ATTRIBUTE
from coding.refi.xmlio import parse_xml
from fieldwork.archives import ArchiveError, ArchiveLimits, check_archive
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from tests.zipbombs import (
    BZIP2_BLOCK_ZEROS,
    Entry,
    archive_of,
    bzip2_zeros,
    deflate_zeros,
    local_record,
)

FEW = settings(max_examples=40, deadline=None, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow, HealthCheck.data_too_large])
MB = 2**20
#: the caps while these tests run (megabytes): one file, all text, all unpacked
CAPS = {"REFI_FILE_MB": 4, "REFI_TEXT_MB": 8, "REFI_UNPACKED_MB": 16}
#: the most Python may allocate at once while one archive is read: the text cap twice over
#: (a file's pieces and their join) and room for the XML's tree
BOUND = 24 * MB
GUID = "50000000-0000-0000-0000-000000000001"
TEXT_NAME = f"sources/{GUID}.txt"
QDE = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
       f'name="Props"><CodeBook><Codes><Code guid="c0000000-0000-0000-0000-000000000001" '
       f'name="Goals" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{GUID}" '
       f'name="Notes" plainTextPath="internal://{GUID}.txt"/></Sources></Project>')
TEXT = b"Agreement between Brno and Dallas, signed in 2015.\n"
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
NAMES = st.one_of(st.sampled_from(["project.qde", "Project.QDE", TEXT_NAME, f"Sources/{GUID}.txt",
                                   f"{GUID}.txt", "other.qde", "sources/", "../project.qde",
                                   "nested.qdpx", "sources/inner.zip"]),
                  st.text(min_size=1, max_size=12))


@pytest.fixture(autouse=True)
def lowered_caps(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in CAPS.items():
        monkeypatch.setitem(app.config, key, value)


def read_in_words(read: Callable[[], Any], errors: tuple[type[Exception], ...] = (RefiError,)
                  ) -> str:
    """Run `read`: it returns, or raises one of `errors` with words; within a second and
    BOUND. Any other exception fails the test."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        read()
        said = "read"
    except errors as error:
        said = str(error)
        assert said.strip() and "Traceback" not in said
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    took = time.perf_counter() - began
    assert took < 1.0, f"{took:.2f} s"
    assert peak < BOUND, f"{peak / MB:.1f} MiB"
    return said


# --- archives, member by member, any header lying ---------------------------------------------


def lie(draw: st.DrawFn, entry: Entry) -> Entry:
    """Perhaps change what the headers say: the size (a little or anything), the checksum,
    the flags (a password, a data descriptor), the method or the name in the local header."""
    if draw(st.integers(0, 2)) == 0:
        entry.size = draw(st.one_of(st.integers(0, 2 * entry.declared + 16),
                                    st.integers(0, 2**32 - 1)))
    if draw(st.integers(0, 5)) == 0:
        entry.crc = draw(st.integers(0, 2**32 - 1))
    if draw(st.integers(0, 9)) == 0:
        entry.flags ^= draw(st.sampled_from([0x1, 0x2, 0x8, 0x800]))
    if draw(st.integers(0, 9)) == 0:
        entry.method = draw(st.sampled_from([*METHODS, 9, 99]))
    if draw(st.integers(0, 9)) == 0:
        entry.local_name = draw(NAMES)
    return entry


@st.composite
def members(draw: st.DrawFn, depth: int = 0) -> Entry:
    """A member: any bytes, a bomb or a nested archive, packed in any method, under any
    name, its headers telling the truth or not."""
    name = draw(NAMES)
    kind = draw(st.sampled_from(["bytes", "bzip2 bomb", "deflate bomb",
                                 *(["nested"] if depth < 2 else [])]))
    if kind == "bzip2 bomb":
        blocks = draw(st.integers(1, 160))
        entry = Entry(name, bzip2_zeros(blocks), zipfile.ZIP_BZIP2, blocks * BZIP2_BLOCK_ZEROS)
    elif kind == "deflate bomb":
        size = draw(st.integers(0, 48 * MB))
        data, crc = deflate_zeros(size)
        entry = Entry(name, data, zipfile.ZIP_DEFLATED, size, crc)
    else:
        content = draw(archives(depth + 1)) if kind == "nested" else draw(st.binary(max_size=300))
        entry = Entry.packed(name, content, draw(st.sampled_from(METHODS)))
    return lie(draw, entry)


@st.composite
def archives(draw: st.DrawFn, depth: int = 0) -> bytes:
    """Mostly the project and its text, with other members among them, in any order; any
    header may lie; directory entries may point anywhere in the members (overlapping
    members); a few bytes may be changed anywhere."""
    entries = []
    if draw(st.integers(0, 4)):
        entries.append(lie(draw, Entry.packed("project.qde", QDE.encode(),
                                              draw(st.sampled_from(METHODS)))))
    if draw(st.integers(0, 4)):
        entries.append(lie(draw, Entry.packed(TEXT_NAME, TEXT, draw(st.sampled_from(METHODS)))))
    entries = draw(st.permutations(entries + draw(st.lists(members(depth), max_size=2))))
    if not entries:
        entries = [draw(members(depth))]
    body = sum(len(local_record(entry)) for entry in entries)
    pointers = [(draw(members(2)), draw(st.integers(0, body)))
                for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2])))]
    data = bytearray(archive_of(entries, pointers))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        where = draw(st.integers(0, len(data) - 1))
        data[where] = draw(st.integers(0, 255))
    return bytes(data)


@FEW
@given(data=archives())
@example(data=archive_of([Entry.packed("project.qde", QDE.encode(), zipfile.ZIP_DEFLATED),
                          Entry.packed(TEXT_NAME, TEXT, zipfile.ZIP_BZIP2)]))
@example(data=archive_of([Entry("project.qde", bzip2_zeros(160), zipfile.ZIP_BZIP2, 1_000)]))
@example(data=archive_of([Entry.stored("project.qde", QDE.encode())])[:-10]
         + (2**20).to_bytes(4, "little") + bytes(6))  # a directory larger than the archive
def test_any_archive_is_read_or_refused_in_words_within_the_bound(data: bytes) -> None:
    said = read_in_words(lambda: read_project(data))
    read_in_words(lambda: read_codebook(data))
    if data.startswith(b"PK") and said != "read":
        assert said.rstrip().endswith((".", "”")), said


@FEW
@given(data=archives())
@example(data=archive_of([Entry.stored("project.qde", QDE.encode())])[:-10]
         + (2**20).to_bytes(4, "little") + bytes(6))  # a directory larger than the archive
def test_word_and_excel_archives_pass_the_check_or_are_refused_in_words(data: bytes) -> None:
    limits = ArchiveLimits(max_unpacked=16 * MB, max_members=100, max_member=4 * MB)
    read_in_words(lambda: check_archive(data, "The workbook", limits), (ArchiveError,))


# --- the XML inside: entities, attributes, encodings --------------------------------------------


def entity_chain(levels: int, width: int) -> str:
    return "".join(f'<!ENTITY e{n} "{("&e" + str(n - 1) + ";") * width if n else "lol"}">'
                   for n in range(levels))


@st.composite
def hostile_xml(draw: st.DrawFn) -> bytes:
    """The sample project with an attack in its attributes: entities declared in a DTD (to
    any depth and width), character references past the longest attribute, or an
    undeclared entity; then encoded in UTF-8 or UTF-16, declared or not, with a BOM or not."""
    attack = draw(st.sampled_from(["entities", "long", "undeclared", "external", "none"]))
    xml, name = QDE, "Goals"
    if attack == "entities":
        levels, width = draw(st.integers(1, 12)), draw(st.integers(1, 30))
        xml = xml.replace("<Project", f"<!DOCTYPE Project [{entity_chain(levels, width)}]>"
                                      "<Project", 1)
        name = f"&e{levels - 1};"
    elif attack == "long":
        name = draw(st.sampled_from(["&#65;", "a", "&amp;", "&#x1F91D;"])) * draw(
            st.integers(MAX_ATTRIBUTE - 2, MAX_ATTRIBUTE + 2))
    elif attack == "undeclared":
        name = "&xxe;"
    elif attack == "external":
        xml = xml.replace("<Project", '<!DOCTYPE Project [<!ENTITY xxe SYSTEM '
                                      '"file:///etc/passwd">]><Project', 1)
        name = "&xxe;"
    xml = xml.replace('name="Goals"', f'name="{name}"')
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16-le", "utf-16-be",
                                     "utf-16"]))
    if not draw(st.booleans()):
        xml = xml.replace(' encoding="utf-8"', f' encoding="{encoding.removesuffix("-le")}"'
                          .replace("-be", ""))
    data = xml.encode(encoding)
    if encoding != "utf-16" and draw(st.booleans()):
        data = "\ufeff".encode(encoding) + data
    return data


INVALID_UTF = st.sampled_from([b"\xc5", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                               b"\xff", b"\x00\xd8", b"\xdc\x00", b"\xd8\x00\x41", b"\x00"])


@FEW
@given(xml=hostile_xml(), splices=st.lists(st.tuples(st.integers(0, 2_000), INVALID_UTF),
                                           max_size=3))
@example(xml=QDE.encode(), splices=[])
def test_hostile_xml_is_read_or_refused_in_words_within_the_bound(
        xml: bytes, splices: list[tuple[int, bytes]]) -> None:
    for where, bad in splices:
        xml = xml[:where] + bad + xml[where:]
    read_in_words(lambda: parse_xml(xml, "project.qde"))
    read_in_words(lambda: read_project(archive_of([
        Entry.packed("project.qde", xml, zipfile.ZIP_DEFLATED),
        Entry.packed(TEXT_NAME, TEXT, zipfile.ZIP_STORED)])))


@FEW
@given(encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-16"]),
       text=st.text(max_size=60),
       splices=st.lists(st.tuples(st.integers(0, 240), INVALID_UTF), max_size=3),
       cut=st.integers(0, 3))
def test_any_text_file_is_read_or_refused_in_words(
        encoding: str, text: str, splices: list[tuple[int, bytes]], cut: int) -> None:
    """Texts in UTF-8 or UTF-16 (with their BOM, as the standard allows it for UTF-16), with
    invalid sequences spliced in and their last bytes cut."""
    data = text.encode(encoding, "surrogatepass")
    if encoding in ("utf-16-le", "utf-16-be"):
        data = "\ufeff".encode(encoding) + data
    for where, bad in splices:
        data = data[:where] + bad + data[where:]
    data = data[:len(data) - cut] if cut < len(data) else data
    said = read_in_words(lambda: read_project(archive_of([
        Entry.packed("project.qde", QDE.encode(), zipfile.ZIP_DEFLATED),
        Entry.packed(TEXT_NAME, data, zipfile.ZIP_DEFLATED)])))
    assert said == "read" or "is not UTF-" in said, said


# --- through the page: all or nothing -------------------------------------------------------


def rows(project: Project) -> tuple[int, ...]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model).where(
        model.project_id == project.id)) for model in (Source, Code, Coding, Memo, AuditEntry))


@pytest.fixture
def import_page(project: Project, people: dict[str, User],
                client_for: Callable[[User | None], FlaskClient]) -> Iterator[
                    Callable[[bytes], None]]:
    client = client_for(people["lead"])

    def send(data: bytes) -> None:
        before = rows(project)
        response = client.post(f"/projects/{project.id}/coding/exchange/import",
                               data={"file": (io.BytesIO(data), "project.qdpx")},
                               content_type="multipart/form-data", follow_redirects=True)
        if response.status_code == 400 or "Failed: " in response.text:
            assert "Nothing was imported." in response.text
            assert rows(project) == before
            return
        assert response.status_code == 200, response.status_code
        for source in db.session.scalars(db.select(Source).where(
                Source.project_id == project.id)):
            db.session.delete(source)
        db.session.commit()

    yield send


@settings(FEW, max_examples=15)
@given(data=archives())
@example(data=archive_of([Entry("project.qde", bzip2_zeros(160), zipfile.ZIP_BZIP2,
                                1_000, zlib.crc32(b""))]))
def test_a_hostile_qdpx_through_the_page_leaves_every_table_as_it_was(
        import_page: Callable[[bytes], None], data: bytes) -> None:
    import_page(data)
