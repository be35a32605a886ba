"""Code suggestions in a real browser, as a third coder new to the project would use them on
a new Polish transcript: ask, see dashed highlights with their codes and reasons, accept three
(two with keys, one with its button), reject two (a key and the button), and find that the
agreement page counts only the accepted ones; accepting words already coded by hand says so
and leaves that coding alone; then passages like a coding."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coding.codings import apply_codes
from coding.comparison import compare_coders
from coding.models import CodeSuggestion, Coding, Source
from coding.sources import document_paragraphs
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Membership, Project, User
from fieldwork.permissions import CODER
from tests.coding.test_suggestions import CODES, EARLIER, NEW, sentence
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]


@pytest.fixture
def sources(project: Project, people: dict[str, User], make_code) -> tuple[Source, Source]:
    earlier, new = (Source(project_id=project.id, kind="document", title=title, text=text,
                           paragraphs=document_paragraphs(text))
                    for title, text in (("Wywiad 1", EARLIER), ("Wywiad 2 (nowy)", NEW)))
    db.session.add_all([earlier, new])
    db.session.flush()
    for name, (definition, begins) in CODES.items():
        code = make_code(name, definition=definition)
        for words in begins:
            start, end = sentence(earlier, words)
            apply_codes(earlier, [code.id], start, end, earlier.text_version, people["coder"])
    start, end = sentence(new, "Pogoda")
    apply_codes(new, [code.id], start, end, new.text_version, people["coder"])
    db.session.commit()
    return earlier, new


@pytest.fixture
def ewa(project: Project, make_user) -> User:
    user = make_user("Ewa")
    db.session.add(Membership(project=project, user=user, role=CODER))
    db.session.commit()
    return user


def open_source(page: Page, live_server: LiveServer, user: User, source: Source) -> None:
    live_server.log_in(page, user)
    page.goto(f"/projects/{source.project_id}/coding/sources/{source.id}")
    expect(page.locator("#coding")).to_have_attribute("data-ready", "1")


def test_accept_three_with_keys_and_buttons_reject_two_and_agreement_counts_the_accepted(
        page: Page, live_server: LiveServer, project: Project, people: dict[str, User],
        ewa: User, sources: tuple[Source, Source]) -> None:
    _earlier, new = sources
    open_source(page, live_server, ewa, new)
    expect(page.locator("#suggest-model")).to_contain_text(
        "Universal Sentence Encoder, multilingual v3, as numpy weights")
    expect(page.locator("#suggest-model")).to_contain_text(
        "Licence: the classifier: Fieldwork's own code; the sentence encoder: Apache-2.0")
    page.select_option("#suggest-scope", "all")
    page.click("#suggest-codes")
    items = page.locator("#suggestion-list li")
    expect(items.first).to_be_focused()
    offered = items.count()
    assert offered >= 5
    expect(page.locator(".suggestion-mark").first).to_be_visible()
    expect(page.locator(".suggestion-tag").first).to_have_text(
        items.first.locator("strong").inner_text() + "?")
    expect(items.first.locator(".reason")).to_contain_text("Like an earlier coding")

    page.keyboard.press("a")
    expect(items).to_have_count(offered - 1)
    expect(page.locator("#coding-status")).to_contain_text("from a suggestion")
    expect(items.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(items).to_have_count(offered - 2)
    page.keyboard.press("r")
    expect(items).to_have_count(offered - 3)
    expect(page.locator("#coding-status")).to_have_text(
        "Suggestion rejected: it will not be offered again.")
    items.first.get_by_role("button", name="Accept").click()
    expect(items).to_have_count(offered - 4)
    items.first.get_by_role("button", name="Reject").click()
    expect(items).to_have_count(offered - 5)

    db.session.rollback()
    decided = db.session.scalars(db.select(CodeSuggestion).where(
        CodeSuggestion.status != "pending").order_by(CodeSuggestion.decided_at)).all()
    assert [s.status for s in decided] == ["accepted", "accepted", "rejected", "accepted",
                                           "rejected"]
    accepted = [s for s in decided if s.status == "accepted"]
    codings = db.session.scalars(db.select(Coding).where(Coding.coder_id == ewa.id)).all()
    assert sorted((c.code_id, c.start, c.end) for c in codings) == sorted(
        (s.code_id, s.start, s.end) for s in accepted)
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action.like("coding.suggestion_%"))) == 5
    # the accepted are codings on the page now: coloured, and from a suggestion in their card
    ranges = {(c.start, c.end) for c in [*codings, *new_codings(new, people["coder"])]}
    expect(page.locator(".piece.coded")).to_have_count(len(ranges))
    first = min(s.start for s in accepted)
    page.locator(f'.piece.coded[data-a="{first}"]').click()
    expect(page.locator(".coding-card").first).to_contain_text("from a suggestion")

    comparison = compare_coders(project, [new.id], [ewa.id, people["coder"].id], [])
    by_code = {row.code: row.pairs[0] for row in comparison.results.codes}
    for code_id in {s.code_id for s in accepted}:
        pair = by_code[code_id]
        mine = pair.all_text.both + (pair.all_text.only_a if pair.coder_a == ewa.id
                                     else pair.all_text.only_b)
        assert mine == sum(s.end - s.start for s in accepted if s.code_id == code_id)
    rejected_only = {s.code_id for s in decided if s.status == "rejected"} - {
        s.code_id for s in accepted} - {c.code_id for c in new_codings(new, people["coder"])}
    assert not rejected_only & set(by_code)

    page.goto(f"/projects/{new.project_id}/coding/agreement?sources={new.id}"
              f"&coders={ewa.id}&coders={people['coder'].id}")
    names = set(comparison.code_names.values())
    for name in names:
        expect(page.locator("table.agreement")).to_contain_text(name)


def new_codings(source: Source, coder: User) -> list[Coding]:
    return list(db.session.scalars(db.select(Coding).where(Coding.source_id == source.id,
                                                           Coding.coder_id == coder.id)))


def test_passages_like_a_coding_can_be_coded_from_the_list(
        page: Page, live_server: LiveServer, people: dict[str, User], ewa: User,
        sources: tuple[Source, Source]) -> None:
    earlier, new = sources
    open_source(page, live_server, ewa, earlier)
    page.locator(".piece.coded", has_text="W urzędzie jedna osoba").click()
    page.locator(".coding-card").first.get_by_role("button", name="Passages like this").click()
    first = page.locator("#like-list li").first
    expect(first).to_contain_text("Sprawami partnerstw zajmuje się w urzędzie")
    expect(first.locator("a")).to_have_text("Wywiad 2 (nowy)")
    first.get_by_label("Code to apply").select_option(label="Staff")
    first.get_by_role("button", name="Code it").click()
    expect(first.get_by_role("button", name="Coded")).to_be_disabled()
    db.session.rollback()
    start, end = sentence(new, "Sprawami")
    assert [(c.code.name, c.start, c.end) for c in new_codings(new, ewa)] == [
        ("Staff", start, end)]


def test_accepting_words_already_coded_by_hand_says_so_and_leaves_the_coding(
        page: Page, live_server: LiveServer, ewa: User, sources: tuple[Source, Source]) -> None:
    _earlier, new = sources
    open_source(page, live_server, ewa, new)
    page.select_option("#suggest-scope", "all")
    page.click("#suggest-codes")
    items = page.locator("#suggestion-list li")
    expect(items.first).to_be_focused()
    db.session.rollback()
    first = db.session.scalars(db.select(CodeSuggestion).where(
        CodeSuggestion.user_id == ewa.id, CodeSuggestion.source_id == new.id)
        .order_by(CodeSuggestion.start, CodeSuggestion.score.desc())).first()
    # Ewa codes the same words with the same code by hand (in another tab) before deciding
    (by_hand,) = apply_codes(new, [first.code_id], first.start, first.end, new.text_version, ewa)
    db.session.commit()

    page.keyboard.press("a")
    expect(page.locator("#coding-status")).to_have_text(
        f"You had already coded these words with “{first.code.name}” by hand: your coding is "
        "left as it was.")
    db.session.rollback()
    assert [c.id for c in new_codings(new, ewa)] == [by_hand.id]
    page.locator(f'.piece.coded[data-a="{first.start}"]').click()
    card = page.locator(".coding-card").first
    expect(card).to_contain_text(first.code.name)
    expect(card).not_to_contain_text("from a suggestion")
