"""Settling disagreements in a real browser with the keyboard alone: each key sends its
decision, the list and the figures come back, and the next disagreement takes the focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coding.codebook import CodeFields, create_code
from coding.codings import apply_codes
from coding.consensus import consensus_coder
from coding.models import Coding, ConsensusDecision, Source
from coding.sources import document_paragraphs
from fieldwork.extensions import db
from fieldwork.models import Project, User
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]

TEXT = ("Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku.\n\n"
        "Urząd miasta ma jedną osobę do spraw partnerstw zagranicznych.\n\n"
        "Studenci jeżdżą na letnią szkołę do Charlotte.")


def code(source: Source, code_id: int, words: str, user: User) -> None:
    start = TEXT.index(words)
    apply_codes(source, [code_id], start, start + len(words), source.text_version, user)


@pytest.fixture
def source(project: Project, people: dict[str, User]) -> Source:
    """The lead (A) and the coder (B) disagree three times: an extent, A only, B only."""
    source = Source(project_id=project.id, kind="document", title="Notatki z Wrocławia",
                    text=TEXT, paragraphs=document_paragraphs(TEXT))
    db.session.add(source)
    db.session.flush()
    staff, partners, education = (
        create_code(project, CodeFields(name=name), None, people["lead"]).id
        for name in ("Staff", "Partners", "Education"))
    lead, coder = people["lead"], people["coder"]
    code(source, partners, "Guangzhou", lead)
    code(source, partners, "Guangzhou", coder)
    code(source, staff, "jedną osobę", lead)
    code(source, staff, "jedną osobę do spraw partnerstw", coder)
    code(source, partners, "Wrocławia", lead)
    code(source, education, "letnią szkołę", coder)
    db.session.commit()
    return source


def decisions() -> list[str]:
    db.session.rollback()
    return [d.action for d in db.session.scalars(
        db.select(ConsensusDecision).order_by(ConsensusDecision.id))]


def test_settling_with_the_keyboard(page: Page, live_server: LiveServer, project: Project,
                                    people: dict[str, User], source: Source) -> None:
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{project.id}/coding/agreement/disagreements?sources={source.id}"
              f"&coders={people['lead'].id}&coders={people['coder'].id}")
    segments = page.locator(".segment")
    expect(segments).to_have_count(3)
    expect(page.locator("#review-title")).to_contain_text(people["lead"].name)
    expect(page.locator("#main")).to_contain_text("No consensus yet")

    # A only ("Wrocławia"), first in the text: keep it; the focus goes to the next one.
    page.keyboard.press("a")
    expect(segments.nth(0)).to_contain_text("Settled: Keep A")
    expect(segments.nth(1)).to_be_focused()
    expect(page.locator("#main")).to_contain_text("1 settled")
    assert decisions() == ["keep_a"]

    # Different extent ("jedną osobę"): merge; then B only ("letnią szkołę"): drop.
    page.keyboard.press("m")
    expect(segments.nth(1)).to_contain_text("Settled: Merge the extents")
    expect(segments.nth(2)).to_be_focused()
    page.keyboard.press("d")
    expect(segments.nth(2)).to_contain_text("Settled: Drop")
    expect(page.locator("#main")).to_contain_text("3 settled, 0 to settle")
    assert decisions() == ["keep_a", "merge", "drop"]
    expect(page.locator("#main")).not_to_contain_text("No consensus yet")
    expect(page.locator("#main")).not_to_contain_text("not final")

    # Back up to the extent with the arrow key, undo it, and settle it again with B's.
    page.keyboard.press("ArrowUp")
    expect(segments.nth(1)).to_be_focused()
    page.keyboard.press("u")
    expect(segments.nth(1)).not_to_contain_text("Settled")
    expect(segments.nth(1)).to_be_focused()
    page.keyboard.press("b")
    expect(segments.nth(1)).to_contain_text("Settled: Keep B")
    assert sorted(decisions()) == ["drop", "keep_a", "keep_b"]

    consensus = consensus_coder(project)
    kept = db.session.scalars(db.select(Coding).where(Coding.coder_id == consensus.id)
                              .order_by(Coding.start))
    assert [TEXT[c.start:c.end] for c in kept] == [
        "Wrocławia", "Guangzhou", "jedną osobę do spraw partnerstw"]


def test_a_key_with_no_button_does_nothing(page: Page, live_server: LiveServer,
                                           project: Project, people: dict[str, User],
                                           source: Source) -> None:
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{project.id}/coding/agreement/disagreements?sources={source.id}"
              f"&coders={people['lead'].id}&coders={people['coder'].id}")
    # The first disagreement is A only: B has nothing to keep, and nothing to merge.
    page.keyboard.press("b")
    page.keyboard.press("m")
    page.keyboard.press("n")
    expect(page.locator(".segment").nth(1)).to_be_focused()
    expect(page.locator(".segment.settled")).to_have_count(0)
    assert decisions() == []
