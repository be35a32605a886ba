"""Retrieval with operators and link filters, matrices, full-text search with coding of the
hits, and the quote bank."""

from __future__ import annotations

import html
import io
import itertools
import random
import re

import pytest
from openpyxl import load_workbook

from casestudies.models import Partnership, Place
from coding import quotebank, retrieval
from coding.matrices import co_occurrence, code_matrix
from coding.models import Coding, Quote
from coding.search import search
from fieldwork.extensions import db
from tests.coding.conftest import CHINESE, POLISH


@pytest.fixture
def places():
    def city(key, name, country, is_eu, is_cee, population):
        place = Place(key=f"t:{key}", kind="city", name=name, name_local=name,
                      country_code=country, is_eu=is_eu, is_cee=is_cee, population=population)
        db.session.add(place)
        return place
    made = {"wroclaw": city("wro", "Wrocław", "PL", True, True, 640_000),
            "lyon": city("lyo", "Lyon", "FR", True, False, 520_000),
            "guangzhou": city("gz", "Guangzhou", "CN", False, False, 18_000_000),
            "charlotte": city("ch", "Charlotte", "US", False, False, 900_000)}
    db.session.flush()
    return made


@pytest.fixture
def corpus(project, places, make_source, make_code, code_words):
    """Two sources: Wrocław–Guangzhou (CEE, China) and Lyon–Charlotte (US)."""
    china = Partnership(project_id=project.id, eu_place=places["wroclaw"],
                        partner_place=places["guangzhou"], kind="friendship_city")
    usa = Partnership(project_id=project.id, eu_place=places["lyon"],
                      partner_place=places["charlotte"], kind="sister_city")
    db.session.add_all([china, usa])
    polish = make_source(POLISH, title="Wrocław notes")
    french = make_source("Lyon and Charlotte cooperate on business and universities. "
                         "The business council meets twice a year.", title="Lyon notes")
    polish.partnerships.append(china)
    french.partnerships.append(usa)
    polish.attributes = {"Level": "City"}
    business, staff = make_code("Business"), make_code("Staff")
    trade = make_code("Trade", parent=business)
    code_words(polish, business, "Współpraca Wrocławia z Guangzhou")
    code_words(polish, staff, "jedną osobę")
    code_words(polish, trade, "Guangzhou zaczęła")
    code_words(french, business, "business and universities")
    code_words(french, staff, "business council meets", coder="lead")
    return {"polish": polish, "french": french, "business": business, "staff": staff,
            "trade": trade}


def words(project, query):
    ids = retrieval.retrieve(project, query)
    return [c.source.text[c.start:c.end] for c in retrieval.load_codings(ids)]


def test_codes_with_subcodes_and_operators(project, corpus):
    business, staff = corpus["business"].id, corpus["staff"].id
    assert words(project, retrieval.Query((business,), with_subcodes=False)) == [
        "Współpraca Wrocławia z Guangzhou", "business and universities"]
    assert "Guangzhou zaczęła" in words(project, retrieval.Query((business,)))
    assert words(project, retrieval.Query((business,), "and", (staff,))) == []
    assert words(project, retrieval.Query((business,), "near", (staff,), distance=20,
                                          with_subcodes=False)) == ["business and universities"]
    assert words(project, retrieval.Query((business,), "not", (staff,), distance=0,
                                          with_subcodes=False)) == [
        "Współpraca Wrocławia z Guangzhou", "business and universities"]
    assert words(project, retrieval.Query((corpus["trade"].id,), "and", (business,),
                                          with_subcodes=False)) == ["Guangzhou zaczęła"]
    with pytest.raises(retrieval.RetrievalError, match="second code"):
        retrieval.retrieve(project, retrieval.Query((business,), "and"))


def test_filters_from_the_links(project, corpus, places, people):
    business = corpus["business"].id

    def only(**filters):
        return words(project, retrieval.Query((business,), with_subcodes=False,
                                              filters=retrieval.Filters(**filters)))

    assert only(partner_country="CN", cee=True) == ["Współpraca Wrocławia z Guangzhou"]
    assert only(partner_country="US") == ["business and universities"]
    assert only(eu_country="FR") == ["business and universities"]
    assert only(population_band="500,000–1 million") == [
        "Współpraca Wrocławia z Guangzhou", "business and universities"]
    assert only(partnership_kind="sister_city") == ["business and universities"]
    assert only(attribute="Level", attribute_value="city") == ["Współpraca Wrocławia z Guangzhou"]
    assert only(coder=people["lead"].id) == []


def test_matrix_by_partner_country_and_co_occurrence(project, corpus):
    matrix = code_matrix(project, "partner_country")
    assert matrix.columns == [("CN", "China"), ("US", "United States")]
    assert matrix.cell(corpus["business"].id, "CN").codings == 1
    assert matrix.share(corpus["staff"].id, "US") == 1.0
    by_city = code_matrix(project, "city")
    assert {label for _, label in by_city.columns} == {"Wrocław", "Lyon"}
    overlaps = co_occurrence(project)
    pair = tuple(sorted((corpus["business"].id, corpus["trade"].id)))
    assert overlaps[pair] == 1


def test_co_occurrence_counts_every_overlapping_pair_once(project, people, make_source,
                                                        make_code):
    """Against every pair compared with every other, on codings that start together, touch
    without overlapping, nest and repeat, in two sources, by two coders."""
    rng = random.Random(5)
    codes = [make_code(f"Code {n}").id for n in range(6)]
    sources = [make_source("word " * 400, title=f"Notes {n}") for n in range(2)]
    codings = []
    for _ in range(300):
        start = rng.choice([0, 10, 10, 50, rng.randrange(0, 1900)])
        codings.append(Coding(project_id=project.id, source_id=rng.choice(sources).id,
                              code_id=rng.choice(codes), start=start,
                              end=start + rng.choice([1, 10, 40, rng.randrange(1, 300)]),
                              coder_id=rng.choice([people["lead"].id, people["coder"].id]),
                              quote=""))
    db.session.add_all(codings)
    db.session.flush()

    def every_pair(coder=None):
        counts = {}
        mine = [c for c in codings if coder in (None, c.coder_id)]
        for a, b in itertools.combinations(mine, 2):
            if (a.source_id == b.source_id and a.code_id != b.code_id
                    and a.start < b.end and b.start < a.end):
                pair = (min(a.code_id, b.code_id), max(a.code_id, b.code_id))
                counts[pair] = counts.get(pair, 0) + 1
        return counts

    assert co_occurrence(project) == every_pair()
    assert co_occurrence(project, people["coder"].id) == every_pair(people["coder"].id)


def test_overlaps_page_links_each_count_to_its_excerpts(project, corpus, people, client_for):
    client = client_for(people["lead"])
    page = client.get(f"/projects/{project.id}/coding/overlaps")
    business, trade = corpus["business"].id, corpus["trade"].id
    link = re.search(rf'href="([^"]*codes={business}&amp;other_codes={trade})">1<', page.text)

    excerpts = client.get(html.unescape(link[1]))

    assert excerpts.status_code == 200
    assert "Współpraca Wrocławia z Guangzhou" in excerpts.text
    assert "business and universities" not in excerpts.text


def test_matrix_page_and_xlsx(project, corpus, people, client_for):
    client = client_for(people["lead"])
    page = client.get(f"/projects/{project.id}/coding/matrix?dimension=partner_country")
    assert page.status_code == 200 and "United States" in page.text
    download = client.get(f"/projects/{project.id}/coding/matrix.xlsx?dimension=cee")
    sheet = load_workbook(io.BytesIO(download.data))["Codings"]
    assert [c.value for c in sheet[2]] == ["Code", "CEE", "Other EU"]


def test_full_text_search_ignores_case_and_accents_and_codes_hits(
        project, corpus, people, client_for, make_source):
    make_source(CHINESE, title="Agreement")
    hits = search(project, "wroclawia")
    assert [(h.source_title, h.words) for h in hits] == [("Wrocław notes", "Wrocławia")]
    assert [h.words for h in search(project, "business")] == ["business", "business"]
    assert search(project, "nothing-like-this") == []
    client = client_for(people["coder"])
    values = [f"{h.source_id}:{h.start}:{h.end}" for h in search(project, "business")]
    done = client.post(f"/projects/{project.id}/coding/search/code",
                       data={"hit": values, "code": corpus["staff"].id, "q": "business"})
    assert done.status_code == 302
    db.session.expire_all()
    coded = db.session.scalars(db.select(Coding).where(Coding.coder_id == people["coder"].id,
                                                       Coding.code_id == corpus["staff"].id))
    assert sorted(c.source.text[c.start:c.end] for c in coded) == [
        "business", "business", "jedną osobę"]


def test_quote_bank_chapters_order_and_pages(project, corpus, people, client_for):
    codings = db.session.scalars(db.select(Coding).order_by(Coding.id)).all()
    first = quotebank.add_quote(project, codings[0], " Chapter 3:  China ", "", people["lead"])
    second = quotebank.add_quote(project, codings[1], "Chapter 3: China", "good", people["lead"])
    assert quotebank.add_quote(project, codings[0], "", "", people["lead"]) is first
    quotebank.move_quote(second, -1)
    assert [q.id for _, qs in quotebank.chapters(project) for q in qs] == [second.id, first.id]
    client = client_for(people["coder"])
    added = client.post(f"/projects/{project.id}/coding/codings/{codings[3].id}/quote",
                        data={"chapter": "Chapter 2: United States"})
    assert added.status_code == 302
    page = client.get(f"/projects/{project.id}/coding/quotes/")
    assert page.text.index("Chapter 2: United States") < page.text.index("Chapter 3: China")
    assert "business and universities" in page.text
    assert client_for(people["viewer"]).post(
        f"/projects/{project.id}/coding/quotes/{first.id}", data={"action": "remove"}
    ).status_code == 403
    client.post(f"/projects/{project.id}/coding/quotes/{first.id}", data={"action": "remove"})
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Quote)) == 2


def test_retrieval_page_shows_excerpts_with_citations(project, corpus, people, client_for):
    page = client_for(people["viewer"]).get(
        f"/projects/{project.id}/coding/retrieve?codes={corpus['business'].id}"
        "&with_subcodes=y&partner_country=CN")
    assert page.status_code == 200
    assert "Współpraca Wrocławia z Guangzhou" in page.text
    assert "business and universities" not in page.text
    assert "Wrocław notes" in page.text
