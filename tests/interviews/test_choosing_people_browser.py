"""Choosing several people in a real browser: the lists are searchable (type to find, choose,
remove), offer only the people who may be chosen, still work as plain lists without
JavaScript, and fit a phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from casestudies.models import Place
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview, Participant
from tests.conftest import LiveServer

pytestmark = [pytest.mark.committed, pytest.mark.slow]


@pytest.fixture
def people_to_meet(
    project: Project, make_participant: Callable[..., Participant],
    make_place: Callable[..., Place],
) -> dict[str, Participant]:
    make_place("Brussels")
    met = {
        "commission": make_participant(project, organisation="European Commission, DG REGIO",
                                       code="COM", name="Claire Dubois"),
        "eeas": make_participant(project, organisation="European External Action Service",
                                 kind="eu_institution", code="EEAS", name="Pieter Janssens"),
        "city": make_participant(project, organisation="City of Wrocław", kind="eu_city_region",
                                 code="WRO", city="Wrocław", name="Katarzyna Wójcik"),
    }
    db.session.commit()
    return met


def saved_interview() -> Interview:
    db.session.rollback()
    return db.session.scalars(db.select(Interview).order_by(Interview.id.desc())).first()


def fill_when_and_where(page: Page) -> None:
    page.fill("#local_date", "2026-03-16")
    page.fill("#local_time", "10:30")
    page.select_option("#place_id", label="Brussels (BE)")


def test_type_to_find_choose_two_and_save(
    page: Page, live_server: LiveServer, project: Project, people: dict[str, User],
    people_to_meet: dict[str, Participant],
) -> None:
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{project.id}/interviews/new")
    box = page.get_by_role("combobox", name="Participants")
    box.fill("europ")
    options = page.locator("#participant_ids-ts-dropdown [role=option]")
    expect(options).to_have_count(2)
    expect(options.filter(has_text="City of Wrocław")).to_have_count(0)
    box.fill("action")
    expect(options).to_have_count(1)
    page.keyboard.press("Enter")
    box.fill("commission")
    options.filter(has_text="Claire Dubois").click()
    page.keyboard.press("Escape")
    chosen = page.locator("#participant_ids + .ts-wrapper .item")
    expect(chosen).to_have_count(2)

    interviewers = page.get_by_role("combobox", name="Interviewers")
    interviewers.fill("interv")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    fill_when_and_where(page)
    page.get_by_role("button", name="Plan interview").click()
    expect(page.get_by_text("Interview saved.")).to_be_visible()

    interview = saved_interview()
    assert {p.id for p in interview.participants} == {
        people_to_meet["commission"].id, people_to_meet["eeas"].id}
    assert {u.id for u in interview.interviewers} == {
        people["lead"].id, people["interviewer"].id}


def test_coders_and_viewers_are_not_offered_as_interviewers(
    page: Page, live_server: LiveServer, project: Project, people: dict[str, User],
    people_to_meet: dict[str, Participant],
) -> None:
    live_server.log_in(page, people["interviewer"])
    page.goto(f"/projects/{project.id}/interviews/new")
    box = page.get_by_role("combobox", name="Interviewers")
    options = page.locator("#interviewer_ids-ts-dropdown [role=option]")
    for name in ("Coder", "Viewer", "Outsider"):
        box.fill(name)
        expect(page.locator("#interviewer_ids-ts-dropdown .no-results")).to_contain_text(
            "Nothing found")
        expect(options).to_have_count(0)
    box.fill("lea")
    expect(options).to_have_text(["Lead"])


def test_without_javascript_the_plain_list_works(
    browser: Browser, live_server: LiveServer, project: Project, people: dict[str, User],
    people_to_meet: dict[str, Participant],
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{project.id}/interviews/new")
    plain = page.locator("select#participant_ids")
    expect(plain).to_be_visible()
    expect(page.locator(".ts-wrapper")).to_have_count(0)
    expect(page.locator("#participant_ids-how")).to_have_text(
        "Hold Ctrl (⌘ on a Mac) to choose several.")
    plain.select_option([str(people_to_meet["city"].id), str(people_to_meet["eeas"].id)])
    fill_when_and_where(page)
    page.get_by_role("button", name="Plan interview").click()
    expect(page.get_by_text("Interview saved.")).to_be_visible()
    context.close()
    assert {p.id for p in saved_interview().participants} == {
        people_to_meet["city"].id, people_to_meet["eeas"].id}


def test_the_list_fits_a_phone_and_is_easy_to_tap(
    page: Page, live_server: LiveServer, project: Project, people: dict[str, User],
    people_to_meet: dict[str, Participant],
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{project.id}/interviews/new")
    box = page.get_by_role("combobox", name="Participants")
    box.fill("wroc")
    option = page.locator("#participant_ids-ts-dropdown [role=option]").first
    assert option.bounding_box()["height"] >= 44
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    remove = page.locator("#participant_ids + .ts-wrapper .item .remove")
    size = remove.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44, size
    wrapper = page.locator("#participant_ids + .ts-wrapper").bounding_box()
    assert wrapper["x"] >= 0 and wrapper["x"] + wrapper["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    remove.click()
    expect(page.locator("#participant_ids + .ts-wrapper .item")).to_have_count(0)


def test_the_page_does_not_move_when_the_search_box_loses_focus(
    page: Page, live_server: LiveServer, project: Project, people: dict[str, User],
    people_to_meet: dict[str, Participant],
) -> None:
    """A click on a button below a list, just after choosing in it, lands on the button: the
    list keeps its height when its search box loses focus (it shrank by a row under the
    pointer, and the click on Compare or Plan interview hit nothing)."""
    live_server.log_in(page, people["lead"])
    page.goto(f"/projects/{project.id}/interviews/new")
    box = page.get_by_role("combobox", name="Participants")
    for name in ("commission", "action"):
        box.fill(name)
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    button = page.get_by_role("button", name="Plan interview")
    focused = button.bounding_box()
    page.get_by_role("heading", level=1).click()
    assert button.bounding_box() == focused
