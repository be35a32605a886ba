"""Interviews with their recordings in REFI-QDA (issue 16): exported as an AudioSource with
the recording in sources/ and a Transcript with sync points, imported as an interview with
its recording and a timed transcript, the same again after a round trip."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema
from fpdf import FPDF

from coding import refi
from coding.codings import Viewer, apply_codes
from coding.models import Code, Coding, Source
from coding.sources import add_document_source, add_transcript_source, page_starts
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User
from fieldwork.storage import file_store, store_upload
from interviews.models import Interview
from interviews.recordings.models import Recording
from interviews.transcripts.models import Transcript, TranscriptSegment
from tests.access_samples import tone_wav
from tests.coding.test_refi import SCHEMAS
from tests.documents import FONT

NS = "{urn:QDA-XML:project:1.0}"
SEGMENTS = [(0.0, 2.5, "Speaker 1", "We signed with Guangzhou in 2015."),
            (2.5, 6.0, "Speaker 2", "The investors came 🤝 two years later."),
            (6.0, 9.25, "Speaker 1", "Students followed, and then the mayor.")]


@pytest.fixture
def recorded(project: Project, people: dict[str, User], make_code) -> Source:
    """An interview with a recording of 9.25 s and a ready transcript of three segments,
    coded within a segment and across two."""
    interview = Interview(project_id=project.id, starts_at=datetime(2026, 3, 4, 9, tzinfo=UTC),
                          timezone="Europe/Warsaw", status="done")
    db.session.add(interview)
    db.session.flush()
    stored = store_upload(io.BytesIO(tone_wav(9.25)), "interview.wav", people["lead"].id)
    recording = Recording(project_id=project.id, interview_id=interview.id, stored_file=stored,
                          duration_s=9.25)
    transcript = Transcript(project_id=project.id, interview_id=interview.id,
                            recording=recording, status="ready")
    transcript.segments = [TranscriptSegment(position=n, start=t0, end=t1, speaker=who,
                                             text=text)
                           for n, (t0, t1, who, text) in enumerate(SEGMENTS)]
    db.session.add_all([recording, transcript])
    db.session.flush()
    source = add_transcript_source(transcript, people["lead"])
    code = make_code("Investment")
    for words in ("Guangzhou", "investors came 🤝 two years later.\n\nStudents"):
        start = source.text.index(words)
        apply_codes(source, [code.id], start, start + len(words), source.text_version,
                    people["coder"])
    return source


def export(project: Project, people: dict[str, User]) -> bytes:
    return refi.project_qdpx(project, Viewer(people["lead"], "lead", blind=False)).data


def timed_segments(project: Project) -> list[tuple[float, float, str]]:
    transcript = db.session.scalar(db.select(Transcript).where(
        Transcript.project_id == project.id))
    return [(segment.start, segment.end, segment.text)
            for segment in sorted(transcript.segments, key=lambda s: s.position)]


def recording_sha(project: Project) -> str:
    recording = db.session.scalar(db.select(Recording).where(Recording.project_id == project.id))
    return recording.stored_file.sha256


def codings_of(project: Project) -> list[tuple[str, str, int, int]]:
    rows = db.session.execute(db.select(Code.name, Coding.quote, Coding.start, Coding.end)
                              .join(Code, Code.id == Coding.code_id)
                              .where(Coding.project_id == project.id)
                              .order_by(Coding.start))
    return [tuple(row) for row in rows]


def media_part(data: bytes) -> tuple[dict[str, bytes], list[tuple[str, str]], list[str]]:
    """The archive's recordings (by name), the transcript's sync points (time, position)
    and its selections' sync point pairs."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        recordings = {name: archive.read(name) for name in archive.namelist()
                      if name.endswith(".wav")}
        root = ElementTree.fromstring(archive.read("project.qde"))
    audio = root.find(f"{NS}Sources/{NS}AudioSource")
    transcript = audio.find(f"{NS}Transcript")
    points = {point.get("guid"): (point.get("timeStamp"), point.get("position"))
              for point in transcript.iter(f"{NS}SyncPoint")}
    selections = [f"{points[selection.get('fromSyncPoint')]}-"
                  f"{points[selection.get('toSyncPoint')]}"
                  for selection in transcript.iter(f"{NS}TranscriptSelection")]
    assert audio.get("path") == f"internal://{next(iter(recordings)).split('/')[1]}"
    return recordings, sorted(points.values()), selections


def test_an_interview_goes_out_with_its_recording_and_a_timed_transcript(
        project: Project, people: dict[str, User], recorded: Source) -> None:
    data = export(project, people)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        qde = archive.read("project.qde")
    assert [str(error.reason) for error in xmlschema.XMLSchema(
        SCHEMAS / "Project.xsd").iter_errors(io.BytesIO(qde))] == []
    recordings, points, selections = media_part(data)
    assert list(recordings.values()) == [tone_wav(9.25)]
    text = recorded.text
    second = text.index("The investors")
    assert ("0", "0") in points and ("9250", str(len(text))) in points
    assert ("2500", str(second)) in points
    # "investors came" starts 4 characters into the second segment, of 3.5 s
    start, length = text.index("investors came"), len(SEGMENTS[1][3])
    assert (str(round((2.5 + 3.5 * 4 / length) * 1000)), str(start)) in points
    assert len(selections) == 2


def test_an_interview_comes_back_the_same_after_a_round_trip(
        project: Project, people: dict[str, User], recorded: Source) -> None:
    first = export(project, people)
    copy = Project(name="Round trip with audio")
    db.session.add(copy)
    db.session.flush()
    report = refi.import_project(copy, first, "interview.qdpx", people["lead"])
    assert (report.sources, report.codings) == (1, 2)
    assert timed_segments(copy) == [(t0, t1, text) for t0, t1, _who, text in SEGMENTS]
    assert recording_sha(copy) == recording_sha(project) == hashlib.sha256(
        tone_wav(9.25)).hexdigest()
    assert file_store().blob_path(recording_sha(copy)).exists()
    assert codings_of(copy) == codings_of(project)
    source = db.session.scalar(db.select(Source).where(Source.project_id == copy.id))
    assert (source.kind, source.title, source.text) == ("transcript", recorded.title,
                                                        recorded.text)
    assert db.session.scalar(db.select(Recording.duration_s).where(
        Recording.project_id == copy.id)) == 9.25
    again = export(copy, people)
    assert media_part(again)[1:] == media_part(first)[1:]
    assert list(media_part(again)[0].values()) == list(media_part(first)[0].values())


def test_a_transcript_from_another_tool_is_timed_between_its_sync_points(
        project: Project, people: dict[str, User]) -> None:
    """Two paragraphs (a text file with a byte-order mark and CRLF line ends), sync points
    only at the start and the end, and the recording as a file on another computer: the
    interview comes without its audio, each paragraph timed in proportion to its place."""
    text = "Pierwsza część rozmowy.\r\n\r\nDruga część."
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Other" origin="OtherTool 3">
 <CodeBook><Codes><Code guid="c0000000-0000-0000-0000-000000000001" name="Parts"
  isCodable="true"/></Codes></CodeBook>
 <Sources><AudioSource guid="a0000000-0000-0000-0000-000000000001" name="Talk"
   path="absolute://C:/Recordings/talk.mp3">
  <Transcript guid="a0000000-0000-0000-0000-000000000002" name="Talk transcript"
    plainTextPath="internal://talk.txt">
   <SyncPoint guid="a0000000-0000-0000-0000-000000000003" timeStamp="0" position="0"/>
   <SyncPoint guid="a0000000-0000-0000-0000-000000000004" timeStamp="40000"
    position="{len(text)}"/>
   <TranscriptSelection guid="a0000000-0000-0000-0000-000000000005"
     fromSyncPoint="a0000000-0000-0000-0000-000000000003"
     toSyncPoint="a0000000-0000-0000-0000-000000000004">
    <Coding guid="a0000000-0000-0000-0000-000000000006">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000001"/></Coding>
   </TranscriptSelection>
  </Transcript>
 </AudioSource></Sources>
</Project>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/talk.txt", "\ufeff".encode() + text.encode())
    report = refi.import_project(project, out.getvalue(), "other.qdpx", people["lead"])
    assert report.skipped == {"audio recordings not inside the .qdpx (their transcripts are "
                              "imported without them)": 1}
    segments = timed_segments(project)
    length = len(text) - 2
    assert segments == [(0.0, 40 * 23 / length, "Pierwsza część rozmowy."),
                        (40 * 25 / length, 40.0, "Druga część.")]
    assert codings_of(project) == [("Parts", "Pierwsza część rozmowy.\n\nDruga część.", 0,
                                    len("Pierwsza część rozmowy.\n\nDruga część."))]
    assert db.session.scalar(db.select(Recording).where(
        Recording.project_id == project.id)) is None


def test_through_the_page_the_recording_is_stored_and_plays_back(
        project: Project, people: dict[str, User], recorded: Source, make_project,
        client_for) -> None:
    """As a lead would: the .qdpx uploaded to the import page of a new project; the task
    copies the recording out of the stored upload into the file store."""
    data = export(project, people)
    copy = make_project("Imported with audio", lead=people["lead"])
    page = client_for(people["lead"]).post(
        f"/projects/{copy.id}/coding/exchange/import",
        data={"file": (io.BytesIO(data), "interview.qdpx")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "1 source, 2 codings" in page.text
    assert recording_sha(copy) == recording_sha(project)
    assert timed_segments(copy) == [(t0, t1, text) for t0, t1, _who, text in SEGMENTS]
    assert codings_of(copy) == codings_of(project)
    source = db.session.scalar(db.select(Source).where(Source.project_id == copy.id))
    transcript = db.session.get(Transcript, source.transcript_id)
    client = client_for(people["lead"])
    for path in (f"/projects/{copy.id}/interviews/{transcript.interview_id}",
                 f"/projects/{copy.id}/transcripts/{transcript.id}",
                 f"/projects/{copy.id}/coding/sources/{source.id}"):
        assert client.get(path).status_code == 200, path


PAGES = ("Umowa z Dallas podpisano w 2015 roku.", "Druga strona: inwestorzy z Teksasu.",
         "Trzecia strona: studenci i kultura.")


def three_pages() -> bytes:
    """A PDF of three pages, a paragraph on each."""
    if not Path(FONT).exists():
        pytest.skip("fonts-dejavu-core is not installed")
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    for text in PAGES:
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def test_a_pdf_goes_out_and_comes_back_with_its_pages_and_its_file(
        project: Project, people: dict[str, User], make_code) -> None:
    source = add_document_source(project, "agreement.pdf", three_pages(), "Agreement",
                                 people["lead"])
    code = make_code("Investors")
    start = source.text.index("inwestorzy")
    apply_codes(source, [code.id], start, source.text.index("Trzecia") + 7,
                source.text_version, people["coder"])
    data = export(project, people)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        qde = archive.read("project.qde")
        names = archive.namelist()
    assert [str(error.reason) for error in xmlschema.XMLSchema(
        SCHEMAS / "Project.xsd").iter_errors(io.BytesIO(qde))] == []
    assert b"<PDFSource " in qde and b"<Representation " in qde
    assert sum(name.endswith(".pdf") for name in names) == 1
    copy = Project(name="Round trip with a PDF")
    db.session.add(copy)
    db.session.flush()
    refi.import_project(copy, data, "agreement.qdpx", people["lead"])
    back = db.session.scalar(db.select(Source).where(Source.project_id == copy.id))
    assert (back.title, back.text) == ("Agreement", source.text)
    assert page_starts(back.paragraphs) == page_starts(source.paragraphs)
    assert [page for _start, page in page_starts(back.paragraphs)] == [1, 2, 3]
    assert back.file.sha256 == source.file.sha256
    assert codings_of(copy) == codings_of(project)
    with zipfile.ZipFile(io.BytesIO(export(copy, people))) as again, \
            zipfile.ZipFile(io.BytesIO(data)) as first:
        # the same names: the source kept its GUID, which names its files
        assert sorted(again.namelist()) == sorted(first.namelist())
        pdf = next(name for name in names if name.endswith(".pdf"))
        assert again.read(pdf) == first.read(pdf)


def test_an_interview_imported_by_a_task_that_failed_leaves_nothing(
        project: Project, people: dict[str, User], recorded: Source, make_project,
        client_for, files_dir: Path) -> None:
    """The database refuses the codings once the interview is written (a trigger, as a full
    disk would): the interview, its recording and its transcript are deleted again, and the
    recording's bytes with them."""
    data = export(project, people)
    copy = make_project("Failed with audio", lead=people["lead"])
    blobs = sorted(path for path in files_dir.rglob("*") if path.is_file())
    files = db.session.scalar(db.select(db.func.count()).select_from(StoredFile))
    db.session.execute(db.text(
        "CREATE TRIGGER no_codings BEFORE INSERT ON codings WHEN NEW.project_id = "
        f"{copy.id} BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
        if db.engine.dialect.name == "sqlite" else
        "CREATE FUNCTION no_codings() RETURNS trigger AS $$ BEGIN IF NEW.project_id = "
        f"{copy.id} THEN RAISE EXCEPTION 'the disk is full'; END IF; RETURN NEW; END $$ "
        "LANGUAGE plpgsql; CREATE TRIGGER no_codings BEFORE INSERT ON codings FOR EACH ROW "
        "EXECUTE FUNCTION no_codings()"))
    page = client_for(people["lead"]).post(
        f"/projects/{copy.id}/coding/exchange/import",
        data={"file": (io.BytesIO(data), "interview.qdpx")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "Failed" in page.text and "the disk is full" in page.text
    for model in (Interview, Recording, Transcript, Source, Coding):
        assert db.session.scalar(db.select(db.func.count()).select_from(model).where(
            model.project_id == copy.id)) == 0, model.__name__
    assert sorted(path for path in files_dir.rglob("*") if path.is_file()) == blobs
    # neither the upload nor the recording copied out of it is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == files
