"""The memo search laid out as a form: each field with its label above it, in one row on a
desktop and stacked on a phone, never wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from fieldwork.extensions import db
from fieldwork.models import Project, User
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]

BOXES = """() => Object.fromEntries(["label[for=q]", "#q", "label[for=on]", "#on",
    ".search-form button"].map((selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return [selector, {top: box.top, bottom: box.bottom, left: box.left, right: box.right}];
    }))"""


@pytest.mark.parametrize(("width", "in_a_row"), [(1280, True), (390, False)])
def test_the_memo_search_is_laid_out(page: Page, live_server: LiveServer, project: Project,
                                     people: dict[str, User], width: int, in_a_row: bool) -> None:
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 800})
    live_server.log_in(page, people["coder"])
    page.goto(f"/projects/{project.id}/coding/memos/?q=Guangzhou")
    expect(page.locator("#q")).to_have_value("Guangzhou")
    box = page.evaluate(BOXES)
    words, on, button = box["#q"], box["#on"], box[".search-form button"]
    # each label is above its own field, lined up with it
    for label, field in (("label[for=q]", words), ("label[for=on]", on)):
        assert box[label]["bottom"] <= field["top"] + 1
        assert abs(box[label]["left"] - field["left"]) < 2
    if in_a_row:
        assert words["right"] <= on["left"] and on["right"] <= button["left"]
        assert abs(words["bottom"] - button["bottom"]) < 2
        assert abs(on["bottom"] - words["bottom"]) < 2
    else:
        assert words["bottom"] <= on["top"] and on["bottom"] <= button["top"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="Show every memo").click()
    expect(page.locator("#q")).to_have_value("")
