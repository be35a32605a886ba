"""A visit's itinerary and the interviews on visit and case study pages: linked interviews, and
the project's other interviews at the visited place during the visit, marked; times in the
place's local time."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from casestudies.models import Place
from fieldwork.extensions import db
from interviews.itinerary import visit_itinerary
from interviews.models import Interview

#: the visit spans the night clocks go back in Poland (25 October 2026, 03:00 -> 02:00)
FIRST, LAST = date(2026, 10, 24), date(2026, 10, 26)


@pytest.fixture
def trip(project, people, make_visit, make_interview, make_participant, make_project):
    me = people["interviewer"]
    visit = make_visit(project, FIRST, LAST, [me])
    official = make_participant(project, organisation="City of Wrocław", kind="eu_city_region",
                                code="", city="Wrocław", name="Ewa Tajna")
    wroclaw = visit.case_study.place
    elsewhere = make_project("Elsewhere too", lead=people["lead"])
    stranger = make_participant(elsewhere, city="Wrocław", name="Not Ours")
    interviews = {
        "linked": make_interview(project, datetime(2026, 10, 24, 10), city="Wrocław",
                                 participants=[official], interviewers=[me], visit=visit),
        "first_minute": make_interview(project, datetime(2026, 10, 24, 0, 30), city="Wrocław",
                                       participants=[official]),
        "after_the_change": make_interview(project, datetime(2026, 10, 25, 9),
                                           city="Wrocław", participants=[official]),
        "last_minute": make_interview(project, datetime(2026, 10, 26, 23, 30), city="Wrocław",
                                      participants=[official]),
        "day_after": make_interview(project, datetime(2026, 10, 27, 0, 30), city="Wrocław",
                                    participants=[official]),
        "brussels": make_interview(project, datetime(2026, 10, 25, 11), city="Brussels"),
        "other_project": make_interview(elsewhere, datetime(2026, 10, 25, 12), city="Wrocław",
                                        participants=[stranger]),
        "call_from_washington": make_interview(
            project, datetime(2026, 10, 26, 9), city="Washington", participants=[official],
            visit=visit, mode="video"),
        "linked_too_early": make_interview(project, datetime(2026, 10, 20, 10), city="Wrocław",
                                           participants=[official], visit=visit),
    }
    db.session.commit()
    assert wroclaw.timezone == "Europe/Warsaw"
    return visit, interviews


def ids(items) -> list[int]:
    return [item.interview.id for item in items]


def test_itinerary_lists_linked_and_unlinked_interviews_at_the_place(trip) -> None:
    visit, interviews = trip
    itinerary = visit_itinerary(visit)
    assert [day for day, _items in itinerary.days] == [FIRST, date(2026, 10, 25), LAST]
    saturday, sunday, monday = (items for _day, items in itinerary.days)
    assert ids(saturday) == [interviews["first_minute"].id, interviews["linked"].id]
    assert [item.linked for item in saturday] == [False, True]
    assert ids(sunday) == [interviews["after_the_change"].id]
    assert ids(monday) == [interviews["call_from_washington"].id, interviews["last_minute"].id]
    assert itinerary.unlinked_count == 3
    assert ids(itinerary.outside) == [interviews["linked_too_early"].id]


def test_itinerary_times_are_local_time_of_the_place(trip) -> None:
    visit, interviews = trip
    items = {item.interview.id: item for _day, day_items in visit_itinerary(visit).days
             for item in day_items}
    after = items[interviews["after_the_change"].id]
    assert (after.start.hour, after.start.utcoffset().total_seconds()) == (9, 3600)
    assert items[interviews["linked"].id].start.utcoffset().total_seconds() == 7200
    call = items[interviews["call_from_washington"].id]
    # 09:00 in Washington (EDT until 1 November) is 14:00 in Wrocław (CET from 25 October)
    assert call.start.strftime("%H:%M") == "14:00"
    assert call.own_start is not None and call.own_start.strftime("%H:%M") == "09:00"
    assert items[interviews["linked"].id].own_start is None


def test_itinerary_includes_cities_of_a_visited_region(project, people, make_visit,
                                                       make_interview) -> None:
    visit = make_visit(project, FIRST, LAST, [people["lead"]])
    region = Place(key="test-lower-silesia", kind="region", name="Lower Silesia",
                   country_code="PL", timezone="Europe/Warsaw", is_eu=True, is_cee=True)
    db.session.add(region)
    db.session.flush()
    wroclaw = visit.case_study.place
    wroclaw.region_id = region.id
    visit.case_study.place_id = region.id
    db.session.flush()
    db.session.expire(visit.case_study)
    in_city = make_interview(project, datetime(2026, 10, 25, 10), city="Wrocław")
    assert in_city.place_id == wroclaw.id
    (items,) = [items for day, items in visit_itinerary(visit).days if items]
    assert ids(items) == [in_city.id] and not items[0].linked


def test_itinerary_page_marks_unlinked_interviews(trip, people, client_for) -> None:
    visit, interviews = trip
    page = client_for(people["coder"]).get(
        f"/projects/{visit.project_id}/visits/{visit.id}/itinerary").get_data(as_text=True)
    assert page.count("Not linked to this visit") == 4  # three rows and the explanation
    assert "local time in Wrocław (Europe/Warsaw)" in page
    assert "09:00 in America/New York" in page
    assert "outside its days" in page
    assert "Not Ours" not in page and "Ewa Tajna" not in page
    assert f"/interviews/{interviews['linked'].id}\"" in page


def test_visit_page_lists_its_interviews(trip, people, client_for) -> None:
    visit, _interviews = trip
    url = f"/projects/{visit.project_id}/visits/{visit.id}"
    page = client_for(people["interviewer"]).get(url).get_data(as_text=True)
    assert "Printable itinerary" in page and "Plan an interview on this visit" in page
    assert f"/interviews/new?visit_id={visit.id}" in page
    assert page.count("Not linked to this visit") == 3
    assert "Outside the visit’s days" in page
    assert "Ewa Tajna" in page
    page = client_for(people["viewer"]).get(url).get_data(as_text=True)
    assert "Plan an interview on this visit" not in page and "Ewa Tajna" not in page


def test_planning_from_a_visit_takes_its_place_and_day(project, people, make_visit,
                                                       make_participant, client_for) -> None:
    visit = make_visit(project, FIRST, LAST, [people["interviewer"]])
    official = make_participant(project, city="Wrocław", kind="eu_city_region", code="")
    db.session.commit()
    client = client_for(people["interviewer"])
    url = f"/projects/{project.id}/interviews/new"
    form = client.get(f"{url}?visit_id={visit.id}").get_data(as_text=True)
    assert f'<option selected value="{visit.case_study.place_id}">Wrocław (PL)' in form
    assert 'value="2026-10-24"' in form
    response = client.post(url, data={
        "participant_ids": [str(official.id)], "place_id": "", "visit_id": str(visit.id),
        "case_study_id": "", "local_date": "2026-10-25", "local_time": "10:00", "timezone": "",
        "duration_minutes": "60", "mode": "in_person", "language": "Polish", "guide_id": "",
        "interviewer_ids": [str(people["interviewer"].id)],
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.session.scalars(db.select(Interview).order_by(Interview.id.desc())).first()
    assert saved.place_id == visit.case_study.place_id
    assert saved.case_study_id == visit.case_study_id
    assert saved.timezone == "Europe/Warsaw"


def test_case_study_page_lists_its_interviews(trip, people, client_for) -> None:
    visit, interviews = trip
    url = f"/projects/{visit.project_id}/case-studies/{visit.case_study_id}"
    page = client_for(people["coder"]).get(url).get_data(as_text=True)
    for linked in ("linked", "call_from_washington", "linked_too_early"):
        assert f"/interviews/{interviews[linked].id}\"" in page, linked
    assert f"/interviews/{interviews['first_minute'].id}\"" not in page
    assert "Sat 24 Oct 2026, 10:00" in page and "Ewa Tajna" not in page
    assert "Plan an interview" not in page
    page = client_for(people["lead"]).get(url).get_data(as_text=True)
    assert f"/interviews/new?case_study_id={visit.case_study_id}" in page
    form = client_for(people["lead"]).get(
        f"/projects/{visit.project_id}/interviews/new?case_study_id={visit.case_study_id}"
    ).get_data(as_text=True)
    assert f'<option selected value="{visit.case_study.place_id}">Wrocław (PL)' in form
    assert f'<option selected value="{visit.case_study_id}">' in form


@pytest.mark.parametrize(("path", "current"), [
    ("/visits/{visit}", "Case studies"),
    ("/visits/{visit}/itinerary", "Interviews"),
    ("/interviews/", "Interviews"),
    ("/calendar", "Calendar"),
])
def test_one_section_is_current(project, people, make_visit, client_for, path, current) -> None:
    visit = make_visit(project, FIRST, LAST, [people["lead"]])
    db.session.commit()
    url = f"/projects/{project.id}" + path.format(visit=visit.id)
    page = client_for(people["lead"]).get(url).get_data(as_text=True)
    sections = page.split('aria-label="Sections"')[1].split("</nav>")[0]
    assert sections.count('aria-current="page"') == 1
    assert f'aria-current="page">{current}</a>' in sections
    assert sections.count('<summary class="current">') == 1
