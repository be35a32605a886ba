"""Case studies and visits: picking a place, dates, team overlaps, pages, demo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import count

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup

from casestudies.models import CaseStudy, Place, Visit
from casestudies.places import PlaceError
from casestudies.studies import slots
from casestudies.studies.demo import add_demo
from casestudies.studies.panel import statistics
from casestudies.studies.places import resolve_place, search_places
from casestudies.studies.studies import create_case_study
from casestudies.studies.visits import create_visit, overlapping_visits, team_overlaps
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User

_keys = count(1)


@pytest.fixture
def make_place() -> Callable[..., Place]:
    def make(name: str, country: str = "PL", *, kind: str = "city", local: str = "",
             population: int = 100_000) -> Place:
        place = Place(key=f"test:{next(_keys)}", kind=kind, name=name, name_local=local or name,
                      country_code=country, population=population, is_eu=True,
                      timezone="Europe/Warsaw")
        db.session.add(place)
        db.session.flush()
        return place

    return make


@pytest.fixture
def wroclaw(make_place: Callable[..., Place]) -> Place:
    return make_place("Wroclaw", local="Wrocław", population=640_000)


@pytest.fixture
def study(project: Project, wroclaw: Place, people: dict[str, User]) -> CaseStudy:
    return create_case_study(project, place=wroclaw, title="Wrocław and its partners",
                             team=[people["lead"], people["interviewer"]])


def visit_on(study: CaseStudy, first: date, last: date, *team: User) -> Visit:
    return create_visit(study, starts_on=first, ends_on=last, team=list(team))


MAY = date(2026, 5, 4)


def test_overlap_needs_a_shared_day(study: CaseStudy, people: dict[str, User]) -> None:
    interviewer = people["interviewer"]
    visit = visit_on(study, MAY, MAY + timedelta(days=2), interviewer)
    # Ending the day another starts: both days include that day.
    assert overlapping_visits(interviewer.id, MAY + timedelta(days=2), MAY + timedelta(days=4)) \
        == [visit]
    # Starting the day after it ends: adjacent, no overlap.
    assert overlapping_visits(interviewer.id, MAY + timedelta(days=3), MAY + timedelta(days=5)) \
        == []
    assert overlapping_visits(interviewer.id, MAY - timedelta(days=3), MAY - timedelta(days=1)) \
        == []
    assert overlapping_visits(interviewer.id, MAY, MAY, exclude_visit_id=visit.id) == []
    assert overlapping_visits(people["lead"].id, MAY, MAY) == []


def test_overlap_in_another_project_names_it(
    study: CaseStudy, people: dict[str, User], make_project: Callable[..., Project],
    wroclaw: Place,
) -> None:
    other_project = make_project("EU–US cities", lead=people["interviewer"])
    other = create_case_study(other_project, place=wroclaw, title="Wrocław and Ohio")
    visit_on(other, MAY, MAY, people["interviewer"])
    overlaps = team_overlaps(study.project_id, [people["interviewer"]], MAY, MAY)
    assert len(overlaps) == 1
    assert "in the project “EU–US cities”" in overlaps[0].message
    assert overlaps[0].message.startswith("Interviewer is also on the visit “Wrocław and Ohio”")


def visit_form(first: str, last: str, *team: User, **extra: str) -> dict[str, object]:
    return {"starts_on": first, "ends_on": last, "purpose": "Interviews",
            "team": [str(user.id) for user in team], **extra}


def test_end_before_start_is_refused_in_words(
    study: CaseStudy, people: dict[str, User], client_for: Callable[[User], FlaskClient],
) -> None:
    client = client_for(people["interviewer"])
    url = f"/projects/{study.project_id}/case-studies/{study.id}/visits/new"
    page = client.post(url, data=visit_form("2026-05-06", "2026-05-04"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The last day (4 May 2026) is before the first day (6 May 2026)" in text
    assert 'value="Interviews"' in text
    page = client.post(url, data=visit_form("6 May", "2026-05-04"))
    assert "“6 May” is not a date: give it as year-month-day" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Visit)) == 0


def test_overlapping_team_is_warned_before_saving(
    study: CaseStudy, people: dict[str, User], client_for: Callable[[User], FlaskClient],
) -> None:
    first = visit_on(study, MAY, MAY + timedelta(days=2), people["interviewer"])
    client = client_for(people["lead"])
    url = f"/projects/{study.project_id}/case-studies/{study.id}/visits/new"
    form = visit_form("2026-05-06", "2026-05-08", people["lead"], people["interviewer"])
    page = client.post(url, data=form)
    text = page.get_data(as_text=True)
    assert "Nothing saved yet" in text
    assert "Interviewer is also on the visit “Wrocław and its partners” (4 May 2026 to 6 May" \
        in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Visit)) == 1

    saved = client.post(url, data={**form, "save_anyway": "y"})
    assert saved.status_code == 302
    second = db.session.scalar(db.select(Visit).where(Visit.id != first.id))
    assert [user.name for user in second.team] == ["Interviewer", "Lead"]
    visit_page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Overlapping visits" in visit_page
    study_page = client.get(f"/projects/{study.project_id}/case-studies/{study.id}")
    assert study_page.get_data(as_text=True).count("Overlapping visits") == 2


def test_editing_a_visit_does_not_overlap_itself(
    study: CaseStudy, people: dict[str, User], client_for: Callable[[User], FlaskClient],
) -> None:
    visit = visit_on(study, MAY, MAY + timedelta(days=2), people["interviewer"])
    response = client_for(people["interviewer"]).post(
        f"/projects/{study.project_id}/visits/{visit.id}/edit",
        data=visit_form("2026-05-05", "2026-05-07", people["interviewer"]),
    )
    assert response.status_code == 302
    db.session.refresh(visit)
    assert (visit.starts_on, visit.ends_on) == (date(2026, 5, 5), date(2026, 5, 7))
    assert db.session.scalar(
        db.select(AuditEntry.summary).where(AuditEntry.action == "visit.update")
    ) == "Visit to Wroclaw changed, 5 May 2026 to 7 May 2026"


def test_case_study_created_by_typing_the_place(
    project: Project, wroclaw: Place, make_place: Callable[..., Place],
    people: dict[str, User], client_for: Callable[[User], FlaskClient],
) -> None:
    make_place("Wroclaw", kind="region", population=2_900_000)
    make_place("Wroclaw", "US", population=1_000)
    client = client_for(people["interviewer"])
    options = client.get(f"/projects/{project.id}/case-studies/place-options?place_name=wro")
    assert "Wrocław (city, PL)" in options.get_data(as_text=True)
    url = f"/projects/{project.id}/case-studies/new"
    ambiguous = client.post(url, data={"place_name": "Wroclaw", "status": "planned"})
    assert "Several places are called “Wroclaw”" in ambiguous.get_data(as_text=True)
    unknown = client.post(url, data={"place_name": "Breslau-on-Sea", "status": "planned"})
    assert "No city or region called “Breslau-on-Sea”" in unknown.get_data(as_text=True)
    created = client.post(url, data={
        "place_name": "Wrocław (city, PL)", "status": "in_progress",
        "research_questions": "Why China?\nWhy now?", "team": [str(people["coder"].id)],
    })
    assert created.status_code == 302
    study = db.session.scalar(db.select(CaseStudy))
    assert (study.place, study.title, study.status) == (wroclaw, "Wroclaw", "in_progress")
    assert study.team == [people["coder"]]
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "<p>Why China?</p>" in page and "Coder" in page and "Plan a visit" in page


def test_team_must_be_project_members(
    project: Project, wroclaw: Place, people: dict[str, User],
    client_for: Callable[[User], FlaskClient],
) -> None:
    response = client_for(people["lead"]).post(f"/projects/{project.id}/case-studies/new", data={
        "place_name": "Wroclaw", "status": "planned", "team": [str(people["outsider"].id)],
    })
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(CaseStudy)) == 0


def test_readers_see_but_cannot_plan(
    study: CaseStudy, people: dict[str, User], client_for: Callable[[User], FlaskClient],
) -> None:
    client = client_for(people["viewer"])
    page = client.get(f"/projects/{study.project_id}/case-studies/{study.id}")
    assert page.status_code == 200 and "Plan a visit" not in page.get_data(as_text=True)
    new_visit = f"/projects/{study.project_id}/case-studies/{study.id}/visits/new"
    assert client.post(new_visit, data=visit_form("2026-05-04", "2026-05-05")).status_code == 403


def test_places_found_by_local_spelling(wroclaw: Place) -> None:
    assert search_places("Wroc") == [wroclaw]
    assert resolve_place("wrocław") == wroclaw
    with pytest.raises(PlaceError):
        resolve_place("W")


def test_dashboard_panel_and_counts(
    study: CaseStudy, people: dict[str, User], client_for: Callable[[User], FlaskClient],
) -> None:
    today = date.today()
    visit_on(study, today - timedelta(days=10), today - timedelta(days=8), people["lead"])
    visit_on(study, today + timedelta(days=3), today + timedelta(days=5), people["lead"])
    page = client_for(people["coder"]).get(f"/projects/{study.project_id}/")
    text = page.get_data(as_text=True)
    assert "Upcoming visits" in text
    assert text.count("Wroclaw, ") == 1
    assert statistics(study.project) == {"case_studies": 1, "visits": 2}


def test_slot_shows_later_packages_panels(
    app: Flask, study: CaseStudy, people: dict[str, User],
    client_for: Callable[[User], FlaskClient],
) -> None:
    app.extensions.setdefault("casestudies.slots", {})
    saved = {
        slot: list(renderers) for slot, renderers in app.extensions["casestudies.slots"].items()
    }
    slots.add_panel(app, "case_study", lambda s: Markup(f"<p>Interviews of {s.id}</p>"))
    try:
        page = client_for(people["viewer"]).get(
            f"/projects/{study.project_id}/case-studies/{study.id}"
        )
        assert f"<p>Interviews of {study.id}</p>" in page.get_data(as_text=True)
    finally:
        app.extensions["casestudies.slots"] = saved
    with pytest.raises(KeyError):
        slots.add_panel(app, "nowhere", lambda s: Markup(""))


def test_demo_plans_a_three_day_visit_next_month(
    project: Project, people: dict[str, User], wroclaw: Place,
) -> None:
    add_demo(project, people)
    add_demo(project, people)
    study = db.session.scalar(db.select(CaseStudy).where(CaseStudy.project_id == project.id))
    assert study.place == wroclaw and study.title.startswith("Wrocław")
    [visit] = study.visits
    assert visit.days == 3
    assert (visit.starts_on.year * 12 + visit.starts_on.month) - (
        date.today().year * 12 + date.today().month) == 1
    assert {user.name for user in visit.team} == {"Lead", "Interviewer"}


def test_demo_seeds_an_empty_gazetteer(project: Project, people: dict[str, User]) -> None:
    add_demo(project, people)
    study = db.session.scalar(db.select(CaseStudy).where(CaseStudy.project_id == project.id))
    assert (study.place.name_local, study.place.country_code) == ("Wrocław", "PL")
