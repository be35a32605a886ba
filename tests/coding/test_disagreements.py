"""The disagreements of two coders as segments, each settle action, the consensus coding set
kept in the database, the figures before and after, and the pages."""

from __future__ import annotations

import pytest

from coding.codings import apply_codes, remove_coding, set_blind, viewer_in
from coding.comparison import ComparisonError, compare_coders
from coding.consensus import ConsensusError, consensus_coder, review, settle
from coding.disagreements import (
    A_ONLY,
    B_ONLY,
    DROP,
    EXTENT,
    KEEP_A,
    KEEP_B,
    KEEP_BOTH,
    MERGE,
    OTHER_CODE,
    SettleError,
    Span,
    compare_sides,
    marked_text,
)
from coding.models import Coding, ConsensusDecision
from coding.sources import document_paragraphs, replace_text
from fieldwork.accounts.accounts import authenticate
from fieldwork.extensions import db
from fieldwork.models import Membership

TEXT = ("The partnership with Guangzhou was signed in 2015. The city hoped for investors and "
        "direct flights. Students go to summer school in Charlotte. The national government "
        "wants to be consulted first. One person handles every partnership.")


# --- the segments, on crafted codings -------------------------------------------------------

def test_each_kind_of_disagreement_and_what_agrees() -> None:
    a = [Span("X", 0, 10), Span("Y", 20, 30), Span("Z", 40, 50), Span("W", 60, 70)]
    b = [Span("X", 0, 10), Span("Q", 22, 28), Span("Z", 38, 50), Span("V", 80, 90)]
    compared = compare_sides(a, b)
    assert compared.agreed == (Span("X", 0, 10),)
    assert [(d.kind, d.a, d.b) for d in compared.disagreements] == [
        (OTHER_CODE, (Span("Y", 20, 30),), (Span("Q", 22, 28),)),
        (EXTENT, (Span("Z", 40, 50),), (Span("Z", 38, 50),)),
        (A_ONLY, (Span("W", 60, 70),), ()),
        (B_ONLY, (), (Span("V", 80, 90),)),
    ]
    assert compared.disagreements[1].key == "A Z:40-50 | B Z:38-50"


def test_a_coder_s_overlapping_codings_count_once_and_touching_ranges_share_nothing() -> None:
    compared = compare_sides([Span("X", 0, 10), Span("X", 5, 20)], [Span("X", 0, 20)])
    assert compared.agreed == (Span("X", 0, 20),) and compared.disagreements == ()
    touching = compare_sides([Span("X", 0, 10)], [Span("X", 10, 20)])
    assert [d.kind for d in touching.disagreements] == [A_ONLY, B_ONLY]


def test_one_extent_segment_holds_every_range_it_chains() -> None:
    compared = compare_sides([Span("X", 0, 10), Span("X", 20, 30)], [Span("X", 5, 25)])
    (segment,) = compared.disagreements
    assert segment.kind == EXTENT and len(segment.a) == 2
    assert segment.outcome(MERGE) == (Span("X", 0, 30),)


def test_different_codes_pair_by_the_most_shared_characters() -> None:
    # A's X shares 5 characters with B's Y and 10 with B's Z: it goes with Z; Y stays B only.
    compared = compare_sides([Span("X", 0, 20)], [Span("Y", 0, 5), Span("Z", 10, 20)])
    assert [(d.kind, d.b) for d in compared.disagreements] == [
        (B_ONLY, (Span("Y", 0, 5),)), (OTHER_CODE, (Span("Z", 10, 20),))]


def test_each_action_gives_its_outcome_and_only_the_offered_ones_apply() -> None:
    extent = compare_sides([Span("Z", 40, 50)], [Span("Z", 38, 48)]).disagreements[0]
    assert extent.outcome(KEEP_A) == (Span("Z", 40, 50),)
    assert extent.outcome(KEEP_B) == (Span("Z", 38, 48),)
    assert extent.outcome(KEEP_BOTH) == (Span("Z", 38, 48), Span("Z", 40, 50))
    assert extent.outcome(MERGE) == (Span("Z", 38, 50),)
    assert extent.outcome(DROP) == ()
    only_a = compare_sides([Span("W", 0, 5)], []).disagreements[0]
    assert only_a.actions == (KEEP_A, DROP)
    with pytest.raises(SettleError, match="Keep B"):
        only_a.outcome(KEEP_B)
    other = compare_sides([Span("Y", 0, 9)], [Span("Q", 0, 9)]).disagreements[0]
    with pytest.raises(SettleError, match="Merge"):
        other.outcome(MERGE)


def test_the_text_around_a_segment_marks_who_coded_what() -> None:
    text = "one two three four five six seven"
    segment = compare_sides([Span("X", 4, 13)], [Span("X", 8, 18)]).disagreements[0]
    pieces = marked_text(text, segment, context=3)
    assert "".join(p.text for p in pieces) == "one two three four five"
    assert [(p.text, p.coded_by) for p in pieces] == [
        ("one ", ""), ("two ", "a"), ("three", "ab"), (" four", "b"), (" five", "")]


# --- in the database ------------------------------------------------------------------------

@pytest.fixture
def two_coders(project, people):
    """The coder (A, the lower id) and the lead (B), and codes X, Y and Z."""
    assert people["coder"].id > people["lead"].id
    return people["lead"], people["coder"]


@pytest.fixture
def crafted(project, two_coders, make_source, make_code):
    """One source with each kind of disagreement and one agreement, by A and B."""
    a, b = two_coders
    source = make_source(TEXT, title="Wrocław notes")
    x, y, z = make_code("Partners"), make_code("Investment"), make_code("Education")

    def code(user, code, words, until=None):
        start = TEXT.index(words)
        end = TEXT.index(until) + len(until) if until else start + len(words)
        apply_codes(source, [code.id], start, end, source.text_version, user)

    code(a, x, "Guangzhou")
    code(b, x, "Guangzhou")  # agreed
    code(a, y, "investors")
    code(b, z, "investors and direct")  # different code
    code(a, z, "summer school")
    code(b, z, "Students go to summer school")  # different extent
    code(a, x, "national government")  # A only
    code(b, y, "One person")  # B only
    return source, {"Partners": x, "Investment": y, "Education": z}


def kinds(found) -> list[str]:
    return [item.segment.kind for item in found.items]


def consensus_words(source, project) -> list[tuple[str, str]]:
    coder = consensus_coder(project)
    rows = db.session.scalars(db.select(Coding).where(
        Coding.source_id == source.id, Coding.coder_id == coder.id).order_by(Coding.start))
    return [(c.code.name, TEXT[c.start:c.end]) for c in rows]


def settle_kind(project, source, pair, kind, action, user):
    found = review(project, [source.id], pair)
    item = next(i for i in found.items if i.segment.kind == kind)
    return settle(project, [source.id], pair, source.id, item.segment.key, action, user)


def test_the_review_lists_each_kind_in_the_order_of_the_text(project, two_coders, crafted):
    source, _ = crafted
    a, b = two_coders
    found = review(project, [source.id], [b.id, a.id])
    assert (found.coder_a, found.coder_b) == (a, b)
    assert kinds(found) == [OTHER_CODE, EXTENT, A_ONLY, B_ONLY]
    assert found.settled == 0 and found.after_a is None
    assert [item.place for item in found.items] == ["paragraph 1"] * 4


@pytest.mark.parametrize(("kind", "action", "kept"), [
    (OTHER_CODE, KEEP_A, [("Investment", "investors")]),
    (OTHER_CODE, KEEP_B, [("Education", "investors and direct")]),
    (OTHER_CODE, KEEP_BOTH, [("Investment", "investors"), ("Education", "investors and direct")]),
    (EXTENT, KEEP_A, [("Education", "summer school")]),
    (EXTENT, KEEP_B, [("Education", "Students go to summer school")]),
    (EXTENT, MERGE, [("Education", "Students go to summer school")]),
    (EXTENT, KEEP_BOTH, [("Education", "Students go to summer school"),
                         ("Education", "summer school")]),
    (A_ONLY, KEEP_A, [("Partners", "national government")]),
    (B_ONLY, KEEP_B, [("Investment", "One person")]),
    (A_ONLY, DROP, []),
])
def test_each_settle_action_keeps_its_outcome_in_the_consensus(
        project, people, two_coders, crafted, kind, action, kept):
    source, _ = crafted
    pair = [c.id for c in two_coders]
    settle_kind(project, source, pair, kind, action, people["lead"])
    assert sorted(consensus_words(source, project)) == sorted([("Partners", "Guangzhou"), *kept])
    found = review(project, [source.id], pair)
    assert found.settled == 1
    assert next(i.action for i in found.items if i.segment.kind == kind) == action


def test_undo_and_a_second_decision_change_only_what_differs(project, people, two_coders,
                                                            crafted):
    source, _ = crafted
    pair = [c.id for c in two_coders]
    settle_kind(project, source, pair, A_ONLY, KEEP_A, people["lead"])
    agreed = db.session.scalar(db.select(Coding).where(
        Coding.coder_id == consensus_coder(project).id, Coding.start == TEXT.index("Guangzhou")))
    settle_kind(project, source, pair, A_ONLY, DROP, people["lead"])
    assert consensus_words(source, project) == [("Partners", "Guangzhou")]
    assert db.session.scalar(db.select(db.func.count()).select_from(ConsensusDecision)) == 1
    settle_kind(project, source, pair, A_ONLY, "undo", people["lead"])
    assert review(project, [source.id], pair).settled == 0
    still = db.session.scalar(db.select(Coding).where(
        Coding.coder_id == consensus_coder(project).id))
    assert still.id == agreed.id  # the agreed coding was kept, not made again


def test_figures_before_and_after(project, people, two_coders, crafted):
    source, _ = crafted
    a, b = two_coders
    pair = [a.id, b.id]
    for item in review(project, [source.id], pair).items:
        settle(project, [source.id], pair, source.id, item.segment.key,
               KEEP_B if item.segment.kind == B_ONLY else KEEP_A, people["lead"])
    found = review(project, [source.id], pair)
    assert found.settled == len(found.items) == 4
    before = found.before.overall_pairs[0]
    direct = compare_coders(project, [source.id], pair, []).results.overall_pairs[0]
    assert before.coded_text == direct.coded_text and before.all_text == direct.all_text
    # The consensus is A's coding with B's one addition: B against it differs where A did.
    after_a, after_b = found.after_a.overall_pairs[0], found.after_b.overall_pairs[0]
    one_person = len("One person")
    assert (after_a.coded_text.only_a, after_a.coded_text.only_b) == (0, one_person)
    assert after_b.coded_text.only_a == before.coded_text.only_b - one_person
    assert after_b.coded_text.percent > before.coded_text.percent
    assert after_a.coded_text.kappa > before.coded_text.kappa


def test_a_changed_coding_lapses_its_decision(project, people, two_coders, crafted):
    source, _ = crafted
    a, b = two_coders
    pair = [a.id, b.id]
    segment = settle_kind(project, source, pair, A_ONLY, KEEP_A, people["lead"])
    (coding,) = db.session.scalars(db.select(Coding).where(
        Coding.coder_id == a.id, Coding.start == segment.start))
    remove_coding(coding, viewer_in(project, a, "coder"))
    found = review(project, [source.id], pair)
    assert A_ONLY not in kinds(found) and found.settled == 0
    with pytest.raises(ConsensusError, match="changed since the page was opened"):
        settle(project, [source.id], pair, source.id, segment.key, KEEP_A, people["lead"])


def test_an_edit_of_the_text_carries_the_decisions_with_the_codings(
        project, people, two_coders, crafted):
    source, _ = crafted
    pair = [c.id for c in two_coders]
    settle_kind(project, source, pair, A_ONLY, KEEP_A, people["lead"])
    settle_kind(project, source, pair, EXTENT, MERGE, people["lead"])
    edited = "Notes from the visit, revised. " + TEXT.replace("investors and", "investors, and")
    replace_text(source, edited, document_paragraphs(edited), people["lead"])
    found = review(project, [source.id], pair)
    assert found.settled == 2
    assert {i.segment.kind: i.action for i in found.items if i.action} == {
        A_ONLY: KEEP_A, EXTENT: MERGE}
    # a later decision keeps what the earlier ones gave, at the words' new places
    settle_kind(project, source, pair, B_ONLY, DROP, people["lead"])
    coder = consensus_coder(project)
    kept = db.session.scalars(db.select(Coding).where(
        Coding.source_id == source.id, Coding.coder_id == coder.id).order_by(Coding.start))
    assert [edited[c.start:c.end] for c in kept] == [
        "Guangzhou", "Students go to summer school", "national government"]


def test_another_pair_cannot_settle_where_a_consensus_is_being_built(
        project, people, two_coders, crafted, make_user):
    source, codes = crafted
    a, b = two_coders
    settle_kind(project, source, [a.id, b.id], A_ONLY, KEEP_A, people["lead"])
    third = make_user("Third coder")
    db.session.add(Membership(project=project, user=third, role="coder"))
    apply_codes(source, [codes["Partners"].id], 0, 3, source.text_version, third)
    found = review(project, [source.id], [a.id, third.id])
    assert found.held[source.id] == ("Wrocław notes", a.name, b.name)
    with pytest.raises(ConsensusError, match="being settled for two other coders"):
        settle(project, [source.id], [a.id, third.id], source.id, found.items[0].segment.key,
               KEEP_A, people["lead"])


def test_the_consensus_coder_signs_in_nowhere_and_is_not_a_coder_to_settle(
        project, people, two_coders, crafted):
    source, _ = crafted
    a, b = two_coders
    settle_kind(project, source, [a.id, b.id], A_ONLY, KEEP_A, people["lead"])
    coder = consensus_coder(project)
    assert coder.name == "Consensus" and not coder.active
    assert authenticate(coder.email, "") is None
    with pytest.raises(ConsensusError, match="choose two coders"):
        review(project, [source.id], [a.id, coder.id])
    # the agreement page can compare a coder with the consensus like any coder
    assert compare_coders(project, [source.id], [a.id, coder.id], []).results.codes


def test_a_review_needs_two_coders_and_a_source(project, two_coders, crafted):
    source, _ = crafted
    a, _ = two_coders
    with pytest.raises(ConsensusError, match="exactly two coders"):
        review(project, [source.id], [a.id])
    with pytest.raises(ComparisonError, match="at least one source"):
        review(project, [], [c.id for c in two_coders])


# --- the pages ------------------------------------------------------------------------------

def page_query(source, pair) -> str:
    return f"?sources={source.id}&coders={pair[0].id}&coders={pair[1].id}"


def test_the_page_lists_and_the_lead_settles(project, people, two_coders, crafted, client_for):
    source, _ = crafted
    query = page_query(source, two_coders)
    url = f"/projects/{project.id}/coding/agreement/disagreements"
    lead = client_for(people["lead"])
    page = lead.get(url + query)
    assert page.status_code == 200
    for words in ("Different code", "Different extent", "A only", "B only", "4</strong> to settle",
                  "coded nothing here", "No consensus yet"):
        assert words in page.text
    item = next(i for i in review(project, [source.id], [c.id for c in two_coders]).items
                if i.segment.kind == EXTENT)
    settled = lead.post(url + "/settle" + query, data={
        "source": source.id, "segment": item.segment.key, "action": MERGE})
    assert settled.status_code == 303 and settled.location.endswith(f"#{item.anchor}")
    page = lead.get(url + query)
    assert "Settled: Merge the extents." in page.text and "3</strong> to settle" in page.text
    assert "After: A / consensus" in page.text and "No consensus yet" not in page.text
    refused = lead.post(url + "/settle" + query, data={
        "source": source.id, "segment": item.segment.key, "action": "sideways"})
    assert refused.status_code == 303
    assert "does not apply" in lead.get(url + query).text


def test_coders_read_but_do_not_settle_and_blind_coding_hides_the_page(
        project, people, two_coders, crafted, client_for):
    source, _ = crafted
    query = page_query(source, two_coders)
    url = f"/projects/{project.id}/coding/agreement/disagreements"
    coder = client_for(people["coder"])
    page = coder.get(url + query)
    assert "Different extent" in page.text and 'class="settle"' not in page.text
    assert coder.post(url + "/settle" + query, data={"source": source.id}).status_code == 403
    set_blind(project, True, people["lead"])
    assert "Blind coding is on" in coder.get(url + query).text


def test_the_agreement_page_leaves_out_codes_neither_coder_used(
        project, people, two_coders, crafted, make_code, client_for):
    source, codes = crafted
    unused = make_code("Never used")
    a, b = two_coders
    chosen = "".join(f"&codes={c.id}" for c in [*codes.values(), unused])
    url = f"/projects/{project.id}/coding/agreement{page_query(source, two_coders)}{chosen}"
    client = client_for(people["lead"])
    page = client.get(url)
    assert "Never used" in page.text  # named in the note, not in the table
    assert "Left out: 1 of the chosen codes" in page.text and page.text.count("100.0 %") == 0
    shown = client.get(url + "&unused=y")
    assert "Left out" not in shown.text and "100.0 %" in shown.text
    comparison = compare_coders(project, [source.id], [a.id, b.id],
                                [unused.id, codes["Partners"].id])
    assert [row.code for row in comparison.results.codes] == [codes["Partners"].id]
    assert comparison.unused == ["Never used"]
    assert "disagreements one by one" in page.text


def test_a_long_list_comes_in_pages(project, people, two_coders, make_source, make_code,
                                    client_for):
    a, b = two_coders
    words = " ".join(f"w{n:03d}" for n in range(120))
    source = make_source(words)
    code = make_code("Partners")
    db.session.add_all([Coding(project_id=project.id, source_id=source.id, code_id=code.id,
                               coder_id=a.id, start=5 * n, end=5 * n + 4) for n in range(120)])
    db.session.add(Coding(project_id=project.id, source_id=source.id, code_id=code.id,
                          coder_id=b.id, start=0, end=4))
    db.session.flush()
    url = f"/projects/{project.id}/coding/agreement/disagreements{page_query(source, two_coders)}"
    client = client_for(people["lead"])
    first = client.get(url).text
    assert "1–100 of 119" in first and "Later →" in first
    assert first.count('class="segment"') == 100
    last = client.get(url + "&from=100").text
    assert "101–119 of 119" in last and "← Earlier" in last and "Later" not in last
    assert last.count('class="segment"') == 19 and 'start="101"' in last
