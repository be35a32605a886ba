"""Applying, changing and removing codings: offsets in non-ASCII text, overlaps, stale pages,
who may change what, blind coding and coder-against-coder marks."""

from __future__ import annotations

import pytest

from coding import codings
from coding.codebook import archive_code
from coding.codings import CodingError, Viewer, apply_codes, disagreements, page_data
from coding.models import Coding, Memo
from fieldwork.extensions import db
from fieldwork.permissions import CODER, LEAD
from tests.coding.conftest import CHINESE, CZECH, POLISH


@pytest.mark.parametrize("text, words", [
    (POLISH, "jedną osobę"),
    (CZECH, "čínskými městy"),
    (CHINESE, "教育和交通"),
    ("Emoji 🇵🇱 before: współpraca 𝕏 ends", "współpraca"),
])
def test_offsets_are_code_points_in_any_script(make_source, make_code, code_words, text, words):
    source = make_source(text)
    coding = code_words(source, make_code("Theme"), words)
    assert source.text[coding.start:coding.end] == words
    assert coding.quote == words


def test_overlapping_codings_by_one_coder_are_kept_apart(make_source, make_code, code_words):
    source = make_source()
    staff, office = make_code("Staff"), make_code("Office")
    wide = code_words(source, staff, "Urząd miasta ma jedną osobę")
    narrow = code_words(source, office, "jedną osobę do spraw")
    assert wide.id != narrow.id
    assert narrow.start < wide.end
    assert {c.code_id for c in db.session.scalars(db.select(Coding))} == {staff.id, office.id}


def test_a_selection_is_trimmed_and_repeats_are_not_duplicated(make_source, make_code, people):
    source = make_source()
    code = make_code("Theme")
    start = source.text.index("Urząd") - 2
    end = source.text.index("miasta") + len("miasta") + 1
    first = apply_codes(source, [code.id], start, end, source.text_version, people["coder"])
    again = apply_codes(source, [code.id], start + 2, end - 1, source.text_version,
                        people["coder"])
    assert source.text[first[0].start:first[0].end] == "Urząd miasta"
    assert again[0].id == first[0].id


def test_several_codes_at_once_and_a_memo(make_source, make_code, people):
    source = make_source()
    a, b = make_code("A"), make_code("B")
    made = apply_codes(source, [a.id, b.id], 0, 10, source.text_version, people["coder"],
                       memo="Both apply here")
    assert [c.code_id for c in made] == [a.id, b.id]
    assert db.session.scalar(db.select(db.func.count()).select_from(Memo)) == 2


def test_a_stale_page_or_empty_selection_is_refused_in_words(make_source, make_code, people):
    source = make_source()
    code = make_code("Theme")
    with pytest.raises(CodingError, match="text was changed"):
        apply_codes(source, [code.id], 0, 5, source.text_version + 1, people["coder"])
    with pytest.raises(CodingError, match="Select some words"):
        apply_codes(source, [code.id], 57, 59, source.text_version, people["coder"])
    with pytest.raises(CodingError, match="Select some text"):
        apply_codes(source, [code.id], 5, 500, source.text_version, people["coder"])


def test_archived_codes_are_not_offered(make_source, make_code, people):
    source = make_source()
    code = make_code("Old")
    archive_code(code, people["lead"])
    with pytest.raises(CodingError, match="archived"):
        apply_codes(source, [code.id], 0, 5, source.text_version, people["coder"])


def test_coders_change_only_their_own_codings(make_source, make_code, code_words, people):
    source = make_source()
    code, other = make_code("Theme"), make_code("Other")
    coding = code_words(source, code, "Wrocławia", coder="coder")
    stranger = Viewer(people["interviewer"], CODER, blind=False)
    with pytest.raises(CodingError, match="another coder"):
        codings.remove_coding(coding, stranger)
    lead = Viewer(people["lead"], LEAD, blind=False)
    codings.change_code(coding, other.id, lead)
    assert coding.code_id == other.id
    undo = codings.remove_coding(coding, Viewer(people["coder"], CODER, blind=False))
    assert undo == {"code": other.id, "start": coding.start, "end": coding.end, "memo": ""}
    assert db.session.get(Coding, coding.id) is None


def test_in_vivo_code_is_named_by_the_words(make_source, people):
    source = make_source()
    start = source.text.index("jedną osobę")
    coding = codings.in_vivo_code(source, start, start + len("jedną osobę"),
                                  source.text_version, people["coder"])
    assert coding.code.name == "jedną osobę"


def test_blind_coding_hides_other_coders_from_coders_not_the_lead(
        project, make_source, make_code, code_words, people):
    source = make_source()
    code = make_code("Theme")
    code_words(source, code, "Wrocławia", coder="coder")
    code_words(source, code, "Guangzhou", coder="lead")
    codings.set_blind(project, True, people["lead"])
    coder = codings.viewer_in(project, people["coder"], CODER)
    lead = codings.viewer_in(project, people["lead"], LEAD)
    seen = page_data(project, source, coder, "everyone", None, None, None)
    assert seen["mode"] == "mine"
    assert {c["coder"] for c in seen["codings"]} == {people["coder"].id}
    assert [c["id"] for c in seen["coders"]] == [people["coder"].id]
    everyone = page_data(project, source, lead, "everyone", None, None, None)
    assert len(everyone["codings"]) == 2


def test_disagreements_mark_what_only_one_coder_coded():
    rows = [(1, 7, 10, 0, 10, False, False), (2, 7, 20, 5, 15, False, False),
            (3, 8, 10, 20, 30, False, False), (4, 8, 20, 20, 30, False, False)]
    assert disagreements(rows, 10, 20) == [
        {"code": 7, "coder": 10, "start": 0, "end": 5},
        {"code": 7, "coder": 20, "start": 10, "end": 15},
    ]


def test_compare_mode_sends_both_coders_and_their_disagreements(
        project, make_source, make_code, code_words, people):
    source = make_source()
    code = make_code("Theme")
    code_words(source, code, "Wrocławia z Guangzhou", coder="coder")
    code_words(source, code, "Guangzhou", coder="lead")
    lead = codings.viewer_in(project, people["lead"], LEAD)
    data = page_data(project, source, lead, "compare", people["coder"].id, people["lead"].id, None)
    assert len(data["codings"]) == 2
    (mark,) = data["disagreements"]
    assert source.text[mark["start"]:mark["end"]].strip() == "Wrocławia z"
