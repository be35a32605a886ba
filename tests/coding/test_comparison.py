"""The coding comparison read from the database: figures against hand computation and the
krippendorff package, CSV, and the page."""

from __future__ import annotations

import csv
import io

import krippendorff
import pytest

from coding.codings import set_blind
from coding.comparison import ComparisonError, compare_coders
from tests.coding.conftest import POLISH


@pytest.fixture
def coded(project, make_source, make_code, code_words):
    """Two paragraphs; coder and lead agree on "Guangzhou", only the coder codes "Urząd"."""
    source = make_source(POLISH)
    code = make_code("Partners")
    code_words(source, code, "Guangzhou", coder="coder")
    code_words(source, code, "Guangzhou", coder="lead")
    code_words(source, code, "Urząd", coder="coder")
    return source, code


def test_figures_match_hand_computation_and_krippendorff(project, people, coded):
    source, code = coded
    comparison = compare_coders(project, [source.id], [people["coder"].id, people["lead"].id], [])
    (row,) = comparison.results.codes
    (pair,) = row.pairs
    n = len(source.text)
    # both = 9 ("Guangzhou"), coder only = 5 ("Urząd"), lead only = 0
    assert (pair.all_text.both, pair.all_text.only_a, pair.all_text.only_b) == (9, 5, 0)
    assert pair.all_text.percent == pytest.approx(100 * (n - 5) / n)
    a, b = 14 / n, 9 / n
    pe = a * b + (1 - a) * (1 - b)
    assert pair.all_text.kappa == pytest.approx(((n - 5) / n - pe) / (1 - pe))
    assert pair.coded_text.percent == pytest.approx(100 * 9 / 14)
    # Alpha over the two paragraphs: both coders code paragraph 1, only the coder paragraph 2.
    expected = krippendorff.alpha(reliability_data=[[1, 1], [1, 0]],
                                  level_of_measurement="nominal")
    assert row.alpha.value == pytest.approx(expected)
    assert comparison.code_names == {code.id: "Partners"}


def test_csv_has_a_row_per_code_and_pair_and_the_overall(project, people, coded):
    source, _ = coded
    comparison = compare_coders(project, [source.id], [people["coder"].id, people["lead"].id], [])
    rows = list(csv.reader(io.StringIO(comparison.csv())))
    assert [r[0] for r in rows[1:]] == ["Partners", "Partners", "overall", "overall"]
    assert rows[1][1:3] == [people["coder"].name, people["lead"].name]


def test_a_comparison_needs_two_coders_and_codings(project, people, make_source):
    source = make_source()
    with pytest.raises(ComparisonError, match="two coders"):
        compare_coders(project, [source.id], [people["coder"].id], [])
    with pytest.raises(ComparisonError, match="has coded"):
        compare_coders(project, [source.id], [people["coder"].id, people["lead"].id], [])


def test_the_page_and_csv(project, people, coded, client_for):
    source, _ = coded
    query = (f"?sources={source.id}&coders={people['coder'].id}&coders={people['lead'].id}"
             "&units=paragraphs")
    client = client_for(people["coder"])
    page = client.get(f"/projects/{project.id}/coding/agreement{query}")
    assert page.status_code == 200
    assert "Partners" in page.text and "64.3 %" in page.text
    download = client.get(f"/projects/{project.id}/coding/agreement.csv{query}")
    assert download.mimetype == "text/csv" and "Partners" in download.text
    one = client.get(f"/projects/{project.id}/coding/agreement?sources={source.id}"
                     f"&coders={people['coder'].id}")
    assert one.status_code == 400 and "at least two coders" in one.text


def test_blind_coding_hides_agreement_from_coders(project, people, coded, client_for):
    set_blind(project, True, people["lead"])
    page = client_for(people["coder"]).get(f"/projects/{project.id}/coding/agreement?coders=1")
    assert "Blind coding is on" in page.text
    assert client_for(people["coder"]).get(
        f"/projects/{project.id}/coding/agreement.csv").status_code == 403
