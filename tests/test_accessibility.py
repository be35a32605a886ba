"""Basic accessibility of the main pages, checked in a real browser as the lead sees them:
every control has an accessible name, every image a text alternative, the keyboard focus is
visible, text has enough contrast against what is behind it, and the main actions can be
reached with the keyboard alone.

The checks read the page as the browser laid it out (computed styles), so they follow Pico
and our own CSS together. Contrast follows WCAG 2.2 AA: 4.5:1 for text, 3:1 for large text
(24 px, or 18.66 px bold); disabled controls are exempt, as in WCAG.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.transcripts.models import Transcript
from tests.access_samples import (
    coding_sample,
    interviews_sample,
    partnerships_sample,
    recordings_sample,
    sample_case_study,
    sample_task,
    sample_visit,
)
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]

#: controls (inputs, selects, text areas, buttons) and links that have no accessible name
UNNAMED = """() => {
  const text = (node) => (node ? node.textContent : "").replace(/\\s+/g, " ").trim();
  const nameOf = (el) => {
    const by = el.getAttribute("aria-labelledby");
    if (by) {
      const named = by.split(/\\s+/).map((id) => text(document.getElementById(id))).join(" ");
      if (named.trim()) return named.trim();
    }
    if ((el.getAttribute("aria-label") || "").trim()) return el.getAttribute("aria-label");
    if (el.labels && el.labels.length) {
      const named = Array.from(el.labels).map(text).join(" ").trim();
      if (named) return named;
    }
    if (["BUTTON", "A", "SUMMARY"].includes(el.tagName) || el.getAttribute("role") === "button") {
      const inner = text(el) || Array.from(el.querySelectorAll("img[alt]"))
        .map((img) => img.alt).join(" ").trim();
      if (inner) return inner;
    }
    if (el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type)) {
      return el.value.trim();
    }
    return (el.getAttribute("title") || "").trim();
  };
  const describe = (el) => el.outerHTML.slice(0, 160);
  return Array.from(document.querySelectorAll(
    "input:not([type=hidden]), select, textarea, button, a[href], [role=button], summary"
  )).filter((el) => !nameOf(el)).map(describe);
}"""

#: images without a text alternative (alt="" is fine: it marks a decorative image)
NO_ALT = """() => Array.from(document.querySelectorAll("img:not([alt]), svg[role=img]"))
  .filter((el) => el.tagName !== "svg" || !(el.getAttribute("aria-label") ||
                                            el.getAttribute("aria-labelledby") ||
                                            el.querySelector("title")))
  .map((el) => el.outerHTML.slice(0, 160))"""

#: text whose contrast with its background is below the WCAG AA minimum
LOW_CONTRAST = """() => {
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.data.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    if (["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(el.tagName)) continue;
    // Options are shown only in list boxes (multiple or sized selects), not in drop-downs.
    if (el.tagName === "OPTION" && !el.closest("select[multiple], select[size]")) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const off = ":disabled, [aria-disabled=true], details:not([open]) > :not(summary)";
    if (el.closest(off)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(el);
    const colour = parse(style.color);
    if (!colour) continue;
    const behind = background(el);
    const shown = ratio(over(colour, behind), behind);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    if (shown < needed) {
      problems.push(`${shown.toFixed(2)}:1 < ${needed}:1 ${style.color} on ` +
                    `rgb(${behind.slice(0, 3).map(Math.round).join(", ")}): ` +
                    `<${el.tagName.toLowerCase()} class="${el.className}"> ` +
                    JSON.stringify(node.data.trim().slice(0, 60)));
    }
  }
  return problems;
}"""

#: how the element that has the keyboard focus shows it
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  // A searchable list draws the focus around its whole box, not the search field inside.
  const style = getComputedStyle(el.closest(".ts-control") || el);
  return {tag: el.tagName, text: (el.textContent || el.value || "").trim().slice(0, 40),
          outline: style.outlineStyle !== "none" ? parseFloat(style.outlineWidth) : 0,
          shadow: style.boxShadow !== "none"};
}"""


@pytest.fixture
def site(live_server: LiveServer, people: dict[str, User], project: Project) -> dict[str, Any]:
    """A project with something on every main page, committed for the live server; the lead
    is also a site administrator, to see the admin pages."""
    people["lead"].is_admin = True
    ids: dict[str, Any] = {"project": project.id, "case_study": sample_case_study(project, people),
                           "visit": sample_visit(project, people)}
    ids.update(interviews_sample(project, people))
    ids.update(partnerships_sample(project, people))
    ids.update(recordings_sample(project, people))
    ids.update(coding_sample(project, people))
    ids["task"] = sample_task(project, people)
    ids["pair"] = f"coders={people['lead'].id}&coders={people['coder'].id}"
    db.session.commit()
    return ids


def main_pages(ids: dict[str, Any]) -> list[str]:
    p = f"/projects/{ids['project']}"
    return [
        "/projects", f"{p}/", f"{p}/members", f"{p}/settings", f"{p}/audit",
        "/places", f"/places/{ids['place_id']}",
        f"{p}/partnerships", f"{p}/partnerships/{ids['partnership_id']}",
        f"{p}/partnerships/new", f"{p}/partnerships/summary", f"{p}/partnerships/map",
        f"{p}/partnerships/areas", f"{p}/partnerships/import",
        f"{p}/case-studies", f"{p}/case-studies/{ids['case_study']}", f"{p}/visits/{ids['visit']}",
        f"{p}/visits/{ids['visit']}/itinerary", f"{p}/survey",
        f"{p}/participants/", f"{p}/participants/{ids['participant_id']}",
        f"{p}/participants/{ids['participant_id']}/consent", f"{p}/participants/new",
        f"{p}/interviews/", f"{p}/interviews/new", f"{p}/interviews/{ids['interview_id']}",
        f"{p}/calendar", f"{p}/calendar?view=week", "/calendar",
        f"{p}/guides/", f"{p}/transcription/", f"{p}/transcripts/",
        f"{p}/transcripts/{ids['transcript_id']}",
        f"{p}/coding/sources/", f"{p}/coding/sources/{ids['source_id']}",
        f"{p}/coding/codebook/", f"{p}/coding/codebook/{ids['code_id']}",
        f"{p}/coding/codebook/new", f"{p}/coding/memos/", f"{p}/coding/memos/new",
        f"{p}/coding/agreement", f"{p}/coding/retrieve?codes={ids['code_id']}",
        f"{p}/coding/agreement/disagreements?sources={ids['source_id']}&{ids['pair']}",
        f"{p}/coding/matrix", f"{p}/coding/search?q=cooperation", f"{p}/coding/quotes/",
        f"{p}/coding/exports", f"{p}/coding/exchange", f"{p}/tasks/", f"{p}/tasks/{ids['task']}",
        "/account", "/account/password", "/account/two-factor", "/admin/users",
        "/admin/users/new",
    ]


def test_every_control_is_named_images_have_alt_and_text_has_contrast(
    page: Page, live_server: LiveServer, people: dict[str, User], site: dict[str, Any],
) -> None:
    live_server.log_in(page, people["lead"])
    problems: dict[str, list[str]] = {}
    for path in main_pages(site):
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        page.wait_for_load_state("networkidle")
        found = ([f"no accessible name: {html}" for html in page.evaluate(UNNAMED)]
                 + [f"no alt text: {html}" for html in page.evaluate(NO_ALT)]
                 + [f"low contrast: {text}" for text in page.evaluate(LOW_CONTRAST)])
        if found:
            problems[path] = found
    assert problems == {}


def test_the_keyboard_focus_is_visible_on_links_buttons_and_fields(
    page: Page, live_server: LiveServer, people: dict[str, User], site: dict[str, Any],
) -> None:
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{site['project']}/interviews/new")
    shown: dict[str, dict[str, Any]] = {}
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        kind = {"A": "link", "BUTTON": "button", "SUMMARY": "menu", "INPUT": "field",
                "SELECT": "field", "TEXTAREA": "field"}.get(focus["tag"])
        if kind and kind not in shown:
            shown[kind] = focus
        if len(shown) == 4:
            break
    assert set(shown) == {"link", "button", "menu", "field"}, shown
    for kind, focus in shown.items():
        assert focus["outline"] >= 2 or focus["shadow"], (kind, focus)


def test_searchable_lists_are_named_described_and_work_with_the_keyboard(
    page: Page, live_server: LiveServer, people: dict[str, User], site: dict[str, Any],
) -> None:
    """Every list to choose several from becomes a search box named by its label and
    described by how to use it; the keyboard alone finds, chooses and removes."""
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{site['project']}/interviews/new")
    for name in ("Participants", "Interviewers", "Partnerships discussed"):
        box = page.get_by_role("combobox", name=name)
        expect(box).to_be_visible()
        expect(box).to_have_accessible_description(re.compile(r"Type to find, then Enter"))
    hidden = page.locator("select[multiple]")
    assert hidden.count() == 3
    for i in range(hidden.count()):
        assert hidden.nth(i).get_attribute("aria-hidden") == "true"
    box = page.get_by_role("combobox", name="Interviewers")
    chosen = page.locator("#interviewer_ids + .ts-wrapper .item")
    expect(chosen).to_have_count(1)
    page.get_by_role("combobox", name="Participants").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if box.evaluate("el => el === document.activeElement"):
            break
    expect(box).to_be_focused()
    focus = page.evaluate(FOCUS_STYLE)
    assert focus["outline"] >= 2 or focus["shadow"], focus
    page.keyboard.type("Interv")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(chosen).to_have_count(2)
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Backspace")
    expect(chosen).to_have_count(1)


def test_the_skip_link_and_the_section_menus_work_with_the_keyboard(
    page: Page, live_server: LiveServer, people: dict[str, User], site: dict[str, Any],
) -> None:
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{site['project']}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))

    page.goto(f"/projects/{site['project']}/")
    menu = page.locator(".section-nav summary", has_text="Coding")
    for _ in range(20):
        page.keyboard.press("Tab")
        if menu.evaluate("el => el === document.activeElement"):
            break
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    codebook = page.locator(".section-nav").get_by_role("link", name="Codebook")
    expect(codebook).to_be_visible()
    for _ in range(10):
        if codebook.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/projects/{site['project']}/coding/codebook/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Codebook")


def interviewer_pages(ids: dict[str, Any]) -> list[str]:
    """What an interviewer uses in the field, on a phone or a tablet: the schedule, the
    interview (with its upload), consent, the transcript editor and the coding page."""
    p = f"/projects/{ids['project']}"
    return [
        f"{p}/calendar?from=2026-03-16", f"{p}/calendar?view=week&from=2026-03-16",
        "/calendar?from=2026-03-16", f"{p}/interviews/", f"{p}/interviews/new",
        f"{p}/interviews/{ids['interview_id']}", f"{p}/participants/{ids['participant_id']}",
        f"{p}/participants/{ids['participant_id']}/consent",
        f"{p}/transcripts/{ids['transcript_id']}", f"{p}/coding/sources/{ids['source_id']}",
    ]


#: controls and links that stand on their own (links in a sentence or a table cell are
#: exempt, as in WCAG) and are less than 44 px high or wide: too small for a finger
TOO_SMALL_TO_TAP = """() => Array.from(document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], " +
    "[role=combobox], [role=option]"))
  .filter((el) => el.checkVisibility() && !el.classList.contains("ts-hidden-accessible"))
  .filter((el) => !["checkbox", "radio"].includes(el.type))
  .filter((el) => !(el.tagName === "A" && el.closest("p, dd, td, small, label, li:not(nav li)")))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([, box]) => box.width > 0 && (box.height < 43.5 || box.width < 43.5))
  .map(([el, box]) => `${Math.round(box.width)}x${Math.round(box.height)} ` +
                      el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("width", [390, 768])
def test_no_page_scrolls_sideways_on_a_phone_or_a_tablet(
    page: Page, live_server: LiveServer, people: dict[str, User], site: dict[str, Any],
    width: int,
) -> None:
    """At 390 px (a phone held upright) and 768 px (a tablet) every page fits its width; a
    wide table scrolls inside its own box or becomes one block per row."""
    page.set_viewport_size({"width": width, "height": 900})
    live_server.log_in(page, people["lead"])
    too_wide = {}
    for path in dict.fromkeys(main_pages(site) + interviewer_pages(site)):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        if scrolled > width:
            too_wide[path] = scrolled
    assert too_wide == {}


@pytest.mark.parametrize("width", [390, 768])
def test_the_interviewers_pages_can_be_used_with_a_finger(
    page: Page, live_server: LiveServer, people: dict[str, User], site: dict[str, Any],
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    live_server.log_in(page, people["lead"])
    too_small = {}
    for path in interviewer_pages(site):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found = page.evaluate(TOO_SMALL_TO_TAP)
        if found:
            too_small[path] = found
    assert too_small == {}


def test_a_transcript_segment_shows_all_its_words_on_a_phone(
    page: Page, live_server: LiveServer, people: dict[str, User], site: dict[str, Any],
) -> None:
    transcript = db.session.get(Transcript, site["transcript_id"])
    transcript.segments[0].text = " ".join(
        ["We signed the agreement with Chengdu in 2015 and opened an office there."] * 4)
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{site['project']}/transcripts/{site['transcript_id']}")
    page.wait_for_load_state("networkidle")
    boxes = page.locator(".segment textarea")
    assert boxes.count() == 2
    for i in range(boxes.count()):
        hidden = boxes.nth(i).evaluate("el => el.scrollHeight - el.clientHeight")
        assert hidden <= 0, (i, hidden)
    first = boxes.first
    before = first.bounding_box()["height"]
    first.click()
    page.keyboard.press("End")
    page.keyboard.type(" And the mayor went there twice." * 3)
    assert first.evaluate("el => el.scrollHeight - el.clientHeight") <= 0
    assert first.bounding_box()["height"] > before
