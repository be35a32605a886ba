"""Limits that hold against any REFI-QDA file (issue 16): zip bombs of every kind refused in
well under a second with memory bounded, sizes counted as they are unpacked whatever the
headers declare, the caps taken from the settings and named in the refusal, XML that would
grow past its size refused, and a refused import leaving nothing behind."""

from __future__ import annotations

import bz2
import io
import lzma
import re
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from coding.codebook import CodeFields, create_code
from coding.extraction import ExtractionError, extract_text
from coding.models import Code, Coding, Memo, Source
from coding.refi import RefiError, read_codebook, read_project
from coding.refi.archive import Archive
from coding.refi.limits import MAX_ATTRIBUTE, MAX_DEPTH, refi_limits
from coding.refi.xmlio import parse_xml
from coding.sources import document_paragraphs
from fieldwork import jobs
from fieldwork.archives import MAX_RATIO, ArchiveError, ArchiveLimits, SafeZip, check_archive
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, BackgroundTask, Membership, Project, User
from fieldwork.processes import stop_process
from tests.conftest import FreshContextClient, log_in, start_worker
from tests.documents import docx_bytes
from tests.zipbombs import (
    BZIP2_BLOCK_ZEROS,
    Entry,
    archive_of,
    bzip2_bomb,
    bzip2_zeros,
    deflate_bomb,
    deflate_repeated,
    deflate_zeros,
    overlapping,
)

MB = 2**20
TEXT = b"Agreement between Brno and Dallas, signed in 2015."
LOREM = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 10_000
GUIDS = {"code": "c0000000-0000-0000-0000-000000000001",
         "source": "50000000-0000-0000-0000-000000000001",
         "second": "50000000-0000-0000-0000-000000000002"}


def qde(*sources: tuple[str, str], code_name: str = "Goals", extra: str = "") -> bytes:
    """A project with one code and a TextSource for each (guid, plainTextPath)."""
    texts = "".join(f'<TextSource guid="{guid}" name="Source {number}" plainTextPath="{path}"/>'
                    for number, (guid, path) in enumerate(sources))
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
            f'name="Limits"{extra}><CodeBook><Codes><Code guid="{GUIDS["code"]}" '
            f'name="{code_name}" isCodable="true"/></Codes></CodeBook>'
            f'<Sources>{texts}</Sources></Project>').encode()


ONE_SOURCE = qde((GUIDS["source"], f"internal://{GUIDS['source']}.txt"))
TEXT_NAME = f"sources/{GUIDS['source']}.txt"


def qdpx(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def measured(read: Callable[[], Any]) -> tuple[str, float, int]:
    """What `read` says (its RefiError's words, or "read"), its time and its peak of
    memory allocated by Python, the decompressors' output included."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        read()
        said = "read"
    except RefiError as error:
        said = str(error)
    took = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return said, took, peak


def test_the_bzip2_block_is_what_libbzip2_makes() -> None:
    """The bombs below repeat one 32-byte bzip2 block: it unpacks to 45,899,235 zeros."""
    decompressor, produced = bz2.BZ2Decompressor(), 0
    out = decompressor.decompress(bzip2_zeros(2), MB)
    while True:
        assert out.count(0) == len(out)
        produced += len(out)
        if decompressor.eof:
            break
        out = decompressor.decompress(b"", MB)
    assert produced == 2 * BZIP2_BLOCK_ZEROS
    assert len(bzip2_zeros(160)) < 5_500  # 6.8 GiB


#: (archive, what the refusal says): every bomb is refused before it costs memory
BOMBS = {
    "5 KB bzip2 member, 6.8 GiB, declared honestly": (
        lambda: bzip2_bomb("project.qde", 160),
        f"“project.qde” in the .qdpx unpacks to more than {MAX_RATIO:,} times its packed "
        "size (5 KB), as only a “zip bomb” does"),
    "5 KB bzip2 member, 6.8 GiB, declaring 1,000 bytes": (
        lambda: bzip2_bomb("project.qde", 160, declared=1_000),
        "“project.qde” in the .qdpx unpacks to more than the 1,000 bytes its header declares"),
    "5 KB bzip2 member, 6.8 GiB, declaring 150 MB (under the cap)": (
        lambda: bzip2_bomb("project.qde", 160, declared=150 * MB),
        f"unpacks to more than {MAX_RATIO:,} times its packed size"),
    "422 bytes: a bzip2 member of 413 MB, declared honestly": (
        lambda: bzip2_bomb("project.qde", 9),
        f"unpacks to more than {MAX_RATIO:,} times its packed size"),
    "400 MiB of text, deflate, declared honestly": (
        lambda: archive_of([Entry("project.qde", *_deflated(LOREM, 400 * MB // len(LOREM)))]),
        "“project.qde” in the .qdpx unpacks to 400 MB, more than the 200 MB Fieldwork unpacks "
        "from one file"),
    "400 MiB of text, deflate, declaring 1 MB": (
        lambda: archive_of([Entry("project.qde", *_deflated(LOREM, 400 * MB // len(LOREM),
                                                           declared=MB))]),
        "“project.qde” in the .qdpx unpacks to more than the 1 MB its header declares"),
    "150 MiB deflate member declaring 8 MB": (
        lambda: deflate_bomb("project.qde", 150 * MB, declared=8 * MB),
        "“project.qde” in the .qdpx unpacks to more than the 8 MB its header declares"),
    "a source's text, 150 MiB deflate, declaring 100 bytes": (
        lambda: archive_of([Entry.deflated("project.qde", ONE_SOURCE),
                            Entry(TEXT_NAME, *_deflated(bytes(MB), 150, declared=100))]),
        f"“{TEXT_NAME}” in the .qdpx unpacks to more than the 100 bytes its header declares"),
    "overlapping members": (
        lambda: overlapping(Entry.stored("project.qde", ONE_SOURCE),
                            Entry.stored(TEXT_NAME, TEXT)),
        f"“project.qde” and “{TEXT_NAME}” share the same bytes (overlapping files"),
    "a thousand directory entries naming one member": (
        lambda: archive_of([Entry.stored("project.qde", ONE_SOURCE)],
                           [(Entry.stored(f"sources/{n}.txt", ONE_SOURCE), 0)
                            for n in range(1_000)]),
        "“sources/0.txt” in the .qdpx is damaged and cannot be unpacked: its own header "
        "names it “project.qde”"),
}


def _deflated(block: bytes, count: int,
              declared: int | None = None) -> tuple[bytes, int, int, int]:
    data, crc = deflate_repeated(block, count)
    return data, zipfile.ZIP_DEFLATED, len(block) * count if declared is None else declared, crc


@pytest.mark.parametrize("bomb", BOMBS)
def test_bombs_are_refused_at_once_with_memory_bounded(bomb: str) -> None:
    """Through both readers (a .qdc may come as a .qdpx), except a source's text, which
    only the project's reader reads."""
    make, message = BOMBS[bomb]
    data = make()
    for read in (read_project, read_codebook)[:1 if TEXT_NAME in message else 2]:
        said, took, peak = measured(lambda read=read: read(data))
        assert message in said
        assert took < 1.0, f"{took:.2f} s"
        assert peak < 16 * MB, f"{peak / MB:.1f} MiB"


def test_a_huge_directory_is_counted_before_it_is_built() -> None:
    """zipfile builds an object for every directory entry, however many, before anyone can
    count them (300,000 took 10 s): the entries are counted first, whatever the count the
    archive's end record gives (here 1)."""
    data = archive_of([Entry.stored("project.qde", ONE_SOURCE)],
                      [(Entry.stored(f"{n:06}.txt", b""), 0) for n in range(120_000)])
    end = data.rindex(b"PK\x05\x06")
    data = data[:end + 8] + (1).to_bytes(2, "little") * 2 + data[end + 12:]
    began = time.perf_counter()
    with pytest.raises(RefiError, match=re.escape(
            "The .qdpx holds more than 50,000 files; Fieldwork opens archives of at most "
            "50,000.")):
        read_project(data)
    assert time.perf_counter() - began < 1.0
    said, _took, peak = measured(lambda: read_project(data))
    assert "more than 50,000 files" in said and peak < 4 * MB


def test_the_caps_are_the_settings(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    limits = refi_limits()
    assert (limits.file, limits.text, limits.unpacked, limits.recording, limits.elements) == (
        200 * MB, 512 * MB, 8192 * MB, app.config["MAX_UPLOAD_MB"] * MB, 3_000_000)
    monkeypatch.setitem(app.config, "REFI_FILE_MB", 1)
    monkeypatch.setitem(app.config, "REFI_XML_ELEMENTS", 10)
    assert (refi_limits().file, refi_limits().elements) == (MB, 10)


def test_a_file_over_the_cap_is_refused_naming_it_and_the_cap(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REFI_FILE_MB", 1)
    text = b"Brno and Dallas. " * 70_000
    with pytest.raises(RefiError, match=f"“{TEXT_NAME}” in the .qdpx unpacks to 2 MB, more than "
                                        "the 1 MB Fieldwork unpacks from one file"):
        read_project(qdpx({"project.qde": ONE_SOURCE, TEXT_NAME: text * 2}))
    with pytest.raises(RefiError, match="The codebook is 2 MB of XML, more than the 1 MB "
                                        "Fieldwork reads from one file"):
        read_codebook(b"<CodeBook>" + b" " * 2 * MB + b"</CodeBook>")
    assert read_project(qdpx({"project.qde": ONE_SOURCE, TEXT_NAME: text[:MB - 100]}))


def test_the_bytes_produced_are_counted_not_those_declared(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many sources naming one text file: the archive declares 0.7 MB, but reading it
    would unpack 0.7 MB for each source. The whole-archive cap and the cap of text held in
    memory both count what comes out."""
    text = b"Brno and Dallas. " * 40_000
    many = qde(*[(f"50000000-0000-0000-0000-{n:012d}", f"internal://{GUIDS['source']}.txt")
                 for n in range(1, 40)])
    archive = qdpx({"project.qde": many, TEXT_NAME: text})
    monkeypatch.setitem(app.config, "REFI_UNPACKED_MB", 2)
    with pytest.raises(RefiError, match=f"Fieldwork stopped unpacking the .qdpx at “{TEXT_NAME}”: "
                                        "its files came to more than 2 MB, the most it unpacks "
                                        "from one archive; it may be a “zip bomb”"):
        read_project(archive)
    monkeypatch.setitem(app.config, "REFI_UNPACKED_MB", 8192)
    monkeypatch.setitem(app.config, "REFI_TEXT_MB", 3)
    with pytest.raises(RefiError, match=f"Fieldwork stopped unpacking the .qdpx at “{TEXT_NAME}”: "
                                        "the project's XML and texts came to more than 3 MB, the "
                                        "most it holds in memory from one archive"):
        read_project(archive)
    monkeypatch.setitem(app.config, "REFI_TEXT_MB", 512)
    assert len(read_project(archive).sources) == 39


def test_other_compressions_are_read_within_the_same_limits() -> None:
    """Stored, bzip2 and LZMA members are read like deflate ones (zipfile writes all four);
    a method Fieldwork does not know, or a password, is refused in words."""
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        archive = qdpx({"project.qde": ONE_SOURCE, TEXT_NAME: TEXT * 1_000}, method)
        [source] = read_project(archive).sources
        assert source.text == (TEXT * 1_000).decode()
    unknown = archive_of([Entry("project.qde", ONE_SOURCE, method=99, crc=zlib.crc32(ONE_SOURCE))])
    with pytest.raises(RefiError, match="uses a compression Fieldwork cannot unpack \\(method "
                                        "99\\); zip it again with ordinary compression"):
        read_project(unknown)
    locked = archive_of([Entry("project.qde", ONE_SOURCE, flags=1, crc=zlib.crc32(ONE_SOURCE))])
    with pytest.raises(RefiError, match="protected by a password"):
        read_project(locked)


def test_an_lzma_member_cannot_reserve_a_huge_dictionary() -> None:
    """An LZMA member's header names its dictionary's size (here 4 GiB, more than liblzma
    takes); the decoder is given no more room than the member declares to unpack to, and
    reads it."""
    packed = lzma.compress(ONE_SOURCE, lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1}])
    header = b"\x09\x14\x05\x00" + bytes([93]) + (2**32 - 1).to_bytes(4, "little")
    archive = archive_of([Entry("project.qde", header + packed, zipfile.ZIP_LZMA,
                                len(ONE_SOURCE), zlib.crc32(ONE_SOURCE), flags=2)])
    said, _took, peak = measured(lambda: read_codebook(archive))
    assert said == "read" and peak < 4 * MB


LIES = {
    "a checksum that does not match": (
        [Entry("project.qde", ONE_SOURCE, crc=1)],
        "“project.qde” in the .qdpx is damaged and cannot be unpacked."),
    "a declared size larger than the truth": (
        [Entry("project.qde", ONE_SOURCE, size=len(ONE_SOURCE) + 10,
               crc=zlib.crc32(ONE_SOURCE))],
        "“project.qde” in the .qdpx is damaged and cannot be unpacked."),
    "a packed size past the end of the files": (
        [Entry("project.qde", ONE_SOURCE, crc=zlib.crc32(ONE_SOURCE))], "runs past the end"),
    "a local header naming another file": (
        [Entry("project.qde", ONE_SOURCE, crc=zlib.crc32(ONE_SOURCE), local_name="evil.qde")],
        "its own header names it “evil.qde”"),
    "a local header naming another file with a NUL in its name": (
        [Entry("project.qde", ONE_SOURCE, crc=zlib.crc32(ONE_SOURCE), local_name="\x00roject.qde")],
        "its own header names it “\ufffdroject.qde”"),
    "two files of one name": (
        [Entry.stored("project.qde", ONE_SOURCE), Entry.stored("project.qde", b"<Project/>")],
        "holds two files named “project.qde”, so it is not clear which one to read"),
    "two files whose names differ only in case": (
        [Entry.stored("project.qde", ONE_SOURCE), Entry.stored("Sources/A.txt", TEXT),
         Entry.stored("sources/a.txt", TEXT)],
        "holds two files named “sources/a.txt” and “Sources/A.txt”"),
}


@pytest.mark.parametrize("lie", LIES)
def test_headers_that_lie_are_refused_in_words(lie: str) -> None:
    entries, message = LIES[lie]
    data = archive_of(entries)
    if lie == "a packed size past the end of the files":
        directory = data.index(b"PK\x01\x02")
        data = data[:directory + 20] + (10**6).to_bytes(4, "little") + data[directory + 24:]
    with pytest.raises(RefiError, match=re.escape(message)):
        read_project(data)


def test_a_nested_archive_is_never_opened() -> None:
    """A .qdpx inside a .qdpx, or a ZIP as a source's text, is not unpacked: the nested bomb
    costs nothing, and the text is refused as not UTF-8."""
    nested = bzip2_bomb("inner.txt", 160)
    for name in ("project.qdpx", "sources/inner.zip"):
        said, _took, peak = measured(lambda name=name: read_project(
            qdpx({"project.qde": ONE_SOURCE, TEXT_NAME: TEXT, name: nested})))
        assert said == "read" and peak < 4 * MB
    said, _took, peak = measured(lambda: read_project(
        qdpx({"project.qde": ONE_SOURCE, TEXT_NAME: nested})))
    assert "is not UTF-8" in said
    said, _took, _peak = measured(lambda: read_project(qdpx({"project.qde": nested})))
    assert "project.qde is not well-formed XML" in said


def test_xml_that_would_grow_past_its_size_is_refused(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REFI_XML_ELEMENTS", 1_000)
    many = b"<CodeBook><Codes>" + b"<Set/>" * 1_000 + b"</Codes></CodeBook>"
    with pytest.raises(RefiError, match="The codebook was not read: at line 1, it holds more "
                                        "than 1,000 XML elements, the most Fieldwork reads"):
        read_codebook(many)
    deep = b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1)
    with pytest.raises(RefiError, match=f"nested more than {MAX_DEPTH} deep"):
        parse_xml(deep, "The file")
    assert parse_xml(b"<a>" * MAX_DEPTH + b"</a>" * MAX_DEPTH, "The file").tag == "a"
    long_name = ONE_SOURCE.replace(b'name="Goals"', b'name="' + b"&#65;" * (MAX_ATTRIBUTE + 1)
                                   + b'"')
    with pytest.raises(RefiError, match=f"<Code>'s name attribute holds {MAX_ATTRIBUTE + 1:,} "
                                        "characters"):
        read_project(qdpx({"project.qde": long_name}))


def test_entities_in_attributes_are_refused() -> None:
    laughs = "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10 if n else "lol"}">'
                     for n in range(12))
    bomb = ONE_SOURCE.replace(b"<Project", f"<!DOCTYPE Project [{laughs}]><Project".encode(), 1)
    bomb = bomb.replace(b'name="Goals"', b'name="&l11;"')
    said, _took, peak = measured(lambda: read_project(qdpx({"project.qde": bomb})))
    assert "declares a document type (DOCTYPE)" in said and peak < 4 * MB


@pytest.mark.parametrize("encoding", ["shift_jis", "utf-7", "utf-32", "idna", "undefined",
                                      "punycode", "rot13", "cp037", "nonsense"])
def test_any_declared_encoding_is_read_or_refused_in_words(encoding: str) -> None:
    data = f'<?xml version="1.0" encoding="{encoding}"?><CodeBook/>'.encode()
    with pytest.raises(RefiError, match="encoding"):
        parse_xml(data, "The codebook")


@pytest.mark.parametrize(("content", "message"), [
    (b"Umowa \xc5 z Chengdu", "is not UTF-8 (at byte 6)"),
    (b"\xff\xfeU\x00m\x00\x00\xd8", "is not UTF-16"),
    (b"\xfe\xff\x00U\x00", "is not UTF-16"),
])
def test_texts_that_are_not_what_they_claim_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(RefiError, match=re.escape(message)):
        read_project(qdpx({"project.qde": ONE_SOURCE, TEXT_NAME: content}))


def test_word_and_excel_files_are_unpacked_by_counting_too() -> None:
    """python-docx and openpyxl read with zipfile, which trusts the declared sizes: every
    member is unpacked into nothing first, so a lying one never reaches them."""
    limits = ArchiveLimits(max_unpacked=256 * MB, max_members=10_000)
    good = docx_bytes("Umowa z Chengdu.")
    check_archive(good, "The Word document", limits)
    with zipfile.ZipFile(io.BytesIO(good)) as document:
        parts = [Entry.deflated(name, document.read(name)) for name in document.namelist()]
    body = next(part for part in parts if part.name == "word/document.xml")
    data, crc = deflate_zeros(100 * MB)
    body.data, body.size, body.crc = data, 5_000, crc
    lying = archive_of(parts)
    tracemalloc.start()
    with pytest.raises(ExtractionError, match=re.escape(
            "“word/document.xml” in the Word document unpacks to more than the 5 KB its header "
            "declares")):
        extract_text("lying.docx", lying)
    assert tracemalloc.get_traced_memory()[1] < 16 * MB
    tracemalloc.stop()
    with pytest.raises(ArchiveError, match="share the same bytes"):
        check_archive(overlapping(Entry.stored("a.xml", b"<a/>"), Entry.stored("b.xml", b"<b/>")),
                      "The workbook", limits)


def test_a_recording_is_copied_out_within_the_upload_limit() -> None:
    """Recordings are copied to a file, never held in memory, at most MAX_UPLOAD_MB each."""
    audio = bytes(range(256)) * 4_000
    archive = Archive(qdpx({"project.qde": ONE_SOURCE, "sources/talk.m4a": audio},
                           zipfile.ZIP_STORED))
    out = io.BytesIO()
    assert archive.copy("sources/talk.m4a", out) == len(audio) and out.getvalue() == audio
    small = SafeZip(qdpx({"talk.m4a": audio}), "The .qdpx",
                    ArchiveLimits(max_unpacked=10 * MB, max_members=10, max_member=2 * MB))
    with pytest.raises(ArchiveError, match=re.escape(
            "“talk.m4a” in the .qdpx unpacks to 1,000 KB, more than the 512 KB Fieldwork unpacks "
            "from one file")):
        small.copy(small.members[0], io.BytesIO(), cap=MB // 2)


# --- through the page: a refused file leaves nothing ----------------------------------------


def rows(project: Project) -> tuple[int, ...]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model).where(
        model.project_id == project.id)) for model in (Source, Code, Coding, Memo, AuditEntry))


def test_a_bomb_through_the_page_fails_its_task_at_once_and_leaves_nothing(
        project: Project, people: dict[str, User],
        client_for: Callable[[User | None], Any]) -> None:
    before = rows(project)
    began = time.perf_counter()
    response = client_for(people["lead"]).post(
        f"/projects/{project.id}/coding/exchange/import",
        data={"file": (io.BytesIO(bzip2_bomb("project.qde", 160, declared=1_000)),
                       "bomb.qdpx")},
        content_type="multipart/form-data", follow_redirects=True)
    assert time.perf_counter() - began < 1.5
    assert "Failed: Nothing was imported." in response.text
    assert "its header declares" in response.text
    assert rows(project) == before
    task = db.session.scalar(db.select(BackgroundTask).where(
        BackgroundTask.project_id == project.id))
    assert task.status == "failed" and (task.finished_at - task.started_at).total_seconds() < 1


@pytest.fixture
def queued_app(app: Flask, make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app on the test database with a SQLite queue in the instance folder; each of its
    test client's requests has an application context (and database session) of its own."""
    queue_app = make_app(JOBS_IMMEDIATE=False)
    queue_app.test_client_class = FreshContextClient
    with queue_app.app_context():
        jobs.huey.flush()
    yield queue_app
    with queue_app.app_context():
        jobs.huey.flush()
        db.engine.dispose()
    jobs.configure_queue(app)


def peak_memory_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in kB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])


def two_projects() -> tuple[int, int, int, int, int, int]:
    """An empty project its lead imports into, and another whose coder codes a source: the
    ids of the lead, the coder, both projects, the source and the code."""
    lead = User(email="bomb-lead@example.org", name="Lead", password_hash="x")
    coder = User(email="bomb-coder@example.org", name="Coder", password_hash="x")
    empty, coding = Project(name="Import here"), Project(name="Coding goes on")
    db.session.add_all([lead, coder, empty, coding,
                        Membership(project=empty, user=lead, role="lead"),
                        Membership(project=coding, user=coder, role="coder"),
                        Membership(project=coding, user=lead, role="lead")])
    db.session.flush()
    text = "Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku. " * 200
    source = Source(project_id=coding.id, kind="document", title="Notes", text=text,
                    paragraphs=document_paragraphs(text), created_by_id=lead.id)
    db.session.add(source)
    code = create_code(coding, CodeFields(name="Cooperation"), None, lead)
    db.session.commit()
    return lead.id, coder.id, empty.id, coding.id, source.id, code.id


@pytest.mark.committed
def test_a_5_kb_bomb_is_refused_within_a_second_while_a_coder_keeps_saving(
        queued_app: Flask, files_dir: Path) -> None:
    """As on a team server: a `fieldwork worker` process takes the import of a 5 KB .qdpx
    whose member unpacks to 6.8 GiB (declaring 1,000 bytes), while another user saves a
    coding every 50 ms on the same SQLite database. The task fails within a second saying
    why, nothing of the file is in the project, no save waits as long as 2 s, and the
    worker's peak memory grows by less than 64 MB."""
    with queued_app.app_context():
        lead_id, coder_id, empty_id, coding_id, source_id, code_id = two_projects()
        lead = log_in(queued_app.test_client(), db.session.get(User, lead_id))
        coder: FlaskClient = log_in(queued_app.test_client(), db.session.get(User, coder_id))
        url = f"/projects/{coding_id}/coding/sources/{source_id}/codings"
        worker = start_worker(queued_app, "--no-periodic")
        try:
            # a first task of the worker's own: its modules loaded, the baseline of its memory
            warm = lead.post(f"/projects/{empty_id}/coding/exchange/import", data={
                "file": (io.BytesIO(b"not a zip"), "warm.qdpx")},
                content_type="multipart/form-data")
            assert warm.status_code == 302
            wait_for_tasks(1)
            baseline = peak_memory_kb(worker.pid)
            queued = lead.post(f"/projects/{empty_id}/coding/exchange/import", data={
                "file": (io.BytesIO(bzip2_bomb("project.qde", 160, declared=1_000)),
                         "bomb.qdpx")}, content_type="multipart/form-data")
            assert queued.status_code == 302
            waits, start = [], 0
            while len(finished_tasks()) < 2 or len(waits) < 20:
                began = time.monotonic()
                saved = coder.post(url, json={"codes": [code_id], "start": start,
                                              "end": start + 10, "textVersion": 1})
                waits.append(time.monotonic() - began)
                assert saved.status_code == 200, saved.text
                start = (start + 7) % 1_000
                time.sleep(0.05)
                assert len(waits) < 1_000, "the import did not end"
            grown = peak_memory_kb(worker.pid) - baseline
        finally:
            stop_process(worker, timeout=20)
        task = finished_tasks()[-1]
        assert task.status == "failed"
        assert "Nothing was imported. “project.qde” in the .qdpx unpacks to more than the " \
               "1,000 bytes its header declares" in task.error
        assert (task.finished_at - task.started_at).total_seconds() < 1.0
        assert max(waits) < 2.0, f"a save waited {max(waits):.2f} s"
        assert grown < 64 * 1024, f"the worker's peak memory grew by {grown / 1024:.0f} MB"
        counts = [db.session.scalar(db.select(db.func.count()).select_from(model).where(
            model.project_id == empty_id)) for model in (Source, Code, Coding, Memo)]
        assert counts == [0, 0, 0, 0]
        db.session.remove()


def finished_tasks() -> list[BackgroundTask]:
    db.session.rollback()
    return list(db.session.scalars(db.select(BackgroundTask).where(
        BackgroundTask.finished_at.is_not(None)).order_by(BackgroundTask.id)))


def wait_for_tasks(count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while len(finished_tasks()) < count:
        assert time.monotonic() < deadline, "the worker did not end its task"
        time.sleep(0.1)
