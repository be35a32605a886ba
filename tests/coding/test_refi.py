"""REFI-QDA exchange: exports valid against the standard's schemas (tests/data/refi), stable
GUIDs, no participant identity in any file, a round trip that loses nothing, files from other
tools with optional parts missing and parts Fieldwork cannot take, broken files that write
nothing, and who may do what through the pages."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from coding import refi
from coding.codebook import code_paths, codebook_history, project_codes
from coding.codings import Viewer, set_blind, set_coding_memo
from coding.memos import write_memo
from coding.models import Code, Coding, Memo, Source
from coding.refi.guids import guid as refi_guid
from coding.sources import add_transcript_source
from fieldwork.extensions import db
from fieldwork.models import AuditEntry
from interviews.participants import withdraw_consent
from interviews.transcripts.editing import set_status
from interviews.transcripts.models import Transcript, TranscriptSegment
from tests.access_samples import recordings_sample
from tests.coding.conftest import CHINESE, POLISH

SCHEMAS = Path(__file__).parents[1] / "data" / "refi"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
QDC = {"q": "urn:QDA-XML:codebook:1.0"}
#: beyond the Basic Multilingual Plane: one code point, two UTF-16 units
ASTRAL = "Umowa 🤝 z Chengdu podpisana; 𠀀 to rzadki znak."


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / "Project.xsd")


@pytest.fixture(scope="module")
def codebook_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / "Codebook.xsd")


def schema_errors(schema: xmlschema.XMLSchema, data: bytes) -> list[str]:
    return [str(error.reason) for error in schema.iter_errors(io.BytesIO(data))]


def lead_viewer(people) -> Viewer:
    return Viewer(people["lead"], "lead", blind=False)


@pytest.fixture
def coded(project, people, make_source, make_code, code_words):
    """A project with a code tree, three sources (Polish, Chinese, astral characters),
    attributes, codings by two coders and memos on the project, a source, a code and a
    coding."""
    goals = make_code("Goals", definition="Why cities cooperate.", colour="#1F77B4",
                      when_to_use="Stated aims.", when_not_to_use="Outcomes.",
                      example="“For investors.”")
    economic = make_code("Economic", parent=goals, colour="#FF7F0E",
                         definition="Trade, investment.\n\nAlso tourism.")
    staff = make_code("Staff", colour="#2CA02C")
    polish = make_source(POLISH, title="Notatki, Wrocław")
    polish.attributes = {"Partner country": "China", "Level": "City"}
    chinese = make_source(CHINESE, title="广州 notes")
    astral = make_source(ASTRAL, title="Chengdu")
    code_words(polish, economic, "Guangzhou", coder="coder")
    code_words(polish, staff, "jedną osobę", coder="lead")
    memo_coding = code_words(chinese, economic, "友好城市协议", coder="coder")
    code_words(chinese, goals, "教育和交通", coder="lead")
    code_words(astral, goals, "z Chengdu", coder="coder")
    code_words(astral, staff, "rzadki znak", coder="lead")
    set_coding_memo(memo_coding, "Key passage:\r\nthe agreement itself.", people["coder"])
    write_memo(project, people["lead"], "Plan", "Compare with US partners.")
    write_memo(project, people["coder"], "On the Polish notes", "One officer only.",
               source=polish)
    write_memo(project, people["lead"], "", "Check against the starter codebook.", code=goals)
    db.session.flush()
    return project


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_codebook_export_is_valid_stable_and_nested(coded, people, codebook_schema):
    first = refi.codebook_qdc(coded, people["lead"])
    assert schema_errors(codebook_schema, first) == []
    assert refi.codebook_qdc(coded, people["lead"]) == first
    text = first.decode()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook '
                           'xmlns="urn:QDA-XML:codebook:1.0"')
    guids = re.findall(r'guid="([^"]+)"', text)
    assert len(guids) == 3 and all(GUID.match(value) for value in guids)
    tree = ElementTree.fromstring(first)
    tops = tree.findall("q:Codes/q:Code", QDC)
    assert [(code.get("name"), [child.get("name") for child in code.findall("q:Code", QDC)])
            for code in tops] == [("Goals", ["Economic"]), ("Staff", [])]
    assert ("<Description>Why cities cooperate.\n\nWhen to use: Stated aims.\n\n"
            "When not to use: Outcomes.\n\nExample: “For investors.”</Description>") in text
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "refi.export_codebook"))
    assert entry.summary.endswith("3 codes") and entry.project_id == coded.id


def test_project_export_is_valid_with_code_point_positions(coded, people, project_schema):
    export = refi.project_qdpx(coded, lead_viewer(people))
    files = unpack(export.data)
    qde = files["project.qde"]
    assert not qde.startswith(b"\xef\xbb\xbf")
    assert schema_errors(project_schema, qde) == []
    assert (export.sources, export.codings, export.memos) == (3, 6, 4)
    assert sorted(name for name in files if name != "project.qde") == sorted(
        f"sources/{guid}.txt" for guid in re.findall(r'plainTextPath="internal://([^"]+)\.txt"',
                                                     qde.decode()))
    texts = {}
    for match in re.finditer(r'<TextSource guid="([^"]+)" name="([^"]+)"', qde.decode()):
        texts[match.group(1)] = files[f"sources/{match.group(1)}.txt"].decode("utf-8")
    assert sorted(texts.values()) == sorted([POLISH, CHINESE, ASTRAL])
    selected = []
    for source_xml in re.findall(r"<TextSource .*?</TextSource>", qde.decode(), re.S):
        text = texts[re.search(r'guid="([^"]+)"', source_xml).group(1)]
        for start, end in re.findall(r'startPosition="(\d+)" endPosition="(\d+)"', source_xml):
            selected.append(text[int(start):int(end)])
    assert sorted(selected) == sorted(["Guangzhou", "jedną osobę", "友好城市协议", "教育和交通",
                                       "z Chengdu", "rzadki znak"])
    assert "Key passage:&#13;\nthe agreement itself." in qde.decode()
    assert refi.project_qdpx(coded, lead_viewer(people)).data != b""
    assert unpack(refi.project_qdpx(coded, lead_viewer(people)).data)["project.qde"] == qde


@pytest.fixture
def interview_source(project, people):
    """A transcript source whose participant has a real name and email on record."""
    ids = recordings_sample(project, people)
    transcript = db.session.get(Transcript, ids["transcript_id"])
    transcript.segments = [TranscriptSegment(position=0, start=0.0, end=4.0, speaker="Speaker 1",
                                             text="We signed with Guangzhou for investors.")]
    set_status(transcript, "ready", people["lead"])
    participant = transcript.interview.participants[0]
    participant.name, participant.email = "Jan Kowalski", "jan.kowalski@wroclaw.pl"
    participant.phone = "+48 600 100 200"
    db.session.flush()
    return add_transcript_source(transcript, people["lead"])


def test_exports_never_hold_participant_identities(project, people, interview_source,
                                                    make_code, code_words):
    code_words(interview_source, make_code("Investment"), "for investors")
    write_memo(project, people["lead"], "Interview", "Good answers.", source=interview_source)
    data = refi.project_qdpx(project, lead_viewer(people)).data
    members = unpack(data)
    recordings = [name for name in members if name.endswith(".wav")]
    everything = b"".join(content for name, content in members.items()
                          if name not in recordings).decode("utf-8")
    assert interview_source.title in everything and "for investors" in everything
    assert len(recordings) == 1 and b"Kowalski" not in members[recordings[0]]
    for identity in ("Jan Kowalski", "Kowalski", "jan.kowalski@wroclaw.pl", "600 100 200",
                     people["lead"].email, people["coder"].email):
        assert identity not in everything


def test_withdrawn_participants_transcripts_are_left_out(project, people, interview_source,
                                                          make_code, code_words, make_source):
    code_words(interview_source, make_code("Investment"), "for investors")
    make_source(POLISH, title="Notes")
    withdraw_consent(interview_source.interview.participants[0], date(2026, 4, 1))
    export = refi.project_qdpx(project, lead_viewer(people))
    assert export.left_out == [interview_source.title]
    assert (export.sources, export.codings) == (1, 0)
    assert "for investors" not in b"".join(unpack(export.data).values()).decode()


def test_blind_coding_exports_only_the_coders_own_codings(coded, people):
    set_blind(coded, True, people["lead"])
    mine = refi.project_qdpx(coded, Viewer(people["coder"], "coder", blind=True))
    everyone = refi.project_qdpx(coded, lead_viewer(people))
    assert (mine.codings, everyone.codings) == (3, 6)
    lead = f'creatingUser="{refi_guid(coded.id, "user", people["lead"].id)}"'
    qde = unpack(mine.data)["project.qde"].decode()
    selections = re.findall(r"<PlainTextSelection [^>]*>", qde)
    assert len(selections) == 3 and not any(lead in selection for selection in selections)


def snapshot(project) -> dict:
    """Everything the round trip must keep, without ids."""
    paths = code_paths(project)
    codes = {paths[code.id]: (code.colour, code.definition, code.when_to_use,
                              code.when_not_to_use, code.example, code.position)
             for code in project_codes(project)}
    sources = {s.title: (s.text, s.attributes) for s in db.session.scalars(
        db.select(Source).where(Source.project_id == project.id))}
    codings = sorted((c.source.title, paths[c.code_id], c.coder.name, c.start, c.end, c.quote)
                     for c in db.session.scalars(db.select(Coding).where(
                         Coding.project_id == project.id)))
    memos = sorted((m.attached_to, m.source.title if m.source else "",
                    paths.get(m.code_id, ""), m.coding.quote if m.coding else "", m.title,
                    m.body, m.author.name)
                   for m in db.session.scalars(db.select(Memo).where(
                       Memo.project_id == project.id)))
    return {"codes": codes, "sources": sources, "codings": codings, "memos": memos}


def test_round_trip_into_an_empty_project_loses_nothing(coded, people, make_project):
    data = refi.project_qdpx(coded, lead_viewer(people)).data
    copy = make_project("Copy", lead=people["lead"], coder=people["coder"])
    report = refi.import_project(copy, data, "coded.qdpx", people["lead"])
    db.session.flush()
    assert snapshot(copy) == snapshot(coded)
    assert (report.sources, report.codings, report.memos, report.codes_added) == (3, 6, 4, 3)
    assert report.unmatched == [] and report.skipped == {}
    assert sorted(report.matched) == [("Coder", "Coder"), ("Lead", "Lead")]
    assert codebook_history(copy)[0].action == "imported"
    assert db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "refi.import_project", AuditEntry.project_id == copy.id))
    again = refi.project_qdpx(copy, lead_viewer(people))
    assert (again.sources, again.codings, again.memos) == (3, 6, 4)


def minimal_qdpx(qde: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Other Tool Project.qde", qde.encode("utf-8"))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


#: as another program might write it: no Users for one coder, colours missing or in other
#: notations, a category, text inline and in a file (with BOM and CRLF), a selection with a
#: description, and pictures, a PDF without a text version, audio and a set Fieldwork skips
OTHER_TOOL = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Städte" origin="OtherTool 2.1">
 <Users>
  <User guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Anna Nowak"/>
  <User guid="aaaaaaaa-0000-0000-0000-000000000002" name="Someone" id="EMAIL"/>
 </Users>
 <CodeBook><Codes>
  <Code guid="c0000000-0000-0000-0000-000000000001" name="Motives" isCodable="false">
   <Code guid="c0000000-0000-0000-0000-000000000002" name="Money" isCodable="true"
         color="#FFAA00"/>
  </Code>
  <Code guid="c0000000-0000-0000-0000-000000000003" name="People" isCodable="true">
   <Description>Who acts.</Description>
  </Code>
 </Codes></CodeBook>
 <Variables>
  <Variable guid="70000000-0000-0000-0000-000000000001" name="Country" typeOfVariable="Text"/>
  <Variable guid="70000000-0000-0000-0000-000000000002" name="Population"
            typeOfVariable="Integer"/>
  <Variable guid="70000000-0000-0000-0000-000000000003" name="Capital"
            typeOfVariable="Boolean"/>
 </Variables>
 <Cases>
  <Case guid="71000000-0000-0000-0000-000000000001" name="Brno">
   <VariableValue>
    <VariableRef targetGUID="70000000-0000-0000-0000-000000000001"/>
    <TextValue>Czechia</TextValue>
   </VariableValue>
   <VariableValue>
    <VariableRef targetGUID="70000000-0000-0000-0000-000000000002"/>
    <IntegerValue>380000</IntegerValue>
   </VariableValue>
   <SourceRef targetGUID="50000000-0000-0000-0000-000000000001"/>
  </Case>
 </Cases>
 <Sources>
  <TextSource guid="50000000-0000-0000-0000-000000000001" name="Inline">
   <PlainTextContent>Money talks in Brno.</PlainTextContent>
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000001" startPosition="0"
                       endPosition="5" creatingUser="aaaaaaaa-0000-0000-0000-000000000001">
    <Description>Classic.</Description>
    <Coding guid="52000000-0000-0000-0000-000000000001">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000002"/>
    </Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000002" startPosition="3"
                       endPosition="3">
    <Coding guid="52000000-0000-0000-0000-000000000002">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000002"/>
    </Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000008" startPosition="6"
                       endPosition="11"/>
  </TextSource>
  <TextSource guid="50000000-0000-0000-0000-000000000002" name="From a file"
              plainTextPath="file two.txt">
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000003" startPosition="25"
                       endPosition="33">
    <Coding guid="52000000-0000-0000-0000-000000000003"
            creatingUser="aaaaaaaa-0000-0000-0000-000000000002">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000003"/>
    </Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="51000000-0000-0000-0000-000000000004" startPosition="20"
                       endPosition="99">
    <Coding guid="52000000-0000-0000-0000-000000000004">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000003"/>
    </Coding>
   </PlainTextSelection>
   <NoteRef targetGUID="80000000-0000-0000-0000-000000000001"/>
   <VariableValue>
    <VariableRef targetGUID="70000000-0000-0000-0000-000000000003"/>
    <BooleanValue>false</BooleanValue>
   </VariableValue>
  </TextSource>
  <PictureSource guid="50000000-0000-0000-0000-000000000003" name="Photo"
                 path="internal://photo.jpg">
   <PictureSelection guid="51000000-0000-0000-0000-000000000005" firstX="0" firstY="0"
                     secondX="5" secondY="5"/>
  </PictureSource>
  <PDFSource guid="50000000-0000-0000-0000-000000000004" name="Agreement"
             path="internal://a.pdf">
   <PDFSelection guid="51000000-0000-0000-0000-000000000006" page="1" firstX="0"
                 firstY="0" secondX="5" secondY="5"/>
  </PDFSource>
  <PDFSource guid="50000000-0000-0000-0000-000000000006" name="Agreement text"
             path="internal://b.pdf">
   <Representation guid="50000000-0000-0000-0000-000000000007"
                   plainTextPath="internal://50000000-0000-0000-0000-000000000007.txt">
    <PlainTextSelection guid="51000000-0000-0000-0000-000000000009" startPosition="0"
                        endPosition="9">
     <Coding guid="52000000-0000-0000-0000-000000000009">
      <CodeRef targetGUID="c0000000-0000-0000-0000-000000000003"/>
     </Coding>
    </PlainTextSelection>
   </Representation>
  </PDFSource>
  <AudioSource guid="50000000-0000-0000-0000-000000000005" name="Call"
               path="internal://call.m4a">
   <AudioSelection guid="51000000-0000-0000-0000-000000000007" begin="0" end="1000"/>
  </AudioSource>
 </Sources>
 <Notes>
  <Note guid="80000000-0000-0000-0000-000000000001" name="About the file"
        creatingUser="{AAAAAAAA-0000-0000-0000-000000000001}"
        creationDateTime="2025-05-01T10:00:00Z">
   <PlainTextContent>Second interview.</PlainTextContent>
  </Note>
  <Note guid="80000000-0000-0000-0000-000000000002" name="Overall">
   <PlainTextContent>Project note.</PlainTextContent>
  </Note>
 </Notes>
 <Sets>
  <Set guid="60000000-0000-0000-0000-000000000001" name="Favourites"/>
 </Sets>
 <NoteRef targetGUID="80000000-0000-0000-0000-000000000002"/>
</Project>
"""
FILE_TWO = "First line.\r\nThen people act: mayors.\r\n"
PDF_TEXT = "sources/50000000-0000-0000-0000-000000000007.txt"


def test_a_minimal_file_from_another_tool(project, people, project_schema):
    qde = OTHER_TOOL.replace("EMAIL", people["coder"].email)
    assert schema_errors(project_schema, qde.encode()) == []
    data = minimal_qdpx(qde, {"Sources/file two.txt": b"\xef\xbb\xbf" + FILE_TWO.encode(),
                              PDF_TEXT: b"Agreement between Brno and Dallas."})
    report = refi.import_project(project, data, "other.qdpx", people["lead"])
    db.session.flush()
    codes = {code.name: code for code in project_codes(project)}
    assert codes["Money"].parent_id == codes["Motives"].id
    assert codes["Money"].colour == "#FFAA00" and codes["People"].colour == "#FFE08A"
    assert codes["People"].definition == "Who acts."
    sources = {s.title: s for s in db.session.scalars(db.select(Source).where(
        Source.project_id == project.id))}
    assert sources["From a file"].text == "First line.\nThen people act: mayors.\n"
    codings = {c.quote: c for c in db.session.scalars(db.select(Coding).where(
        Coding.project_id == project.id))}
    assert set(codings) == {"Money", "act: may", "Agreement"}
    assert sources["Agreement text"].text == "Agreement between Brno and Dallas."
    assert sources["Inline"].attributes == {"Country": "Czechia", "Population": "380000"}
    assert sources["From a file"].attributes == {"Capital": "false"}
    about = db.session.scalar(db.select(Memo).where(Memo.source_id == sources["From a file"].id))
    anna = codings["Money"].coder
    assert (anna.name, anna.external, anna.active, anna.password_hash) == (
        "Anna Nowak", True, False, "")
    assert (about.title, about.body, about.author_id, about.created_at.year) == (
        "About the file", "Second interview.", anna.id, 2025)
    overall = db.session.scalar(db.select(Memo).where(Memo.title == "Overall"))
    assert (overall.attached_to, overall.body) == ("project", "Project note.")
    assert codings["act: may"].coder_id == people["coder"].id
    memo = db.session.scalar(db.select(Memo).where(Memo.coding_id == codings["Money"].id))
    assert memo.body == "Classic."
    assert db.session.scalar(db.select(db.func.count()).select_from(Memo).where(
        Memo.project_id == project.id, Memo.body.like("%Coded by%"))) == 0
    assert report.unmatched == [("Anna Nowak", 1)]
    assert report.matched == [("Someone", people["coder"].name)]
    assert report.skipped == {
        "empty selections (no characters)": 1, "selections without a code": 1,
        "selections outside their source's text": 1,
        "picture sources": 1, "picture selections": 1, "PDF sources without a text version": 1,
        "PDF selections (areas of a page)": 1, "audio sources without a transcript": 1,
        "audio selections": 1,
        "sets": 1}


def test_codebook_import_keeps_codes_already_there(project, people, make_code,
                                                   codebook_schema):
    goals = make_code("Goals", definition="Ours.", colour="#123456")
    qdc = b"""<?xml version="1.0"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="NVivo">
 <Codes>
  <Code guid="{11111111-1111-1111-1111-111111111111}" name="goals" isCodable="true"
        color="#abcdef">
   <Description>Theirs.</Description>
   <Code guid="22222222-2222-2222-2222-222222222222" name="Symbolic" isCodable="true"
         color="#F0A"/>
  </Code>
  <Code guid="33333333-3333-3333-3333-333333333333" name="Barriers" isCodable="true"/>
 </Codes>
 <Sets><Set guid="44444444-4444-4444-4444-444444444444" name="All"/></Sets>
</CodeBook>"""
    report = refi.import_codebook(project, qdc, "nvivo.qdc", people["lead"])
    assert (report.codes_added, report.codes_kept) == (2, 1)
    assert report.skipped == {"sets of codes": 1}
    assert (goals.definition, goals.colour) == ("Ours.", "#123456")
    paths = sorted(code_paths(project).values())
    assert paths == ["Barriers", "Goals", "Goals › Symbolic"]
    symbolic = db.session.scalar(db.select(Code).where(Code.name == "Symbolic"))
    assert symbolic.colour == "#FF00AA"
    change = codebook_history(project)[0]
    assert change.action == "imported" and "2 codes added" in change.summary
    again = refi.import_codebook(project, refi.codebook_qdc(project, people["lead"]),
                                 "again.qdc", people["lead"])
    assert (again.codes_added, again.codes_kept) == (0, 3)


def url(project, rest=""):
    return f"/projects/{project.id}/coding/{rest}"


def counts(project) -> tuple[int, ...]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model).where(
        model.project_id == project.id)) for model in (Source, Code, Coding, Memo))


def upload(client, project, data: bytes, name: str, where: str = "exchange/import"):
    """Post the file; an accepted one is imported by a background task (run at once in the
    tests), whose page is followed to."""
    return client.post(url(project, where), data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def valid_project_file(people) -> bytes:
    return minimal_qdpx(OTHER_TOOL.replace("EMAIL", people["coder"].email),
                        {"sources/file two.txt": FILE_TWO.encode(),
                         PDF_TEXT: b"Agreement between Brno and Dallas."})


CORRUPTED = "a valid file with bytes flipped inside its first entry"


@pytest.mark.parametrize(("data", "message"), [
    (b"not a zip at all", "This is not a .qdpx file"),
    (CORRUPTED, "damaged and cannot be unpacked"),
    ("<Project name='x'><Sources></Project>", "not well-formed XML: mismatched tag at line 1"),
    ("<Project name='x'>\n<Sources>\n<TextSource guid='50000000-0000-0000-0000-000000000001'>"
     "<PlainTextContent>Words</PlainTextContent>\n"
     "<PlainTextSelection guid='51000000-0000-0000-0000-000000000001' startPosition='0' "
     "endPosition='3'><Coding guid='52000000-0000-0000-0000-000000000001'>\n"
     "<CodeRef targetGUID='c0000000-0000-0000-0000-000000000009'/></Coding>"
     "</PlainTextSelection></TextSource></Sources></Project>",
     "At line 5, &lt;CodeRef&gt;: the coding refers to a code that is not in the file"),
    ("<CodeBook/>", "is not a REFI-QDA project"),
])
def test_broken_project_files_say_what_is_wrong_and_write_nothing(
        project, people, client_for, data, message):
    if data == CORRUPTED:
        whole = valid_project_file(people)
        data = whole[:30] + bytes(b ^ 0xFF for b in whole[30:60]) + whole[60:]
    elif isinstance(data, str):
        data = minimal_qdpx(data, {})
    response = upload(client_for(people["lead"]), project, data, "broken.qdpx")
    assert response.request.path.startswith(f"/projects/{project.id}/tasks/")
    assert "Failed: Nothing was imported." in response.text and message in response.text
    assert counts(project) == (0, 0, 0, 0)
    assert db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action.like("refi.%"))) is None


def test_a_broken_codebook_says_where_and_writes_nothing(project, people, client_for):
    client = client_for(people["lead"])
    broken = b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes>\n<Code guid="x" name="A"'
    response = upload(client, project, broken, "broken.qdc", "codebook/import")
    assert "Failed: Nothing was imported." in response.text
    assert "not well-formed XML: unclosed token at line 3" in response.text
    nameless = (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n<Code guid="'
                b'11111111-1111-1111-1111-111111111111" name="Fine" isCodable="true"/>\n'
                b'<Code guid="22222222-2222-2222-2222-222222222222" name=" " '
                b'isCodable="true"/></Codes></CodeBook>')
    response = upload(client, project, nameless, "nameless.qdc", "codebook/import")
    assert "At line 3, &lt;Code&gt;: a code has no name." in response.text
    doctype = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><CodeBook/>'
    assert "declares a document type" in upload(client, project, doctype, "x.qdc",
                                                 "codebook/import").text
    assert counts(project) == (0, 0, 0, 0)
    assert codebook_history(project) == []


def test_pages_and_permissions(coded, people, client_for, make_project):
    viewer = client_for(people["viewer"]).get(url(coded, "exchange"))
    assert viewer.status_code == 200 and "Exports are made by the lead and the coders" in (
        viewer.text)
    assert "exchange/export" not in viewer.text
    for role in ("viewer", "interviewer"):
        client = client_for(people[role])
        assert client.post(url(coded, "exchange/export")).status_code == 403
        assert client.get(url(coded, "codebook/export.qdc")).status_code == 403
    assert client_for(people["outsider"]).get(url(coded, "exchange")).status_code == 404
    coder = client_for(people["coder"])
    task_page = coder.post(url(coded, "exchange/export"), follow_redirects=True)
    assert "REFI-QDA project export (.qdpx)" in task_page.text and "Ready" in task_page.text
    download = coder.get(f"{task_page.request.path}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "project.qde" in unpack(download.data)
    qdc = coder.get(url(coded, "codebook/export.qdc"))
    assert qdc.status_code == 200 and b"<CodeBook" in qdc.data
    assert coder.get(url(coded, "codebook/import")).status_code == 403
    assert upload(coder, coded, b"x", "x.qdpx").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "refi.export_project", AuditEntry.user_id == people["coder"].id)) == 1

    lead = client_for(people["lead"])
    codebook_page = lead.get(url(coded, "codebook/"))
    assert "Export codebook (.qdc)" in codebook_page.text
    assert "Import a codebook" in codebook_page.text
    assert "already has sources" in lead.get(url(coded, "exchange")).text
    refused = upload(lead, coded, download.data, "again.qdpx")
    assert refused.status_code == 400 and "already has sources" in refused.text

    fresh = make_project("Fresh", lead=people["lead"])
    page = lead.get(url(fresh, "exchange"))
    assert "Import a .qdpx into this project" in page.text and "has no sources yet" in page.text
    imported = upload(lead, fresh, download.data, "coded.qdpx")
    assert imported.status_code == 200 and "Project import of “coded.qdpx”" in imported.text
    assert "“coded.qdpx” imported (made with Fieldwork)" in imported.text
    assert "3 sources, 6 codings, 4 memos" in imported.text
    assert counts(fresh) == (3, 3, 6, 4)

    newcomer = make_project("Codes only", lead=people["lead"])
    form = lead.get(url(newcomer, "codebook/import"))
    assert form.status_code == 200 and "Import the codebook" in form.text
    assert upload(lead, newcomer, b"", "empty.qdc", "codebook/import").status_code == 400
    added = upload(lead, newcomer, qdc.data, "codes.qdc", "codebook/import")
    assert added.status_code == 200 and "3 codes added" in added.text
    assert "Go to the codebook" in added.text
