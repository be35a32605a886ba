"""The coding page in a real browser: selecting words, applying codes with keys and the
type-ahead, overlapping highlights and margin bars, a coding's card with its memo, undo,
in-vivo codes, the code filter and coder against coder."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from coding.codebook import CodeFields, create_code
from coding.codings import apply_codes
from coding.models import Code, Coding, Memo, Source
from coding.sources import document_paragraphs, source_of_transcript
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.transcripts import editing
from interviews.transcripts.models import Transcript
from tests.access_samples import recordings_sample
from tests.coding.conftest import POLISH
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]

TEXT = POLISH + "\n\n广州与弗罗茨瓦夫于2015年签署友好城市协议。"


@pytest.fixture
def source(project: Project, people: dict[str, User]) -> Source:
    source = Source(project_id=project.id, kind="document", title="Notatki z Wrocławia",
                    text=TEXT, paragraphs=document_paragraphs(TEXT))
    db.session.add(source)
    db.session.flush()
    for name, key in (("Staff", "s"), ("Offices abroad", "o"), ("Partners", "")):
        create_code(project, CodeFields(name=name, shortcut=key), None, people["lead"])
    db.session.commit()
    return source


def open_page(page: Page, live_server: LiveServer, user: User, source: Source) -> None:
    live_server.log_in(page, user)
    page.goto(f"/projects/{source.project_id}/coding/sources/{source.id}")
    expect(page.locator("#coding")).to_have_attribute("data-ready", "1")


def drag_over_words(page: Page, words: str,
                    while_pressed: Callable[[], None] = lambda: None) -> None:
    """Drag the mouse over the words in the coding page's text, as a reader does, calling
    `while_pressed` after the button goes down and before the mouse moves."""
    box = page.evaluate("""words => {
        const text = document.getElementById("source-text");
        const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
        const nodes = [];
        let all = "";
        while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]);
                                    all += walker.currentNode.data; }
        const at = all.indexOf(words);
        if (at < 0) return null;
        const place = (offset, end) => {
            for (let i = nodes.length - 1; i >= 0; i--) {
                const [node, start] = nodes[i];
                if (start < offset || (!end && start === offset)) return [node, offset - start];
            }
        };
        const range = document.createRange();
        range.setStart(...place(at, false));
        range.setEnd(...place(at + words.length, true));
        const rects = range.getClientRects();
        const first = rects[0], last = rects[rects.length - 1];
        return {x0: first.left + 1, y0: first.top + first.height / 2,
                x1: last.right - 1, y1: last.top + last.height / 2};
    }""", words)
    assert box, f"“{words}” is not in the text"
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    while_pressed()
    page.mouse.move(box["x1"], box["y1"], steps=5)
    page.mouse.up()
    assert page.evaluate("() => window.getSelection().toString()").strip() == words.strip()


def select_words(page: Page, words: str) -> None:
    """Select the words in the text as a mouse drag would, then release the mouse."""
    page.evaluate("""words => {
        const text = document.getElementById("source-text");
        const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
        const nodes = [];
        let all = "";
        while (walker.nextNode()) {
            nodes.push([walker.currentNode, all.length]);
            all += walker.currentNode.data;
        }
        const at = all.indexOf(words);
        const place = (offset) => {
            for (let i = nodes.length - 1; i >= 0; i--) {
                if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
            }
        };
        const range = document.createRange();
        range.setStart(...place(at));
        range.setEnd(...place(at + words.length));
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        text.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
    }""", words)
    # the page notes a selection after the mouse is released; a key pressed sooner has none
    expect(page.locator("#coding-status")).to_contain_text(f"{len(words)} characters selected")


def codings_of(source: Source) -> list[tuple[str, str, str]]:
    """(code, coder, words) of every coding of the source, read from the database."""
    db.session.rollback()
    rows = db.session.scalars(db.select(Coding).where(Coding.source_id == source.id)
                              .order_by(Coding.id))
    return [(c.code.name, c.coder.name, TEXT[c.start:c.end]) for c in rows]


def test_coding_with_keys_type_ahead_overlaps_memo_and_undo(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    open_page(page, live_server, people["coder"], source)
    coder = people["coder"].name

    select_words(page, "jedną osobę do spraw")
    page.keyboard.press("s")
    expect(page.locator(".piece.coded")).to_have_count(1)
    assert codings_of(source) == [("Staff", coder, "jedną osobę do spraw")]

    select_words(page, "osobę do spraw partnerstw")
    page.keyboard.press("/")
    page.keyboard.type("offic")
    page.keyboard.press("Enter")
    expect(page.locator(".piece.multi")).to_have_text("osobę do spraw")
    expect(page.locator(".para-row .bar")).to_have_count(2)
    assert codings_of(source)[-1] == ("Offices abroad", coder, "osobę do spraw partnerstw")

    select_words(page, "弗罗茨瓦夫")
    page.click("#code-list li:has-text('Partners')")
    expect(page.locator(".piece.coded", has_text="弗罗茨瓦夫")).to_have_count(1)
    assert codings_of(source)[-1] == ("Partners", coder, "弗罗茨瓦夫")

    page.keyboard.press("Escape")
    page.locator(".piece.coded", has_text="弗罗茨瓦夫").click()
    card = page.locator(".coding-card")
    expect(card).to_contain_text("Partners")
    expect(card).to_contain_text(coder)
    card.locator("textarea").fill("Chinese name of the city")
    card.get_by_role("button", name="Save memo").click()
    expect(page.locator("#coding-status")).to_have_text("Memo saved.")
    db.session.rollback()
    assert db.session.scalar(db.select(Memo.body)) == "Chinese name of the city"

    page.locator("#source-text").click(position={"x": 2, "y": 2})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    expect(page.locator(".piece.coded", has_text="弗罗茨瓦夫")).to_have_count(0)
    assert [c[0] for c in codings_of(source)] == ["Staff", "Offices abroad"]


def test_in_vivo_code_and_the_code_filter(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    open_page(page, live_server, people["lead"], source)
    select_words(page, "Guangzhou")
    expect(page.locator("#in-vivo")).to_be_enabled()
    page.keyboard.press("Alt+v")
    expect(page.locator("#code-list li", has_text="Guangzhou")).to_have_count(1)
    select_words(page, "Urząd miasta")
    page.keyboard.press("s")
    expect(page.locator(".piece.coded")).to_have_count(2)
    assert sorted(c[0] for c in codings_of(source)) == ["Guangzhou", "Staff"]

    staff = db.session.scalar(db.select(Code.id).where(Code.name == "Staff"))
    page.select_option("#code-filter", str(staff))
    expect(page.locator(".piece.coded")).to_have_count(1)
    expect(page.locator(".piece.coded")).to_have_text("Urząd miasta")


def test_in_vivo_codes_are_for_who_may_edit_the_codebook(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    codes = db.session.scalar(db.select(db.func.count()).select_from(Code))
    open_page(page, live_server, people["coder"], source)
    expect(page.locator("#in-vivo")).to_have_count(0)
    expect(page.locator(".shortcuts")).not_to_contain_text("in-vivo")
    select_words(page, "Guangzhou")
    page.keyboard.press("Alt+v")
    expect(page.locator("#coding-status")).to_have_text(
        "Only the lead adds codes to the codebook: choose an existing code, or write a memo to "
        "suggest one.")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Code)) == codes
    assert codings_of(source) == []
    page.keyboard.press("s")
    expect(page.locator(".piece.coded")).to_have_count(1)


def test_coder_against_coder_marks_disagreements(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    staff = db.session.scalar(db.select(Code).where(Code.name == "Staff"))
    start = TEXT.index("Urząd miasta ma jedną osobę")
    apply_codes(source, [staff.id], start, start + len("Urząd miasta ma jedną osobę"), 1,
                people["coder"])
    apply_codes(source, [staff.id], start + len("Urząd miasta ma "),
                start + len("Urząd miasta ma jedną osobę"), 1, people["lead"])
    db.session.commit()
    open_page(page, live_server, people["lead"], source)
    expect(page.locator(".para-row .bar")).to_have_count(2)
    page.select_option("#mode", "compare")
    page.select_option("#coder-a", str(people["coder"].id))
    page.select_option("#coder-b", str(people["lead"].id))
    expect(page.locator(".piece.disagree")).to_have_text("Urząd miasta ma ")


def test_a_viewer_sees_codings_but_cannot_code(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    staff = db.session.scalar(db.select(Code).where(Code.name == "Staff"))
    apply_codes(source, [staff.id], 0, 10, 1, people["coder"])
    db.session.commit()
    open_page(page, live_server, people["viewer"], source)
    expect(page.locator(".piece.coded")).to_have_count(1)
    expect(page.locator("#code-search")).to_have_count(0)
    select_words(page, "Guangzhou")
    page.keyboard.press("s")
    assert len(codings_of(source)) == 1


def test_a_transcript_source_plays_from_the_selected_words(
        page: Page, live_server: LiveServer, project: Project, people: dict[str, User]) -> None:
    ids = recordings_sample(project, people)
    transcript = db.session.get(Transcript, ids["transcript_id"])
    transcript.segments[1].text = "Hi, we signed with Guangzhou."
    editing.set_status(transcript, "ready", people["lead"])
    editing.save_version(transcript, people["lead"], "Ready for coding")
    db.session.commit()
    source = source_of_transcript(transcript)
    open_page(page, live_server, people["coder"], source)
    expect(page.locator(".para-meta strong").nth(1)).to_have_text("Speaker 2")
    select_words(page, "Guangzhou")
    page.click("#play-selection")
    played = page.eval_on_selector("#source-audio", "audio => audio.currentTime")
    assert 0.5 < played < 1.0


def tab_to_text(page: Page) -> None:
    """Press Tab until the text has the keyboard focus, as someone without a mouse would."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "source-text":
            return
    raise AssertionError("Tab never reached the text")


def expect_selected(page: Page, words: str) -> None:
    expect(page.locator("#coding-status")).to_contain_text(f"{len(words)} characters selected")


def test_coding_with_the_keyboard_alone_paragraphs_and_words(
        page: Page, live_server: LiveServer, people: dict[str, User], source: Source) -> None:
    open_page(page, live_server, people["coder"], source)
    coder = people["coder"].name
    first, second, chinese = TEXT.split("\n\n")
    tab_to_text(page)

    page.keyboard.press("ArrowDown")
    expect_selected(page, first)
    expect(page.locator("#coding-status")).to_contain_text(f"choose a code. “{first}”")
    page.keyboard.press("ArrowDown")
    expect_selected(page, second)
    page.keyboard.press("Shift+ArrowLeft")
    expect_selected(page, "Urząd miasta ma jedną osobę do spraw partnerstw ")
    expect(page.locator("#coding-status")).to_contain_text(
        "“Urząd miasta ma jedną osobę do spraw partnerstw”")
    page.keyboard.press("Control+Shift+ArrowRight")
    expect_selected(page, " miasta ma jedną osobę do spraw partnerstw ")
    page.keyboard.press("s")
    expect(page.locator(".piece.coded")).to_have_count(1)
    assert codings_of(source) == [("Staff", coder, "miasta ma jedną osobę do spraw partnerstw")]

    page.keyboard.press("ArrowDown")
    expect_selected(page, chinese)
    page.keyboard.press("Shift+ArrowLeft")
    expect_selected(page, chinese[:-2])
    page.keyboard.press("o")
    expect(page.locator(".piece.coded")).to_have_count(2)
    assert codings_of(source)[-1] == ("Offices abroad", coder, chinese[:-2])

    page.keyboard.press("ArrowUp")
    expect_selected(page, second)

    page.keyboard.press("Escape")
    page.locator("#source-text").click(position={"x": 2, "y": 2})
    page.keyboard.press("ArrowDown")
    expect(page.locator("#coding-status")).not_to_contain_text("selected")
