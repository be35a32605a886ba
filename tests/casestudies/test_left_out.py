"""The partnership map and summary say what they leave out, and where to put it right."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from casestudies.models import Place
from fieldwork.extensions import db
from fieldwork.models import Project, User
from tests.casestudies.helpers import add_partnership

Finder = Callable[[str, str], Place]


def notice(page: str) -> str:
    found = re.search(r'<div class="left-out[^"]*"[^>]*>(.*?)</div>', page, re.S)
    assert found, "the page says nothing of what it leaves out"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found[1])).split())


def test_map_names_the_places_without_coordinates(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for,
) -> None:
    wroclaw, krakow = gazetteer("Wrocław", "PL"), gazetteer("Kraków", "PL")
    chengdu = gazetteer("Chengdu", "CN")
    add_partnership(project, wroclaw, chengdu)
    add_partnership(project, krakow, chengdu, "friendship_city")
    url = f"/projects/{project.id}/partnerships/map"
    viewer = client_for(people["viewer"])
    assert notice(viewer.get(url).text) == ("Every partnership of the project (2) can be "
                                            "drawn; the filters above choose which are.")
    chengdu.latitude = None
    db.session.flush()
    page = viewer.get(url).text
    assert notice(page) == ("2 partnerships of Chengdu (CN) are not on the map: the place has "
                            "no coordinates: an administrator adds them on its page.")
    assert f'href="/places/{chengdu.id}">an administrator' in page
    people["viewer"].is_admin = True
    db.session.flush()
    assert f'href="/admin/places/{chengdu.id}/edit">add them' in viewer.get(url).text


def test_summary_says_every_partnership_is_counted(
    project: Project, people: dict[str, User], gazetteer: Finder, client_for,
) -> None:
    add_partnership(project, gazetteer("Wrocław", "PL"), gazetteer("Chengdu", "CN"),
                    areas=("business",))
    add_partnership(project, gazetteer("Kraków", "PL"), gazetteer("Chengdu", "CN"))
    page = client_for(people["viewer"]).get(f"/projects/{project.id}/partnerships/summary")
    assert notice(page.text) == ("Every partnership of the project (2) is counted; those with "
                                 "no area of cooperation under “(no area given)”.")
