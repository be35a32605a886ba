"""Applying or removing a code runs at most six SQL statements, whatever the source holds."""

from __future__ import annotations

from tests.coding.conftest import POLISH
from tests.statements import counted_statements

MOST = 6


def test_applying_and_removing_a_code_run_at_most_six_statements(
        project, people, client_for, make_source, make_code, code_words):
    source = make_source(POLISH)
    trade, visits = make_code("Trade"), make_code("Visits")
    for words in ("Wrocławia", "Guangzhou", "2015 roku", "Urząd miasta"):
        code_words(source, trade, words)
    client = client_for(people["coder"])
    base = f"/projects/{project.id}/coding"
    start = source.text.index("jedną osobę")
    asked = {"codes": [visits.id], "start": start, "end": start + 11, "textVersion": 1}

    with counted_statements() as applying:
        applied = client.post(f"{base}/sources/{source.id}/codings", json=asked)
    assert applied.status_code == 200
    (made,) = applied.json["codings"]
    assert (made["coderName"], made["memo"]) == ("Coder", False)
    assert len(applying) <= MOST, applying

    with counted_statements() as removing:
        removed = client.post(f"{base}/codings/{made['id']}/remove")
    assert removed.json["undo"] == {"code": visits.id, "start": start, "end": start + 11,
                                    "memo": ""}
    assert len(removing) <= MOST, removing


def test_applying_with_a_memo_and_again_keeps_one_coding_with_its_memo(
        project, people, client_for, make_source, make_code):
    source = make_source(POLISH)
    trade = make_code("Trade")
    client = client_for(people["coder"])
    url = f"/projects/{project.id}/coding/sources/{source.id}/codings"
    asked = {"codes": [trade.id], "start": 0, "end": 10, "textVersion": 1,
             "memo": "Opening claim"}
    first = client.post(url, json=asked).json["codings"][0]
    with counted_statements() as again:
        second = client.post(url, json={**asked, "memo": ""}).json["codings"][0]
    assert second["id"] == first["id"]
    assert (second["memo"], second["memoText"]) == (True, "Opening claim")
    assert len(again) <= MOST - 1, again
