"""Citations that keep the consent, and quotes with locators and context: each level of
consent over every export (Word, Markdown, CSV, XLSX, the quote bank, transcript exports), the
lead's rules and their preview, the Check flag, locators, context, links, Word properties and
download names."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from html import unescape

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from fpdf import FPDF
from openpyxl import load_workbook

from casestudies.models import Place
from coding.excerpts import excerpts_of
from coding.exports import ExportOptions, make_export
from coding.models import Coding, Source
from coding.quotebank import add_quote
from coding.sources import add_document_source, edit_document_text
from fieldwork.downloads import content_disposition
from fieldwork.extensions import db
from fieldwork.models import AuditEntry
from interviews.citation_templates import (
    LATER,
    CitationError,
    check_template,
    render,
    render_partly,
)
from interviews.citations import ALIKE, CitationRules, Citer, rules_for, update_rules
from interviews.transcripts.exports import export as transcript_export
from interviews.transcripts.models import Transcript
from tests.coding.test_exports import interview_source
from tests.documents import FONT

ANSWER = "Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku."
QUESTION = "Jak zaczęła się współpraca?"
NAMES = {"named": "Anna Kowalska", "role": "Jan Nowak", "anonymous": "Ewa Zielińska"}
NAMED = ("Anna Kowalska, head of the international relations office, Wrocław City Hall, "
         "Wrocław (16 March 2026) [PL-CITY-01, 00:00:10]")
ROLE = "A city official in a Polish city of over 500,000 [PL-CITY-02, 00:00:10]"
ANONYMOUS = "PL-CITY-03 [00:00:10]"
NAMED_FOR_CODERS = "A city official in a Polish city of over 500,000 [PL-CITY-01, 00:00:10]"
CITY_FLAG = "the city of PL-CITY-0{n} (“Wrocławia”)"


@dataclass
class Levels:
    sources: dict[str, Source]
    codings: dict[str, Coding]


@pytest.fixture
def levels(project, people, make_code, code_words) -> Levels:
    """One interview per level of consent, each answer naming the city, each in the quote
    bank."""
    code = make_code("Beginnings")
    sources, codings = {}, {}
    for level, name in NAMES.items():
        sources[level] = interview_source(project, people["lead"], name, level,
                                          [QUESTION, ANSWER])
        codings[level] = code_words(sources[level], code, ANSWER)
        add_quote(project, codings[level], "1. Models", "", people["lead"])
    db.session.flush()
    return Levels(sources, codings)


def export(project, people, role, **options):
    return make_export(project, ExportOptions(**options), people[role], role,
                       may_see_identity=role in ("lead", "interviewer"))


def citations_of(download, what: str) -> list[str]:
    """The citation of each excerpt, as a reader of the file finds it."""
    if what == "excerpts_docx":
        document = Document(io.BytesIO(download.content))
        return [p.text.removeprefix("— ") for p in document.paragraphs
                if p.style.name == "Citation"]
    if what == "excerpts_md":
        return [line.removeprefix("> — ") for line in download.content.splitlines()
                if line.startswith("> — ")]
    with download.content as file:
        data = file.read()
    if what == "codings_csv":
        return [row["Citation"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))]
    rows = list(load_workbook(io.BytesIO(data))["Codings"].iter_rows(values_only=True))
    return [row[rows[0].index("Citation")] for row in rows[1:]]


EXPORTS = ("excerpts_docx", "excerpts_md", "codings_csv", "codings_xlsx")


@pytest.mark.parametrize("what", EXPORTS)
def test_each_level_of_consent_in_every_export(project, people, levels, what):
    lead = citations_of(export(project, people, "lead", what=what), what)
    assert sorted(lead) == sorted([NAMED, ROLE, ANONYMOUS])
    coder = citations_of(export(project, people, "coder", what=what), what)
    assert sorted(coder) == sorted([NAMED_FOR_CODERS, ROLE, ANONYMOUS])
    for name in ("Jan Nowak", "Nowak", "Ewa Zielińska", "Zielińska"):
        assert not any(name in citation for citation in lead + coder)


def test_each_level_of_consent_on_the_quote_bank(project, people, levels, client_for):
    page = unescape(client_for(people["lead"]).get(
        f"/projects/{project.id}/coding/quotes/").get_data(as_text=True))
    assert NAMED in page and ROLE in page and ANONYMOUS in page
    assert "2 quotes name the participant, their organisation or their city" in page
    assert f"the words name {CITY_FLAG.format(n=2)}, which the citation leaves out" in page
    assert CITY_FLAG.format(n=1) not in page  # named: the city may be said
    # the segment before the words, lighter, with who says it
    assert f"…Interviewer: {QUESTION}" in page
    coder_page = unescape(client_for(people["coder"]).get(
        f"/projects/{project.id}/coding/quotes/").get_data(as_text=True))
    assert NAMED_FOR_CODERS in coder_page and "Kowalska" not in coder_page
    exports_page = unescape(client_for(people["lead"]).get(
        f"/projects/{project.id}/coding/exports").get_data(as_text=True))
    assert "<strong>Check before exporting:</strong> 2 quotes in the" in exports_page


def test_each_level_of_consent_in_transcript_exports(project, people, levels):
    headers = {}
    for level, source in levels.sources.items():
        text = transcript_export(db.session.get(Transcript, source.transcript_id), "txt",
                                 "Lead").decode()
        headers[level] = dict(line.split(": ", 1) for line in text.splitlines()[2:9])
        assert NAMES[level] not in text
    # a transcript may leave the server: named participants go out as "role only"
    assert headers["named"]["Participants"] == (
        "A city official in a Polish city of over 500,000 [PL-CITY-01]")
    assert headers["anonymous"]["Participants"] == "PL-CITY-03"
    assert headers["role"]["Place"] == headers["role"]["Date"] == (
        "not given (the participants' citation rules)")


def test_a_speaker_labelled_with_a_name_is_exported_by_code(project, people, levels):
    transcript = db.session.get(Transcript, levels.sources["role"].transcript_id)
    transcript.segments[1].speaker = "Jan Nowak"
    db.session.flush()
    for fmt in ("txt", "srt", "vtt", "json", "docx"):
        data = transcript_export(transcript, fmt, "Lead")
        text = (" ".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
                if fmt == "docx" else data.decode())
        assert "Nowak" not in text and "PL-CITY-02" in text, fmt


def test_the_word_export_flags_words_that_name_what_the_citation_leaves_out(
        project, people, levels):
    download = export(project, people, "lead", what="excerpts_docx")
    paragraphs = [p.text for p in Document(io.BytesIO(download.content)).paragraphs]
    assert (f"Check: the words name {CITY_FLAG.format(n=2)}, which the citation leaves out."
            in paragraphs)
    assert any(p.startswith("Check before publishing: 2 excerpts name") for p in paragraphs)
    rows = citations_and_checks(export(project, people, "lead", what="codings_csv"))
    assert rows == {NAMED: "", ROLE: CITY_FLAG.format(n=2), ANONYMOUS: CITY_FLAG.format(n=3)}
    markdown = export(project, people, "lead", what="excerpts_md").content
    assert f"**Check: the words name {CITY_FLAG.format(n=3)}" in markdown


def citations_and_checks(download) -> dict[str, str]:
    with download.content as file:
        rows = csv.DictReader(io.StringIO(file.read().decode("utf-8-sig")))
        return {row["Citation"]: row["Check before quoting"] for row in rows}


def test_the_names_of_the_participant_and_organisation_are_flagged_for_the_lead_only(
        project, people, levels, code_words):
    source = levels.sources["anonymous"]
    transcript = db.session.get(Transcript, source.transcript_id)
    participant = transcript.interview.participants[0]
    participant.organisation = "Urząd Miejski Wrocławia, Biuro Współpracy"
    words = "Pani Zielińskiej"
    source.text += f"\n\n{words} nie było w Biurze Współpracy."
    db.session.flush()
    coding = code_words(source, db.session.get(Coding, levels.codings["role"].id).code,
                        f"{words} nie było w Biurze Współpracy.")
    (lead,) = excerpts_of(project, [coding], may_see_identity=True)
    assert lead.flags == ("the name of PL-CITY-03 (“Zielińskiej”)",
                          "the organisation of PL-CITY-03 (“Biurze Współpracy”)")
    (coder,) = excerpts_of(project, [coding], may_see_identity=False)
    assert coder.flags == ("the organisation of PL-CITY-03 (“Biurze Współpracy”)",)


def test_the_lead_may_let_role_only_show_title_city_and_date(project, people, levels):
    update_rules(project, CitationRules(role_title=True, role_city=True, role_date="month"))
    rows = citations_and_checks(export(project, people, "lead", what="codings_csv"))
    role = ("Head of the international relations office in Wrocław (March 2026) "
            "[PL-CITY-02, 00:00:10]")
    assert rows == {NAMED: "", role: "", ANONYMOUS: CITY_FLAG.format(n=3)}


def test_a_kind_of_place_is_said_only_where_several_places_fit_it(project):
    riga = Place(key="test:riga", kind="city", name="Riga", name_local="Rīga",
                 country_code="LV", population=605_802, is_eu=True)
    db.session.add(riga)
    db.session.flush()
    assert Citer(CitationRules(), True).kind_of_place(riga) == "a city in the EU"
    db.session.add_all(Place(key=f"test:lv{n}", kind="city", name=f"Town {n}",
                             country_code="LV", population=60_000 + n, is_eu=True)
                       for n in range(ALIKE - 1))
    db.session.flush()
    assert Citer(CitationRules(), True).kind_of_place(riga) == "a Latvian city of over 50,000"


def test_citation_templates_are_checked_and_leave_no_stray_punctuation():
    with pytest.raises(CitationError, match=r"\{where\} is not a part"):
        check_template("{who} {where}")
    with pytest.raises(CitationError, match=r"needs \{who\}"):
        check_template("[{code}]")
    with pytest.raises(CitationError, match="Braces may only"):
        check_template("{who} {{date}")
    assert check_template("  {who},   {locator} ") == "{who}, {locator}"
    template = "{who} ({date}) [{code}, {locator}]"
    assert render(template, {"who": "a city official"}) == "A city official"
    assert render(template, {"who": "X", "locator": "p. 3"}) == "X [p. 3]"
    assert render("{who}, {date} [{code}]", {"who": "X, Y", "code": "C"}) == "X, Y [C]"
    # the characters that mark parts and the locator still to come are not taken from values
    partly = render_partly(template, {"who": "A\x02B \x00locator\x00", "locator": LATER})
    assert partly.replace(LATER, "00:01:02") == "AB locator [00:01:02]"


def test_the_citation_rules_page_previews_each_level(project, people, levels, client_for):
    url = f"/projects/{project.id}/interviews/citations"
    assert client_for(people["coder"]).get(url).status_code == 403
    lead = client_for(people["lead"])
    page = unescape(lead.get(url).get_data(as_text=True))
    assert f"<td>{NAMED.removesuffix(' [PL-CITY-01, 00:00:10]')} [PL-CITY-01, 00:14:32]" in page
    assert "<td>A city official in a Polish city of over 500,000 [PL-CITY-01, 00:14:32]" in page
    assert "<td>PL-CITY-01 [00:14:32]</td>" in page
    form = {"citation_template": "{who}, {locator}", "role_date": "year",
            "role_shows_title": "y"}
    previewed = unescape(lead.post(url, data={**form, "action": "preview"}).get_data(
        as_text=True))
    assert "<td>Head of the international relations office in a Polish city of over " \
           "500,000, 00:14:32</td>" in previewed
    assert rules_for(project) == CitationRules()
    assert lead.post(url, data={**form, "action": "save"}).status_code == 200
    assert rules_for(project) == CitationRules("{who}, {locator}", True, False, "year")
    assert db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "interviews.citations")) is not None
    refused = lead.post(url, data={**form, "citation_template": "{code}", "action": "save"})
    assert refused.status_code == 400 and "needs {who}" in unescape(refused.get_data(
        as_text=True))


def test_context_and_links_back_to_the_source(project, people, levels):
    base = "http://fieldwork.example/"
    download = export(project, people, "lead", what="excerpts_docx", context=True,
                      link_base=base)
    document = Document(io.BytesIO(download.content))
    context = [p.text for p in document.paragraphs if p.style.name == "Context"]
    assert context.count(f"…Interviewer: {QUESTION}") == 3
    links = [rel.target_ref for rel in document.part.rels.values() if rel.reltype == RT.HYPERLINK]
    source, coding = levels.sources["role"], levels.codings["role"]
    link = f"{base}projects/{project.id}/coding/sources/{source.id}?at={coding.start}"
    assert link in links and len(links) == 3
    assert f"— {ROLE.removesuffix(', 00:00:10]')}, 00:00:10]" in [
        p.text for p in document.paragraphs if p.style.name == "Citation"]
    markdown = export(project, people, "lead", what="excerpts_md", context=True,
                      link_base=base).content
    assert f"> *…Interviewer: {QUESTION}*\n>\n> {ANSWER}\n" in markdown
    assert (f"> — [A city official in a Polish city of over 500,000 \\[PL-CITY-02, "
            f"00:00:10\\]](<{link}>)") in markdown


def test_word_files_say_what_they_are_and_who_made_them(project, people, levels):
    for what, title in (("excerpts_docx", "Coded excerpts"), ("codebook_docx", "Codebook")):
        properties = Document(io.BytesIO(export(project, people, "coder", what=what)
                                         .content)).core_properties
        assert (properties.title, properties.author) == (title, "Coder"), what
        assert properties.subject.startswith(project.name) and properties.comments == ""
        assert properties.created.date() == date.today()


def two_page_pdf(first: str, second: str) -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=11)
    for text in (first, second):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def test_documents_are_cited_by_page_or_paragraph(project, people, make_source, make_code,
                                                  code_words):
    if not FONT or not __import__("pathlib").Path(FONT).exists():
        pytest.skip("fonts-dejavu-core is not installed")
    code = make_code("Agreements")
    pdf = add_document_source(project, "umowa.pdf", two_page_pdf(
        "Umowa o współpracy.", "Strony współpracują w dziedzinie edukacji."), "Umowa",
        people["lead"])
    coding = code_words(pdf, code, "dziedzinie edukacji")
    notes = make_source("Pierwszy akapit.\n\nDrugi akapit o handlu.", title="Notatki")
    (on_page, in_paragraph) = excerpts_of(
        project, [coding, code_words(notes, code, "o handlu")], may_see_identity=False)
    assert (on_page.citation, in_paragraph.citation) == ("Umowa [p. 2]", "Notatki [para. 2]")
    edit_document_text(pdf, "Wstęp.\n\n" + pdf.text, people["lead"])
    (moved,) = excerpts_of(project, [coding], may_see_identity=False)
    assert moved.citation == "Umowa [p. 2]"


def test_download_names_keep_their_letters(project, people, levels, client_for):
    assert content_disposition("ankieta łódź.pdf") == (
        "attachment; filename=\"ankieta lodz.pdf\"; "
        "filename*=UTF-8''ankieta%20%C5%82%C3%B3d%C5%BA.pdf")
    assert content_disposition("广州协议.docx").startswith('attachment; filename="download.docx";')
    assert content_disposition('a"b\r\n.csv') == (
        "attachment; filename=\"a-b.csv\"; filename*=UTF-8''a-b-.csv")
    project.name = "Współpraca miast: Łódź"
    db.session.flush()
    response = client_for(people["lead"]).post(f"/projects/{project.id}/coding/exports",
                                               data={"what": "excerpts_docx"})
    today = f"{date.today():%Y-%m-%d}"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="wspolpraca-miast-lodz-excerpts-by-code-{today}.docx"; '
        f"filename*=UTF-8''wsp%C3%B3%C5%82praca-miast-%C5%82%C3%B3d%C5%BA-excerpts-by-code-"
        f"{today}.docx")
