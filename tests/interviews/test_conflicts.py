"""Warnings before saving: overlaps, the buffer, visits, odd local hours."""

from __future__ import annotations

from datetime import date, datetime

from casestudies.models import Place
from fieldwork.extensions import db
from interviews.conflicts import find_conflicts
from interviews.scheduling import InterviewPlan, change_status
from interviews.settings import update_settings


def plan(participant, local: datetime, interviewers, zone: str = "Europe/Brussels",
         **extra) -> InterviewPlan:
    return InterviewPlan(local_start=local, timezone=zone, participants=[participant],
                         interviewers=interviewers, **extra)


def kinds(conflicts) -> list[str]:
    return [c.kind for c in conflicts]


def test_overlap_and_buffer(project, people, make_interview, make_participant) -> None:
    me = people["interviewer"]
    make_interview(project, datetime(2026, 3, 16, 10), interviewers=[me])
    other = make_participant(project)
    assert kinds(find_conflicts(project, plan(other, datetime(2026, 3, 16, 10, 30), [me]))) == [
        "interview"
    ]
    # ends 11:00; 11:15 is inside the default 30-minute buffer, 11:30 is not
    assert kinds(find_conflicts(project, plan(other, datetime(2026, 3, 16, 11, 15), [me]))) == [
        "interview"
    ]
    assert find_conflicts(project, plan(other, datetime(2026, 3, 16, 11, 30), [me])) == []
    update_settings(project, pseudonym_pattern="{n}", buffer_minutes=0, day_starts_hour=8,
                    day_ends_hour=20, transcription_model="base", transcription_language="")
    assert find_conflicts(project, plan(other, datetime(2026, 3, 16, 11, 0), [me])) == []
    # another interviewer is free
    assert find_conflicts(project, plan(other, datetime(2026, 3, 16, 10), [people["lead"]])) == []


def test_overlap_across_zones_and_cancelled(project, people, make_interview,
                                            make_participant) -> None:
    me = people["interviewer"]
    # 10:00 in Washington during the DST gap is 15:00 in Brussels
    call = make_interview(project, datetime(2026, 3, 16, 10), city="Washington",
                          interviewers=[me])
    other = make_participant(project)
    found = find_conflicts(project, plan(other, datetime(2026, 3, 16, 15, 30), [me]))
    assert kinds(found) == ["interview"]
    assert "15:00" in found[0].message
    change_status(call, "cancelled", None)
    assert find_conflicts(project, plan(other, datetime(2026, 3, 16, 15, 30), [me])) == []


def test_editing_does_not_clash_with_itself(project, people, make_interview) -> None:
    me = people["interviewer"]
    interview = make_interview(project, datetime(2026, 3, 16, 10), interviewers=[me])
    again = plan(interview.participants[0], datetime(2026, 3, 16, 10, 15), [me])
    assert find_conflicts(project, again, exclude_interview_id=interview.id) == []


def test_odd_local_hours(project, people, make_participant) -> None:
    participant = make_participant(project)
    early = plan(participant, datetime(2026, 3, 16, 7), [], zone="America/New_York")
    late = plan(participant, datetime(2026, 3, 16, 19, 30), [])
    assert kinds(find_conflicts(project, early)) == ["hours"]
    assert kinds(find_conflicts(project, late)) == ["hours"]
    assert find_conflicts(project, plan(participant, datetime(2026, 3, 16, 8), [])) == []


def test_visits(project, people, make_participant, make_visit) -> None:
    me = people["interviewer"]
    visit = make_visit(project, date(2026, 3, 16), date(2026, 3, 18), [me])
    participant = make_participant(project, city="Wrocław", kind="eu_city_region", code="")
    inside = plan(participant, datetime(2026, 3, 17, 11), [me], zone="Europe/Warsaw", visit=visit)
    assert find_conflicts(project, inside) == []
    outside = plan(participant, datetime(2026, 3, 19, 11), [me], zone="Europe/Warsaw",
                   visit=visit)
    assert kinds(find_conflicts(project, outside)) == ["outside_visit"]
    brussels = plan(make_participant(project), datetime(2026, 3, 17, 11), [me])
    found = find_conflicts(project, brussels)
    assert kinds(found) == ["visit"]
    assert "16 Mar" in found[0].message


def test_no_visit_warning_at_the_visited_place(project, people, make_participant, make_visit,
                                                make_place) -> None:
    me = people["interviewer"]
    visit = make_visit(project, date(2026, 3, 16), date(2026, 3, 18), [me])
    wroclaw = visit.case_study.place
    participant = make_participant(project, city="Wrocław", kind="eu_city_region", code="")
    at_the_place = plan(participant, datetime(2026, 3, 17, 11), [me], zone="Europe/Warsaw",
                        place=wroclaw)
    assert find_conflicts(project, at_the_place) == []
    # a visit to the region covers its cities
    region = Place(key="test-region-lower-silesia", kind="region", name="Lower Silesia",
                           country_code="PL", timezone="Europe/Warsaw")
    db.session.add(region)
    db.session.flush()
    wroclaw.region_id = region.id
    visit.case_study.place_id = region.id
    db.session.flush()
    db.session.expire(visit.case_study)
    assert find_conflicts(project, at_the_place) == []
    brussels = plan(make_participant(project), datetime(2026, 3, 17, 11), [me],
                    place=make_place("Brussels"))
    assert kinds(find_conflicts(project, brussels)) == ["visit"]
