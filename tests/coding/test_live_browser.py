"""Coding together in two real browsers: two coders on the same text, each at their own
computer (two browser contexts, two users). Each sees the other's codings appear without a
reload, sees who else has the text open, and is told when its words were changed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from coding.codebook import CodeFields, create_code
from coding.codings import Viewer, change_code, remove_coding
from coding.live import MOST_EVENTS
from coding.models import Code, Coding, Memo, Source
from coding.sources import document_paragraphs, edit_document_text
from fieldwork.extensions import db
from fieldwork.models import Project, User
from tests.coding.test_coding_browser import drag_over_words, open_page, select_words
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]

TEXT = ("Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku.\n\n"
        "Urząd miasta ma jedną osobę do spraw partnerstw zagranicznych.")


@pytest.fixture
def source(project: Project, people: dict[str, User]) -> Source:
    source = Source(project_id=project.id, kind="document", title="Notatki z Wrocławia",
                    text=TEXT, paragraphs=document_paragraphs(TEXT))
    db.session.add(source)
    db.session.flush()
    create_code(project, CodeFields(name="Staff", shortcut="s"), None, people["lead"])
    db.session.commit()
    return source


@pytest.fixture
def second_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """Another person's browser: cookies and storage of its own."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    problems: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield tab
    context.close()
    assert problems == []


def test_two_coders_see_each_others_codings_appear_and_who_is_coding(
        page: Page, second_page: Page, live_server: LiveServer, people: dict[str, User],
        source: Source) -> None:
    open_page(second_page, live_server, people["coder"], source)
    open_page(page, live_server, people["lead"], source)
    expect(second_page.locator("#live-presence")).to_have_text(
        "Lead is coding this document")
    expect(page.locator("#live-presence")).to_have_text("Coder is coding this document")

    select_words(page, "jedną osobę do spraw")
    page.keyboard.press("s")
    coded = time.monotonic()
    expect(second_page.locator(".piece.coded")).to_have_text("jedną osobę do spraw",
                                                             timeout=2_000)
    assert time.monotonic() - coded < 2.0
    expect(second_page.locator(".piece.coded")).to_have_attribute(
        "title", "Staff — Lead")

    select_words(second_page, "Guangzhou")
    second_page.keyboard.press("s")
    expect(page.locator(".piece.coded", has_text="Guangzhou")).to_have_count(1, timeout=2_000)

    page.locator(".piece.coded", has_text="jedną osobę").click()
    page.locator(".coding-card").get_by_role("button", name="Remove").click()
    expect(second_page.locator(".piece.coded", has_text="jedną osobę")).to_have_count(
        0, timeout=2_000)

    page.close()
    expect(second_page.locator("#live-presence")).to_be_hidden(timeout=3_000)


def test_a_coding_arriving_while_the_mouse_is_down_does_not_undo_the_selection(
        page: Page, second_page: Page, live_server: LiveServer, people: dict[str, User],
        source: Source) -> None:
    """The other coder's coding arrives between pressing the button and dragging: the page
    waits with drawing it until the words are chosen and coded, then shows both."""
    open_page(second_page, live_server, people["coder"], source)
    open_page(page, live_server, people["lead"], source)
    page.evaluate("""() => { window.liveChanges = 0; document.getElementById("coding")
        .addEventListener("fieldwork:live", () => { window.liveChanges += 1; }); }""")

    def other_coder_codes() -> None:
        select_words(second_page, "jedną osobę do spraw")
        second_page.keyboard.press("s")
        page.wait_for_function("() => window.liveChanges > 0")

    drag_over_words(page, "Guangzhou", other_coder_codes)
    expect(page.locator("#coding-status")).to_contain_text("“Guangzhou”")
    page.keyboard.press("s")
    expect(page.locator(".piece.coded", has_text="Guangzhou")).to_have_count(1)
    expect(page.locator(".piece.coded", has_text="jedną osobę do spraw")).to_have_count(1)


def lead_codes_everything(live_server: LiveServer, people: dict[str, User], source: Source,
                          also: Callable[[User], None] = lambda lead: None) -> None:
    """The lead codes a whole text at once: more changes than are sent one by one, so every
    page open on it reloads its codings and redraws."""
    with live_server.app.app_context():
        lead = db.session.get(User, people["lead"].id)
        staff = db.session.scalar(db.select(Code.id).where(Code.name == "Staff"))
        db.session.add_all([Coding(project_id=source.project_id, source_id=source.id,
                                   code_id=staff, coder_id=lead.id, start=n % 50,
                                   end=n % 50 + 5, quote="") for n in range(MOST_EVENTS + 1)])
        also(lead)
        db.session.commit()


def count_redraws(page: Page) -> None:
    """window.redrawn counts the page's redraws, window.cardsMade the times the cards of the
    codings shown were made anew."""
    page.evaluate("""() => { window.cardsMade = 0; window.redrawn = 0;
        new MutationObserver(() => { window.cardsMade += 1; }).observe(
            document.getElementById("details-body"), {childList: true});
        document.getElementById("coding").addEventListener("coding:rendered",
            () => { window.redrawn += 1; }); }""")


def test_words_selected_stay_selected_when_the_page_redraws(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    """The page reloads its codings and redraws the text while words are selected (the
    suggestions panel asks for it when a suggestion is accepted; a reload already under way
    when the words were chosen does the same): the words stay selected on screen, and a
    code's key codes them."""
    open_page(page, live_server, people["coder"], source)
    select_words(page, "Guangzhou")
    count_redraws(page)

    page.evaluate("""() => document.getElementById("coding").dispatchEvent(
        new CustomEvent("coding:reload"))""")
    page.wait_for_function("() => window.redrawn > 0")
    assert page.evaluate("window.getSelection().toString()") == "Guangzhou"
    page.keyboard.press("s")

    expect(page.locator("#coding-status")).to_contain_text("Coded with “Staff”")
    db.session.rollback()
    mine = db.session.scalars(db.select(Coding).where(
        Coding.coder_id == people["coder"].id)).all()
    assert [(c.start, c.end) for c in mine] == [(TEXT.index("Guangzhou"),
                                                 TEXT.index("Guangzhou") + len("Guangzhou"))]


def test_a_memo_being_written_survives_the_page_redrawing_and_is_never_dropped_unsaid(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    """A colleague codes a whole text at once (more changes than are sent one by one), so
    the page reloads its codings and redraws while the coder writes a memo. The card of a
    coding that did not change is left as it is; when the colleague also changed that
    coding's code, the card is made anew and the words typed move to it, and are saved.
    When the colleague removes the coding, the memo's words are shown in the status line."""
    open_page(page, live_server, people["coder"], source)
    select_words(page, "jedną osobę do spraw")
    page.keyboard.press("s")
    page.keyboard.press("Escape")
    page.locator(".piece.coded").click()
    memo = page.locator(".coding-card textarea")
    memo.fill("Only one person")
    count_redraws(page)

    lead_codes_everything(live_server, people, source)
    page.wait_for_function("() => window.redrawn > 0")
    assert page.evaluate("window.cardsMade") == 0
    expect(memo).to_have_value("Only one person")

    def recode(lead: User) -> None:
        mine = db.session.scalar(db.select(Coding).where(Coding.coder_id == people["coder"].id))
        offices = create_code(db.session.get(Project, source.project_id),
                              CodeFields(name="Offices abroad"), None, lead)
        change_code(mine, offices.id, Viewer(lead, "lead", False))

    lead_codes_everything(live_server, people, source, recode)
    expect(page.locator(".coding-card")).to_contain_text("Offices abroad")
    assert page.evaluate("window.cardsMade") > 0
    expect(memo).to_have_value("Only one person")
    page.get_by_role("button", name="Save memo").click()
    expect(page.locator("#coding-status")).to_have_text("Memo saved.")
    db.session.rollback()
    assert db.session.scalar(db.select(Memo.body)) == "Only one person"

    memo.fill("Only one person, part-time")
    with live_server.app.app_context():
        mine = db.session.scalar(db.select(Coding).where(Coding.coder_id == people["coder"].id))
        remove_coding(mine, Viewer(db.session.get(User, people["lead"].id), "lead", False))
        db.session.commit()

    expect(page.locator("#coding-status")).to_contain_text(
        "The memo you were writing was not saved")
    expect(page.locator("#coding-status")).to_contain_text("“Only one person, part-time”")


def test_a_page_is_told_when_the_words_it_shows_were_changed(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    open_page(page, live_server, people["coder"], source)
    expect(page.locator("#text-changed")).to_be_hidden()
    with live_server.app.app_context():
        edited = db.session.get(Source, source.id)
        edit_document_text(edited, TEXT.replace("Urząd", "Magistrat"), db.session.get(
            User, people["lead"].id))
        db.session.commit()

    expect(page.locator("#text-changed")).to_be_visible(timeout=2_000)
    select_words(page, "jedną osobę")
    page.keyboard.press("s")
    expect(page.locator("#coding-status")).to_contain_text(
        "The text was changed since this page was opened")
    page.locator("#text-changed a").click()
    expect(page.locator("#source-text")).to_contain_text("Magistrat miasta")
    expect(page.locator("#text-changed")).to_be_hidden()


def test_pages_whose_streams_keep_ending_miss_nothing_and_compare_coders_live(
        page: Page, second_page: Page, live_server: LiveServer, people: dict[str, User],
        source: Source) -> None:
    """Streams of one second: the browser reconnects again and again with its last event's
    id, and the codings made meanwhile still arrive; coder against coder redraws the
    differences as the other coder codes."""
    live_server.app.config["LIVE_STREAM_SECONDS"] = 1
    try:
        open_page(second_page, live_server, people["coder"], source)
        second_page.select_option("#mode", "compare")
        second_page.select_option("#coder-a", str(people["lead"].id))
        second_page.select_option("#coder-b", str(people["coder"].id))
        open_page(page, live_server, people["lead"], source)
        for words in ("Współpraca Wrocławia", "Guangzhou", "Urząd miasta"):
            select_words(page, words)
            page.keyboard.press("s")
            expect(page.locator(".piece.coded", has_text=words)).to_have_count(1)
            page.wait_for_timeout(700)

        for words in ("Współpraca Wrocławia", "Guangzhou", "Urząd miasta"):
            expect(second_page.locator(".piece.disagree", has_text=words)).to_have_count(
                1, timeout=3_000)
    finally:
        live_server.app.config["LIVE_STREAM_SECONDS"] = 20
