"""Analyses say what they leave out and why, with a link that puts it right; parent codes
count their sub-codes' codings (own, and with sub-codes) wherever counts are shown."""

from __future__ import annotations

import html
import io
import re

import pytest
from openpyxl import load_workbook

from casestudies.models import Partnership, Place
from coding.codebook import code_counts
from coding.codings import set_blind
from coding.matrices import code_matrix
from coding.search import MAX_HITS
from fieldwork.extensions import db
from tests.coding.conftest import POLISH


def url(project, rest=""):
    return f"/projects/{project.id}/coding/{rest}"


def notice(page: str) -> str:
    """The text of the page's “what is left out” notice, tags and spaces tidied."""
    found = re.search(r'<div class="left-out[^"]*"[^>]*>(.*?)</div>', page, re.S)
    assert found, "the page says nothing of what it leaves out"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found[1])).split())


def link_after(page: str, words: str) -> str:
    """The address of the link `words` in the notice."""
    found = re.search(r'<div class="left-out[^"]*".*?href="([^"]+)">' + re.escape(words),
                      page, re.S)
    assert found, words
    return html.unescape(found[1])


@pytest.fixture
def linked(project, make_source, make_code, code_words):
    """Three coded sources: one about Wrocław–Guangzhou, one about nothing, one only about
    Guangzhou; "Areas" has the sub-code "Business", coded in each."""
    def city(key, name, country, is_eu):
        place = Place(key=f"t:{key}", kind="city", name=name, name_local=name,
                      country_code=country, is_eu=is_eu, is_cee=is_eu, population=600_000)
        db.session.add(place)
        return place

    wroclaw, guangzhou = city("wro", "Wrocław", "PL", True), city("gz", "Guangzhou", "CN", False)
    db.session.flush()
    partnership = Partnership(project_id=project.id, eu_place=wroclaw, partner_place=guangzhou,
                              kind="friendship_city")
    db.session.add(partnership)
    about_both = make_source(POLISH, title="Wrocław notes")
    about_both.partnerships.append(partnership)
    about_nothing = make_source("Business first, then culture.", title="Loose notes")
    about_china = make_source("Guangzhou wants business.", title="Guangzhou notes")
    about_china.places.append(guangzhou)
    areas = make_code("Areas")
    business = make_code("Business", parent=areas)
    code_words(about_both, business, "Współpraca Wrocławia")
    code_words(about_both, areas, "jedną osobę")
    code_words(about_nothing, business, "Business first")
    code_words(about_china, business, "wants business")
    db.session.flush()
    return {"areas": areas, "business": business, "both": about_both,
            "nothing": about_nothing, "china": about_china}


def test_matrix_says_which_coded_sources_it_leaves_out_and_links_to_them(
        project, people, client_for, linked):
    client = client_for(people["lead"])
    page = client.get(url(project, "matrix?dimension=cee")).text
    said = notice(page)
    assert ("1 coded source is not linked to a place or partnership and is not in this "
            "matrix: link them.") in said
    assert ("1 coded source is linked to no place in the EU, so it is not in this matrix: "
            "see them.") in said
    unlinked = client.get(link_after(page, "link them")).text
    assert "Coded sources that are not linked to a place or partnership" in unlinked
    assert "Loose notes" in unlinked and "Wrocław notes" not in unlinked
    assert f"sources/{linked['nothing'].id}/details" in unlinked
    outside = client.get(link_after(page, "see them")).text
    assert "Guangzhou notes" in outside and "Loose notes" not in outside
    # Linking the loose source to a place puts it in the matrix and out of the notice.
    client.post(url(project, f"sources/{linked['nothing'].id}/details"), data={
        "title": "Loose notes", "case_study": "", "add_place": "Wrocław", "attributes": ""})
    said = notice(client.get(url(project, "matrix?dimension=cee")).text)
    assert "not linked to a place" not in said
    by_city = notice(client.get(url(project, "matrix?dimension=city")).text)
    assert by_city == "Every coded source of the project (3) is in this matrix, by EU city."
    by_partner = notice(client.get(url(project, "matrix?dimension=partner_country")).text)
    assert by_partner == ("1 coded source is linked to no US or Chinese place or partnership, "
                          "so it is not in this matrix: see them.")


def test_matrix_attribute_columns_name_the_sources_without_a_value(
        project, people, client_for, linked):
    linked["both"].attributes = {"Level": "City"}
    client = client_for(people["lead"])
    page = client.get(url(project, "matrix?dimension=attribute&attribute=Level")).text
    assert ("2 coded sources have no value for “Level”, so they are not in this matrix: "
            "give them one.") in notice(page)
    listed = client.get(link_after(page, "give them one")).text
    assert "Loose notes" in listed and "Guangzhou notes" in listed
    assert "Wrocław notes" not in listed


def test_parents_count_their_subcodes_in_the_matrix_codebook_and_workbook(
        project, people, client_for, linked):
    areas, business = linked["areas"], linked["business"]
    counts = code_counts(project)
    assert (counts[areas.id].own, counts[areas.id].with_subcodes) == (1, 4)
    assert (counts[business.id].own, counts[business.id].with_subcodes) == (3, 3)
    matrix = code_matrix(project, "partner_country")
    assert matrix.cell(areas.id, "CN").codings == 1
    assert matrix.cell(areas.id, "CN", with_subcodes=True).codings == 3
    assert matrix.cell(areas.id, "CN", with_subcodes=True).sources == {
        linked["both"].id, linked["china"].id}
    client = client_for(people["lead"])
    codebook = client.get(url(project, "codebook/")).text
    assert "1 own · 4 with sub-codes" in codebook and "3 codings" in codebook
    assert "1 own · 4 with sub-codes" in client.get(url(project, f"codebook/{areas.id}")).text
    page = client.get(url(project, "matrix?dimension=partner_country")).text
    assert "3 with sub-codes" in page and "with_subcodes=y" in page
    workbook = load_workbook(io.BytesIO(client.get(
        url(project, "matrix.xlsx?dimension=partner_country")).data))
    assert workbook.sheetnames == ["Codings", "Sources", "Share of sources",
                                   "Codings with sub-codes", "Sources with sub-codes",
                                   "Share with sub-codes"]
    rows = {row[0]: row[1:] for row in workbook["Codings with sub-codes"].iter_rows(
        min_row=3, values_only=True)}
    assert rows["Areas"] == (3,) and rows["Areas › Business"] == (2,)


def test_retrieval_says_what_its_filters_and_choices_leave_out(
        project, people, client_for, linked):
    client = client_for(people["coder"])
    areas = linked["areas"].id
    page = client.get(url(project, f"retrieve?codes={areas}&with_subcodes=y&partner_country=CN")
                      ).text
    assert ("1 coded source is not linked to a place or partnership, so no filter by place or "
            "partnership can find it: link them.") in notice(page)
    own_only = client.get(url(project, f"retrieve?codes={areas}&with_subcodes=")).text
    assert "The codings of the sub-codes of “Areas” are left out: include them." in notice(
        own_only)
    again = client.get(link_after(own_only, "include them")).text
    assert "4 excerpts" in again
    assert notice(again).startswith("Every coded source could answer this query")
    by_attribute = client.get(url(project, f"retrieve?codes={areas}&with_subcodes=y"
                                           "&attribute=Level&attribute_value=City")).text
    assert "3 coded sources have no value for “Level”" in notice(by_attribute)


def test_blind_coding_is_said_where_a_coder_counts_only_their_own(
        project, people, client_for, linked, code_words):
    code_words(linked["china"], linked["areas"], "Guangzhou", coder="lead")
    set_blind(project, True, people["lead"])
    coder = client_for(people["coder"])
    blind = "Blind coding is on: the other coders' codings are left out"
    for page in ("matrix?dimension=city", "codebook/", f"retrieve?codes={linked['areas'].id}",
                 "overlaps"):
        assert blind in notice(coder.get(url(project, page)).text), page
    assert "1 own · 4 with sub-codes" in coder.get(url(project, "codebook/")).text
    lead = client_for(people["lead"])
    assert "2 own · 5 with sub-codes" in lead.get(url(project, "codebook/")).text
    assert blind not in lead.get(url(project, "matrix?dimension=city")).text


def test_search_says_when_hits_are_left_out(project, people, client_for, make_source):
    make_source("business " * (MAX_HITS + 3), title="Repetitive")
    page = client_for(people["coder"]).get(url(project, "search?q=business")).text
    assert f"{MAX_HITS} hits" in page
    assert (f"Only the first {MAX_HITS} hits are shown and the rest are left out: add words to "
            "narrow the search.") in notice(page)
    make_source("Culture once.", title="Short")
    few = client_for(people["coder"]).get(url(project, "search?q=culture")).text
    assert "every hit is shown" in notice(few)
