"""The map in a real browser: a partnership's line names its kind in words, and the page
says which partnerships cannot be drawn."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from casestudies.models import Partnership, Place
from fieldwork.extensions import db
from fieldwork.models import Project, User
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]


def city(key: str, name: str, country: str, latitude: float | None,
         longitude: float | None) -> Place:
    place = Place(key=f"map-test:{key}", kind="city", name=name, name_local=name,
                  country_code=country, is_eu=country == "PL", latitude=latitude,
                  longitude=longitude)
    db.session.add(place)
    return place


def test_map_lines_name_their_kind_and_the_page_says_what_is_not_drawn(
        page: Page, live_server: LiveServer, project: Project, people: dict[str, User]) -> None:
    wroclaw = city("wro", "Wrocław", "PL", 51.1, 17.03)
    db.session.add_all([
        Partnership(project_id=project.id, eu_place=wroclaw, kind="friendship_city",
                    partner_place=city("gz", "Guangzhou", "CN", 23.13, 113.26),
                    signed_on=date(2015, 6, 1)),
        Partnership(project_id=project.id, eu_place=wroclaw, kind="sister_city",
                    partner_place=city("nowhere", "Nowhere", "US", None, None)),
    ])
    db.session.commit()
    live_server.log_in(page, people["viewer"])
    page.goto(f"/projects/{project.id}/partnerships/map")
    expect(page.locator("#map-status")).to_have_text(
        "1 partnerships between 2 places. 1 without coordinates are not drawn.")
    expect(page.locator("#partnership-map svg a path title")).to_have_text(
        "Wrocław – Guangzhou (friendship city, 2015)")
    expect(page.locator(".left-out")).to_have_text(
        "1 partnership of Nowhere (US) is not on the map: the place has no coordinates: "
        "an administrator adds them on its page.")
