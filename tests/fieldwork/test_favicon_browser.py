"""Every page names its icon (a tab, a bookmark, the phone's home screen), and it loads."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from fieldwork.extensions import db
from fieldwork.models import User
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]

ICON_LOADS = """async () => Promise.all(
    Array.from(document.querySelectorAll("link[rel=icon]"), async (link) => {
        const answer = await fetch(link.href);
        const image = new Image();
        image.src = URL.createObjectURL(await answer.blob());
        await image.decode();
        return [link.type, answer.status, answer.headers.get("content-type").split(";")[0],
                image.naturalWidth > 0];
    }))"""


def test_every_page_has_an_icon_that_loads(page: Page, live_server: LiveServer,
                                           people: dict[str, User]) -> None:
    db.session.commit()
    page.goto("/login")
    assert sorted(page.evaluate(ICON_LOADS)) == [
        ["image/png", 200, "image/png", True], ["image/svg+xml", 200, "image/svg+xml", True]]
    live_server.log_in(page, people["lead"])
    page.goto("/no-such-page")
    assert len(page.evaluate(ICON_LOADS)) == 2
