"""The interview form offers only the people who may be chosen, and the server refuses the
others in words: interviewers are the project's leads and interviewers, participants are the
project's own who have not withdrawn. Editing an interview keeps the people already on it."""

from __future__ import annotations

from datetime import date, datetime

from fieldwork.extensions import db
from fieldwork.models import Membership
from interviews.models import Interview
from interviews.participants import withdraw_consent


def plan(participant_ids: list[int], interviewer_ids: list[int], place_id: int) -> dict:
    return {
        "participant_ids": [str(i) for i in participant_ids], "place_id": str(place_id),
        "local_date": "2026-03-16", "local_time": "10:30", "timezone": "",
        "duration_minutes": "60", "mode": "in_person", "language": "English",
        "interviewer_ids": [str(i) for i in interviewer_ids], "guide_id": "",
        "case_study_id": "", "visit_id": "",
    }


def offered(page: str, field: str) -> str:
    """The options of one list on the page, as HTML."""
    start = page.index(f'id="{field}"')
    return page[start:page.index("</select>", start)]


def test_only_leads_and_interviewers_are_offered_as_interviewers(
    project, people, client_for
) -> None:
    page = client_for(people["interviewer"]).get(
        f"/projects/{project.id}/interviews/new").get_data(as_text=True)
    interviewers = offered(page, "interviewer_ids")
    assert f'value="{people["lead"].id}"' in interviewers
    assert f'value="{people["interviewer"].id}"' in interviewers
    for role in ("coder", "viewer", "outsider"):
        assert f'value="{people[role].id}"' not in interviewers, role


def test_only_the_projects_participants_who_consent_are_offered(
    project, people, client_for, make_participant, make_project
) -> None:
    staying = make_participant(project, code="STAY", name="Staying Person")
    leaving = make_participant(project, code="GONE", name="Leaving Person")
    withdraw_consent(leaving, date(2026, 2, 1), "does not want to take part")
    elsewhere = make_participant(make_project("Elsewhere 2"), code="ELSE", name="Other Person")
    db.session.commit()
    page = client_for(people["lead"]).get(
        f"/projects/{project.id}/interviews/new").get_data(as_text=True)
    participants = offered(page, "participant_ids")
    assert f'value="{staying.id}"' in participants
    assert f'value="{leaving.id}"' not in participants
    assert f'value="{elsewhere.id}"' not in participants


def test_a_coder_sent_as_interviewer_is_refused_in_words(
    project, people, client_for, make_participant, make_place
) -> None:
    participant = make_participant(project)
    brussels = make_place("Brussels")
    db.session.commit()
    response = client_for(people["lead"]).post(
        f"/projects/{project.id}/interviews/new",
        data=plan([participant.id], [people["lead"].id, people["coder"].id], brussels.id))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "cannot interview: only the project&#39;s leads and interviewers do" in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Interview)) == 0


def test_a_withdrawn_participant_sent_is_refused_in_words(
    project, people, client_for, make_participant, make_place
) -> None:
    leaving = make_participant(project)
    withdraw_consent(leaving, date(2026, 2, 1), "")
    brussels = make_place("Brussels")
    db.session.commit()
    response = client_for(people["lead"]).post(
        f"/projects/{project.id}/interviews/new",
        data=plan([leaving.id], [people["lead"].id], brussels.id))
    assert response.status_code == 400
    assert "have withdrawn their consent" in response.get_data(as_text=True)


def test_editing_keeps_an_interviewer_whose_role_changed(
    project, people, client_for, make_interview
) -> None:
    """A planned interview stays editable after its interviewer became a viewer: they are
    still offered there (and kept), though not offered for new interviews."""
    interview = make_interview(project, datetime(2026, 3, 16, 10),
                               interviewers=[people["interviewer"]])
    membership = db.session.scalar(db.select(Membership).where(
        Membership.user_id == people["interviewer"].id, Membership.project_id == project.id))
    membership.role = "viewer"
    db.session.commit()
    client = client_for(people["lead"])
    url = f"/projects/{project.id}/interviews/{interview.id}/edit"
    assert f'value="{people["interviewer"].id}"' in offered(
        client.get(url).get_data(as_text=True), "interviewer_ids")
    response = client.post(url, data=plan(
        [p.id for p in interview.participants], [people["interviewer"].id],
        interview.place_id) | {"local_date": "2026-03-17"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(interview)
    assert interview.interviewers == [people["interviewer"]]
    new_form = client.get(f"/projects/{project.id}/interviews/new").get_data(as_text=True)
    assert f'value="{people["interviewer"].id}"' not in offered(new_form, "interviewer_ids")
