"""Exports of coded excerpts, codings and the codebook: the files opened as a reader would open
them (python-docx, openpyxl, csv), consent and roles in each, and the Exports page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from casestudies.models import Partnership, Place
from coding.codings import set_blind, set_coding_memo
from coding.exports import ExportError, ExportOptions, make_export
from coding.exports.tables import ATTRIBUTE, COLUMNS
from coding.models import Code, Coding, Source
from coding.quotebank import add_quote
from coding.sources import add_transcript_source
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from interviews.participants import (
    ParticipantData,
    create_participant,
    record_consent,
    withdraw_consent,
)
from interviews.scheduling import InterviewPlan, create_interview
from interviews.transcripts.models import Transcript, TranscriptSegment
from tests.access_samples import partnerships_sample, recordings_sample
from tests.coding.conftest import CHINESE

NAME = "Anna Kowalska"
WITHDRAWN_WORDS = "Nie chcę, żeby to było cytowane."
FORMULA = "=SUM(A1:A9) was the budget line"


@dataclass
class Study:
    """Ids of what the tests export."""

    business: int
    investment: int
    institutions: int
    named_source: int
    withdrawn_source: int
    document: int
    sample_source: int
    named_pseudonym: str
    memo_coding: int


#: Polish cities of over 500,000 besides Wrocław, so that "a Polish city of over 500,000"
#: fits several places of the gazetteer
OTHER_CITIES = {"Warsaw": 1_702_139, "Kraków": 755_050, "Łódź": 768_755, "Poznań": 570_352}


def wroclaw() -> Place:
    place = db.session.scalar(db.select(Place).where(Place.key == "test:wroclaw"))
    if place is None:
        place = Place(key="test:wroclaw", kind="city", name="Wrocław", name_local="Wrocław",
                      country_code="PL", population=672_929, is_eu=True, is_cee=True,
                      timezone="Europe/Warsaw", alternate_names=["Breslau", "弗罗茨瓦夫"])
        db.session.add(place)
        db.session.add_all(Place(key=f"test:{name}", kind="city", name=name, country_code="PL",
                                 population=population, is_eu=True, is_cee=True)
                           for name, population in OTHER_CITIES.items())
        db.session.flush()
    return place


def interview_source(project: Project, lead: User, name: str, attribution: str,
                     segments: list[str]) -> Source:
    """A transcript source of an interview in Wrocław with one participant."""
    participant = create_participant(project, ParticipantData(
        organisation="Wrocław City Hall", organisation_type="eu_city_region",
        role="head of the international relations office", place=wroclaw(), name=name))
    record_consent(participant, recording_allowed=True, attribution=attribution,
                   given_on=date(2026, 3, 1), retention="project", user=None)
    interview = create_interview(project, InterviewPlan(
        local_start=datetime(2026, 3, 16, 10), timezone="Europe/Warsaw", place=wroclaw(),
        participants=[participant]), None)
    transcript = Transcript(project_id=project.id, interview_id=interview.id, language="pl",
                            status="ready")
    transcript.segments = [
        TranscriptSegment(position=n, start=n * 10.0, end=n * 10.0 + 10, speaker=speaker,
                          text=text)
        for n, (speaker, text) in enumerate(
            zip(["Interviewer", participant.pseudonym] * len(segments), segments,
                strict=False))]
    db.session.add(transcript)
    db.session.flush()
    return add_transcript_source(transcript, lead)


@pytest.fixture
def study(project, people, make_source, make_code, code_words) -> Study:
    lead = people["lead"]
    areas = make_code("Areas of cooperation", definition="What the cooperation is about.")
    business = make_code("Business", areas, definition="Trade and investment.",
                         when_to_use="Companies, chambers, trade fairs.",
                         when_not_to_use="Culture.", example="„Inwestycje z Guangzhou”")
    investment = make_code("Investment", business)
    institutions = make_code("Institutionalisation")
    make_code("Unused")
    sample = add_transcript_source(db.session.get(
        Transcript, recordings_sample(project, people)["transcript_id"]), lead)
    named = interview_source(project, lead, NAME, "named", [
        "Jak zaczęła się współpraca?",
        "Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku.",
        "Urząd miasta ma jedną osobę do spraw partnerstw zagranicznych."])
    withdrawn = interview_source(project, lead, "Jan Nowak", "role",
                                 ["Czy można cytować?", WITHDRAWN_WORDS])
    withdraw_consent(withdrawn.interview.participants[0], date(2026, 4, 1), "changed mind")
    document = make_source(f"{CHINESE}\n\n{FORMULA}", title="广州协议 (agreement)")
    document.attributes = {"Partner country": "China", "Level": "City"}
    document.partnerships.append(db.session.get(
        Partnership, partnerships_sample(project, people)["partnership_id"]))

    memo_coding = code_words(named, business, "zaczęła się w 2015 roku")
    code_words(named, investment, "Guangzhou")
    code_words(named, institutions, "jedną osobę do spraw partnerstw", coder="lead")
    code_words(withdrawn, business, WITHDRAWN_WORDS)
    code_words(document, business, "双方在教育和交通领域合作")
    code_words(document, institutions, FORMULA, coder="lead")
    code_words(sample, institutions, "Hello.")
    set_coding_memo(memo_coding, "Key passage for chapter 2.", people["coder"])
    db.session.flush()
    return Study(business.id, investment.id, institutions.id, named.id, withdrawn.id,
                 document.id, sample.id, named.interview.participants[0].pseudonym,
                 memo_coding.id)


def export(project, people, role, **options):
    user = people[role]
    return make_export(project, ExportOptions(**options), user, role,
                       may_see_identity=role in ("lead", "interviewer"))


def csv_rows(download) -> list[dict[str, str]]:
    with download.content as file:
        text = file.read().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def docx_of(download):
    return Document(io.BytesIO(download.content))


def all_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def headings(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs
            if p.style.name.startswith("Heading")]


def quotes_and_citations(document) -> list[tuple[str, str]]:
    paragraphs = document.paragraphs
    return [(p.text, paragraphs[n + 1].text) for n, p in enumerate(paragraphs)
            if p.style.name == "Quote"]


def test_word_excerpts_follow_the_code_tree_and_leave_out_withdrawn_participants(
        project, people, study):
    download = export(project, people, "lead", what="excerpts_docx")
    document = docx_of(download)
    assert headings(document) == [
        ("Heading 1", "Areas of cooperation"), ("Heading 2", "Business"),
        ("Heading 3", "Investment"), ("Heading 1", "Institutionalisation")]
    quoted = quotes_and_citations(document)
    texts = [text for text, _ in quoted]
    assert "zaczęła się w 2015 roku" in texts and "双方在教育和交通领域合作" in texts
    assert texts.index("zaczęła się w 2015 roku") < texts.index("Guangzhou")
    assert WITHDRAWN_WORDS not in all_text(document)
    citation = dict(quoted)["Guangzhou"]
    assert citation == (f"— {NAME}, head of the international relations office, Wrocław City "
                        f"Hall, Wrocław (16 March 2026) [{study.named_pseudonym}, 00:00:14]")
    assert dict(quoted)["双方在教育和交通领域合作"] == "— 广州协议 (agreement) [para. 1]"
    first_page = [p.text for p in document.paragraphs[:4]]
    assert document.paragraphs[0].style.name == "Title"
    assert "1 excerpt was left out: the participants quoted withdrew their consent" in \
        " ".join(first_page)
    table = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert table["Project"] == "EU–China cities"
    assert table["Excerpts"] == "6 from 3 sources"
    assert table["Memos"] == "not included"
    assert "Key passage" not in all_text(document)
    assert (download.excerpts, download.left_out) == (6, 1)


def test_a_coder_sees_pseudonyms_and_roles_never_names(project, people, study):
    for what in ("excerpts_docx", "excerpts_md", "codings_csv"):
        download = export(project, people, "coder", what=what)
        text = (all_text(docx_of(download)) if what == "excerpts_docx" else
                download.content if what == "excerpts_md" else
                "".join(row["Citation"] + row["Words"] for row in csv_rows(download)))
        assert NAME not in text and "Kowalska" not in text, what
        assert (f"A city official in a Polish city of over 500,000 "
                f"[{study.named_pseudonym}, 00:00:14]") in text, what
        assert "Wrocław City Hall" not in text and "March 2026" not in text, what
        assert WITHDRAWN_WORDS not in text, what


def test_word_excerpts_by_chapter_in_the_quote_banks_order(project, people, study):
    lead = people["lead"]
    codings = {c.quote: c for c in db.session.scalars(db.select(Coding))}
    add_quote(project, codings["Hello."], "2. Motivations", "", lead)
    add_quote(project, codings["双方在教育和交通领域合作"], "1. Models", "Opening quote", lead)
    add_quote(project, codings["zaczęła się w 2015 roku"], "1. Models", "", lead)
    add_quote(project, codings[WITHDRAWN_WORDS], "1. Models", "", lead)
    add_quote(project, codings["Guangzhou"], "", "", lead)

    document = docx_of(export(project, people, "lead", what="excerpts_docx", group="chapter",
                              memos=True))
    assert headings(document) == [("Heading 1", "1. Models"), ("Heading 1", "2. Motivations"),
                                  ("Heading 1", "Not yet in a chapter")]
    quoted = quotes_and_citations(document)
    assert [text for text, _ in quoted] == [
        "双方在教育和交通领域合作", "zaczęła się w 2015 roku", "Hello.", "Guangzhou"]
    assert quoted[0][1] == "— 广州协议 (agreement) [para. 1] · Areas of cooperation › Business"
    paragraphs = [p.text for p in document.paragraphs]
    assert "Note: Opening quote" in paragraphs
    assert "Memo: Key passage for chapter 2." in paragraphs
    assert "1 excerpt was left out" in " ".join(paragraphs[:4])

    one_chapter = docx_of(export(project, people, "lead", what="excerpts_docx",
                                 group="chapter", chapter="2. Motivations"))
    assert [text for text, _ in quotes_and_citations(one_chapter)] == ["Hello."]
    with pytest.raises(ExportError, match=r"no chapter “3\. Effects”"):
        export(project, people, "lead", what="excerpts_docx", group="chapter",
               chapter="3. Effects")


def test_chosen_codes_bring_their_sub_codes_and_chosen_sources_narrow(project, people, study):
    document = docx_of(export(project, people, "coder", what="excerpts_docx",
                              code_ids=(study.business,), memos=True))
    assert [text for _, text in headings(document)] == [
        "Areas of cooperation", "Business", "Investment"]
    assert "Memo: Key passage for chapter 2." in [p.text for p in document.paragraphs]
    document = docx_of(export(project, people, "coder", what="excerpts_docx",
                              source_ids=(study.document,)))
    assert [text for text, _ in quotes_and_citations(document)] == [
        "双方在教育和交通领域合作", FORMULA]
    with pytest.raises(ExportError, match="no longer in the codebook"):
        export(project, people, "coder", what="excerpts_docx", code_ids=(999_999,))


def test_the_same_words_coded_by_two_coders_are_one_excerpt_but_two_codings(
        project, people, study, code_words):
    source = db.session.get(Source, study.named_source)
    business = db.session.get(Code, study.business)
    twice = code_words(source, business, "zaczęła się w 2015 roku", coder="lead")
    set_coding_memo(twice, "Compare with Brno.", people["lead"])
    download = export(project, people, "lead", what="excerpts_docx", memos=True)
    document = docx_of(download)
    texts = [text for text, _ in quotes_and_citations(document)]
    assert texts.count("zaczęła się w 2015 roku") == 1 and download.excerpts == 6
    paragraphs = [p.text for p in document.paragraphs]
    assert "Memo: Key passage for chapter 2.\nCompare with Brno." in paragraphs
    rows = csv_rows(export(project, people, "lead", what="codings_csv"))
    assert [row["Coder"] for row in rows if row["Words"] == "zaczęła się w 2015 roku"] == [
        "Coder", "Lead"]


def test_blind_coding_exports_only_the_coders_own_codings(project, people, study):
    set_blind(project, True, people["lead"])
    rows = csv_rows(export(project, people, "coder", what="codings_csv"))
    assert {row["Coder"] for row in rows} == {"Coder"}
    rows = csv_rows(export(project, people, "lead", what="codings_csv"))
    assert {row["Coder"] for row in rows} == {"Coder", "Lead"}


def test_codings_csv_has_every_attribute(project, people, study):
    download = export(project, people, "coder", what="codings_csv")
    rows = csv_rows(download)
    header = list(rows[0].keys())
    assert header == [*COLUMNS, f"{ATTRIBUTE}Level", f"{ATTRIBUTE}Partner country"]
    assert len(rows) == 6 and download.excerpts == 6 and download.left_out == 1
    by_words = {row["Words"]: row for row in rows}
    assert WITHDRAWN_WORDS not in by_words
    chinese = by_words["双方在教育和交通领域合作"]
    assert chinese["Code path"] == "Areas of cooperation › Business"
    assert chinese["Source kind"] == "Document" and chinese["Coder"] == "Coder"
    assert (chinese["Places"], chinese["Place countries"], chinese["Places in CEE"],
            chinese["Place populations"]) == ("Sample City", "PL", "yes", "100000")
    assert chinese["Partnerships"].startswith("Sample City")
    assert (chinese["Partner countries"], chinese[f"{ATTRIBUTE}Partner country"],
            chinese[f"{ATTRIBUTE}Level"]) == ("CN", "China", "City")
    assert by_words[f"'{FORMULA}"]["Coder"] == "Lead"
    polish = by_words["zaczęła się w 2015 roku"]
    source = db.session.get(Source, study.named_source)
    start = source.text.index("zaczęła się w 2015 roku")
    assert (polish["Start"], polish["End"]) == (str(start), str(start + 23))
    assert polish["Word count"] == "5" and polish["Memo"] == "Key passage for chapter 2."
    assert polish["Speaker"] == study.named_pseudonym and float(polish["Seconds"]) > 10
    assert (polish["Interview place"], polish["Interview date"]) == ("Wrocław", "2026-03-16")
    assert polish["Participants"] == study.named_pseudonym
    assert polish["Organisation types"] == "City or regional government in the EU"
    assert polish["Places"] == "Wrocław" and polish["Places in CEE"] == "yes"
    assert polish[f"{ATTRIBUTE}Level"] == ""


def test_codings_xlsx_opens_with_every_column_and_says_what_was_left_out(project, people,
                                                                           study):
    download = export(project, people, "lead", what="codings_xlsx")
    with download.content as file:
        workbook = load_workbook(file)
    assert workbook.sheetnames == ["Codings", "About"]
    sheet = workbook["Codings"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*COLUMNS, f"{ATTRIBUTE}Level", f"{ATTRIBUTE}Partner country"]
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(records) == 6
    by_words = {record["Words"]: record for record in records}
    assert by_words["双方在教育和交通领域合作"][f"{ATTRIBUTE}Partner country"] == "China"
    assert by_words["Guangzhou"]["Citation"].startswith(NAME)
    assert isinstance(by_words["Guangzhou"]["Start"], int)
    formula = next(cell for cell in sheet["G"] if cell.value == FORMULA)
    assert formula.data_type == "s"
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["Left out"].startswith("1 excerpt was left out")
    assert about["Codings"] == "every coder's"


def test_the_codings_workbook_holds_the_cells_of_the_codings_csv(project, people, study):
    with export(project, people, "lead", what="codings_csv").content as file:
        rows = list(csv.reader(io.StringIO(file.read().decode().lstrip("\ufeff"), newline="")))
    download = export(project, people, "lead", what="codings_xlsx")
    with download.content as file:
        sheet = load_workbook(file)["Codings"]
    read = [["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(values_only=True)]
    # the CSV marks text that a spreadsheet would run as a formula; the workbook's cells
    # are text whatever they start with
    assert read == [[cell[1:] if cell.startswith("'") else cell for cell in row] for row in rows]
    assert any(f"'{FORMULA}" in row for row in rows) and any(FORMULA in row for row in read)


def test_markdown_excerpts(project, people, study):
    download = export(project, people, "coder", what="excerpts_md", memos=True)
    text = download.content
    assert download.filename.endswith(".md") and download.mimetype.startswith("text/markdown")
    assert text.startswith("# Coded excerpts\n")
    assert "\n# Areas of cooperation\n" not in text
    assert "\n## Areas of cooperation\n" in text and "\n### Business\n" in text
    assert "\n#### Investment\n" in text
    assert ("> zaczęła się w 2015 roku\n>\n> — A city official in a Polish city of over 500,000 "
            f"[{study.named_pseudonym}, 00:00:1") in text
    assert "> 双方在教育和交通领域合作\n" in text
    assert "**Memo:** Key passage for chapter 2." in text
    assert "**1 excerpt was left out" in text and WITHDRAWN_WORDS not in text
    assert f"> \\{FORMULA}\n" in text and "\n\n\n" not in text


def test_codebook_as_word_and_csv(project, people, study):
    document = docx_of(export(project, people, "coder", what="codebook_docx"))
    assert headings(document) == [
        ("Heading 1", "Areas of cooperation"), ("Heading 2", "Business"),
        ("Heading 3", "Investment"), ("Heading 1", "Institutionalisation"),
        ("Heading 1", "Unused")]
    paragraphs = [p.text for p in document.paragraphs]
    business = paragraphs.index("Business")
    assert paragraphs[business + 1:business + 5] == [
        "Definition: Trade and investment.", "When to use: Companies, chambers, trade fairs.",
        "When not to use: Culture.", "Example: „Inwestycje z Guangzhou”"]
    codebook = export(project, people, "coder", what="codebook_csv").content
    assert codebook.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(codebook.lstrip("\ufeff"))))
    assert [row["Path"] for row in rows] == [
        "Areas of cooperation", "Areas of cooperation › Business",
        "Areas of cooperation › Business › Investment", "Institutionalisation", "Unused"]
    business_row = rows[1]
    assert (business_row["Level"], business_row["When not to use"],
            business_row["Codings"]) == ("2", "Culture.", "3")
    assert business_row["Parent ID"] == rows[0]["Code ID"]


def url(project, query=""):
    return f"/projects/{project.id}/coding/exports{query}"


@pytest.mark.parametrize("role", ["viewer", "interviewer"])
def test_viewers_and_interviewers_may_not_export(project, people, client_for, study, role):
    client = client_for(people[role])
    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), data={"what": "codings_csv"}).status_code == 403
    assert "/coding/exports" not in client.get(f"/projects/{project.id}/coding/codebook/").text


@pytest.mark.parametrize("role", ["lead", "coder"])
def test_leads_and_coders_download_and_each_download_is_audited(project, people, client_for,
                                                                study, role):
    client = client_for(people[role])
    page = client.get(url(project))
    assert page.status_code == 200 and "Download" in page.text
    assert "/coding/exports" in client.get(f"/projects/{project.id}/coding/codebook/").text
    response = client.post(url(project), data={"what": "excerpts_docx", "group": "code",
                                               "memos": "y", "codes": [str(study.business)]})
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment; filename=\"eu-china-cities-excerpts-by-code-" in \
        response.headers["Content-Disposition"]
    text = all_text(Document(io.BytesIO(response.data)))
    assert (NAME in text) == (role == "lead")
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "coding.export").order_by(AuditEntry.id.desc())).first()
    assert entry.user_id == people[role].id and entry.project_id == project.id
    assert entry.summary.startswith("Exported 3 coded excerpts by code")
    assert entry.details["excerpts"] == 3 and entry.details["left_out"] == 1
    assert entry.details["codes"] == [study.business] and entry.details["memos"] is True

    with client.get(url(project, "?what=codings_csv")) as sent:
        assert sent.status_code == 200 and sent.mimetype == "text/csv"
        assert sent.data.decode("utf-8-sig").count("\n") == 7
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "coding.export")) == 2


def test_the_page_says_what_was_wrong(project, people, client_for, study):
    client = client_for(people["coder"])
    refused = client.get(url(project, "?what=excerpts_docx&codes=999999"))
    assert refused.status_code == 400
    assert "no longer in the codebook" in refused.text
    unknown = client.get(url(project, "?what=everything"))
    assert unknown.status_code == 400 and "Not a valid choice" in unknown.text
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "coding.export")) == 0


def test_an_empty_project_exports_a_document_that_says_so(project, people, make_code):
    make_code("Business")
    document = docx_of(export(project, people, "coder", what="excerpts_docx"))
    assert "No excerpts match these choices." in [p.text for p in document.paragraphs]
    assert headings(document) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Code)) == 1
