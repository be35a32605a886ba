"""Sources: transcripts become sources when ready and keep segment times; edits of the
transcript or a document keep codings on their words; documents of every kind give their
text; a bad document leaves nothing behind."""

from __future__ import annotations

import pytest

from casestudies.models import Partnership
from coding.extraction import ExtractionError, extract_text
from coding.models import Coding, Source
from coding.sources import (
    SourceError,
    add_document_source,
    edit_document_text,
    links_of,
    source_of_transcript,
)
from fieldwork.extensions import db
from fieldwork.models import StoredFile
from interviews.transcripts import editing
from interviews.transcripts.models import Transcript, TranscriptSegment
from tests.access_samples import partnerships_sample, recordings_sample
from tests.coding.conftest import CHINESE, CZECH, POLISH
from tests.documents import docx_bytes, pdf_bytes

SEGMENTS = [
    ("Interviewer", 0.0, 4.0, "Why did Wrocław sign the agreement with Guangzhou?"),
    ("PL-CITY-12", 4.0, 12.5, "Mostly for investors. The mayor wanted direct flights too."),
    ("Interviewer", 12.5, 15.0, "And the national government?"),
]


@pytest.fixture
def transcript(project, people) -> Transcript:
    ids = recordings_sample(project, people)
    transcript = db.session.get(Transcript, ids["transcript_id"])
    transcript.segments.clear()
    db.session.flush()
    for position, (speaker, start, end, text) in enumerate(SEGMENTS):
        transcript.segments.append(TranscriptSegment(position=position, start=start, end=end,
                                                     speaker=speaker, text=text))
    db.session.flush()
    return transcript


def save(transcript, user, summary="edit"):
    editing.save_version(transcript, user, summary)


def test_a_transcript_becomes_a_source_when_marked_ready(transcript, people):
    save(transcript, people["interviewer"])
    assert source_of_transcript(transcript) is None
    editing.set_status(transcript, "ready", people["interviewer"])
    save(transcript, people["interviewer"], "Ready for coding")
    source = source_of_transcript(transcript)
    assert source.text.split("\n\n") == [text for *_, text in SEGMENTS]
    second = source.paragraphs[1]
    assert source.text[second["start"]:second["end"]] == SEGMENTS[1][3]
    assert (second["speaker"], second["t0"], second["t1"]) == ("PL-CITY-12", 4.0, 12.5)
    pseudonyms = [p.pseudonym for p in transcript.interview.participants]
    assert source.title.startswith(f"Interview with {', '.join(pseudonyms)}, ")


def test_editing_the_transcript_keeps_codings_on_their_words(transcript, people, make_code):
    editing.set_status(transcript, "ready", people["lead"])
    save(transcript, people["lead"])
    source = source_of_transcript(transcript)
    code = make_code("Economic goals")
    words = "Mostly for investors"
    start = source.text.index(words)
    coding = Coding(project_id=source.project_id, source_id=source.id, code_id=code.id,
                    coder_id=people["coder"].id, start=start, end=start + len(words))
    flights = source.text.index("direct flights")
    lost = Coding(project_id=source.project_id, source_id=source.id, code_id=code.id,
                  coder_id=people["coder"].id, start=flights, end=flights + len("direct flights"))
    db.session.add_all([coding, lost])
    db.session.flush()
    first = transcript.segments[0]
    editing.apply_edits(transcript, {
        first.id: editing.SegmentEdit("Why did the city of Wrocław sign it?", first.speaker),
        transcript.segments[1].id: editing.SegmentEdit("Mostly for investors. The mayor "
                                                       "wanted too.", "PL-CITY-12"),
    })
    save(transcript, people["interviewer"])
    assert source.text_version == 2
    assert source.text[coding.start:coding.end] == words
    assert lost.needs_review and lost.start == lost.end
    assert db.session.get(Coding, lost.id) is not None


def test_document_edits_keep_codings_and_flag_deleted_words(make_source, make_code,
                                                            code_words, people):
    source = make_source(POLISH)
    code = make_code("Staff")
    kept = code_words(source, code, "jedną osobę")
    gone = code_words(source, code, "w 2015 roku")
    new_text = POLISH.replace("Urząd miasta", "Dziś urząd miasta").replace(" w 2015 roku", "")
    flagged = edit_document_text(source, new_text, people["lead"])
    assert source.text[kept.start:kept.end] == "jedną osobę"
    assert flagged == [gone]
    with pytest.raises(SourceError, match="cannot be empty"):
        edit_document_text(source, "  \n ", people["lead"])


@pytest.mark.parametrize("name, data, expected", [
    ("agreement.docx", docx_bytes(POLISH.split("\n\n")[0], CZECH),
     [POLISH.split("\n\n")[0], CZECH]),
    ("notes.txt", (POLISH + "\r\n\r\n" + CHINESE).encode(), [*POLISH.split("\n\n"), CHINESE]),
    ("notes-cp1250.txt", CZECH.encode("cp1250"), [CZECH]),
    ("strategy.md",
     "# Strategia\n\nWspółpraca z **Chinami** i [USA](http://x.org).\n\n- szkoły\n".encode(),
     ["Strategia", "Współpraca z Chinami i USA.", "szkoły"]),
    ("page.html", "<html><head><style>p{}</style><script>x()</script></head><body><h1>Umowa"
     "</h1><p>Partnerstwo&nbsp;miast</p><p>广州</p></body></html>".encode(),
     ["Umowa", "Partnerstwo miast", "广州"]),
])
def test_text_comes_out_of_every_kind_of_document(name, data, expected):
    assert extract_text(name, data).split("\n\n") == expected


def test_pdf_text_keeps_polish_letters():
    text = extract_text("umowa.pdf", pdf_bytes("Umowa o współpracy", "Wrocław – Guangzhou"))
    assert "Umowa o współpracy" in text and "Wrocław" in text


@pytest.mark.parametrize("name, data, message", [
    ("agreement.doc", b"\xd0\xcf\x11\xe0old word", "not a kind of document"),
    ("broken.docx", b"PK\x03\x04 not really", "could not be opened"),
    ("broken.pdf", b"%PDF-1.4 garbage", "could not be read"),
    ("empty.html", b"<html><script>only()</script></html>", "holds no text"),
])
def test_unreadable_documents_are_refused_in_words(name, data, message):
    with pytest.raises(ExtractionError, match=message):
        extract_text(name, data)


def test_a_refused_document_leaves_nothing_behind(project, people, files_dir):
    files_before = db.session.scalar(db.select(db.func.count()).select_from(StoredFile))
    with pytest.raises(ExtractionError):
        add_document_source(project, "broken.pdf", b"%PDF-1.4 garbage", "", people["lead"])
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == files_before
    assert db.session.scalar(db.select(db.func.count()).select_from(Source)) == 0
    assert not [p for p in files_dir.rglob("*") if p.is_file() and "tmp" not in p.parts]


def test_links_come_through_the_interview_and_directly(transcript, project, people):
    editing.set_status(transcript, "ready", people["lead"])
    save(transcript, people["lead"])
    source = source_of_transcript(transcript)
    ids = partnerships_sample(project, people)
    partnership = db.session.get(Partnership, ids["partnership_id"])
    source.partnerships.append(partnership)
    links = links_of(source)
    assert links.interview.id == transcript.interview_id
    assert partnership in links.partnerships
