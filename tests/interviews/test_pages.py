"""The pages as each role sees them: identities hidden from coders and viewers everywhere."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from fieldwork.extensions import db
from interviews.models import Interview, Participant
from interviews.scheduling import change_status
from interviews.settings import settings_for
from tests.casestudies.helpers import add_partnership

SECRETS = ("Claire Secretname", "claire.secret@example.org", "+32 2 555 0199")


@pytest.fixture
def scene(project, people, make_interview, make_visit, make_participant, make_place):
    visit = make_visit(project, date(2026, 3, 16), date(2026, 3, 18),
                       [people["interviewer"]])
    participant = make_participant(project)
    partnership = add_partnership(project, make_place("Wrocław"), make_place("Washington"))
    interview = make_interview(
        project, datetime(2026, 3, 17, 10), city="Wrocław", participants=[participant],
        interviewers=[people["interviewer"], people["coder"], people["viewer"]],
        visit=visit, notes="Claire Secretname prefers mornings", partnerships=[partnership],
    )
    done = make_interview(project, datetime(2026, 3, 2, 10), participants=[participant])
    for status in ("confirmed", "done"):
        change_status(done, status, None)
    upcoming = make_interview(project, datetime(2031, 5, 5, 10), participants=[participant])
    db.session.commit()
    p = f"/projects/{project.id}"
    return [
        f"{p}/", f"{p}/participants/", f"{p}/participants/{participant.id}",
        f"{p}/interviews/", f"{p}/interviews/{interview.id}",
        f"{p}/interviews/{upcoming.id}",
        f"{p}/interviews/{interview.id}/interview.ics",
        f"{p}/calendar?from=2026-03-16", f"{p}/calendar?view=week&from=2026-03-16",
        "/calendar?from=2026-03-16", "/calendar?view=week&from=2026-03-16",
        f"{p}/visits/{visit.id}/itinerary", f"{p}/visits/{visit.id}",
        f"{p}/case-studies/{visit.case_study_id}",
        f"{p}/partnerships/{partnership.id}", f"/places/{interview.place_id}",
    ]


@pytest.mark.parametrize("role", ["coder", "viewer"])
def test_identity_hidden_on_every_page(scene, people, client_for, role) -> None:
    client = client_for(people[role])
    for url in scene:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "EU-COM-01" in text, url
        for secret in SECRETS:
            assert secret not in text, f"{secret} shown on {url}"


@pytest.mark.parametrize("role", ["lead", "interviewer"])
def test_identity_shown_to_leads_and_interviewers(scene, people, client_for, role) -> None:
    client = client_for(people[role])
    for url in scene[1:3]:
        assert "Claire Secretname" in client.get(url).get_data(as_text=True)


def test_times_side_by_side(scene, people, client_for) -> None:
    people["coder"].timezone = "America/New_York"
    db.session.commit()
    text = client_for(people["coder"]).get(scene[4]).get_data(as_text=True)
    assert "10:00–11:00" in text  # local, Wrocław
    assert "05:00–06:00" in text  # the reader's zone, New York (EDT from 8 March)


def test_plan_with_conflict_then_save_anyway(project, people, make_interview, make_participant,
                                             make_place, client_for) -> None:
    me = people["interviewer"]
    make_interview(project, datetime(2026, 3, 16, 10), interviewers=[me])
    other = make_participant(project)
    brussels = make_place("Brussels")
    db.session.commit()
    form = {
        "participant_ids": [str(other.id)], "place_id": str(brussels.id),
        "local_date": "2026-03-16", "local_time": "10:30", "timezone": "",
        "duration_minutes": "60", "mode": "in_person", "language": "English",
        "interviewer_ids": [str(me.id)], "guide_id": "", "case_study_id": "", "visit_id": "",
        "location": "Berlaymont, room 5",
    }
    client = client_for(me)
    url = f"/projects/{project.id}/interviews/new"
    response = client.post(url, data=form)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "already has an interview" in text and "Save anyway" in text
    assert "Berlaymont, room 5" in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Interview)) == 1
    response = client.post(url, data={**form, "save_anyway": "y"})
    assert response.status_code == 302
    saved = db.session.scalars(db.select(Interview).order_by(Interview.id.desc())).first()
    assert saved.timezone == "Europe/Brussels"
    assert saved.starts_at.isoformat() == "2026-03-16T09:30:00+00:00"


def test_form_errors_in_words(project, people, client_for, make_participant) -> None:
    participant = make_participant(project)
    db.session.commit()
    client = client_for(people["lead"])
    response = client.post(f"/projects/{project.id}/interviews/new", data={
        "participant_ids": [str(participant.id)], "local_date": "2026-03-29",
        "local_time": "02:30", "timezone": "Europe/Brussels", "duration_minutes": "60",
        "mode": "phone", "place_id": "", "guide_id": "", "case_study_id": "", "visit_id": "",
    })
    assert response.status_code == 400
    assert "does not exist in Europe/Brussels" in response.get_data(as_text=True)


def test_add_participant_and_consent(project, people, client_for, make_place, files_dir) -> None:
    wroclaw = make_place("Wrocław")
    db.session.commit()
    client = client_for(people["interviewer"])
    response = client.post(f"/projects/{project.id}/participants/new", data={
        "organisation": "City of Wrocław", "organisation_type": "eu_city_region",
        "place_id": str(wroclaw.id), "name": "Ewa Tajna", "role": "head of office",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    participant = db.session.scalar(db.select(Participant))
    assert participant.pseudonym == "PL-CITY-01"
    response = client.post(
        f"/projects/{project.id}/participants/{participant.id}/consent",
        data={"recording_allowed": "y", "attribution": "role", "given_on": "2026-03-01",
              "retention": "project"},
    )
    assert response.status_code == 302
    response = client.post(f"/projects/{project.id}/participants/{participant.id}/withdraw",
                           data={"withdrawn_on": "2026-04-01", "note": "changed her mind"})
    db.session.expire_all()
    assert participant.consent.withdrawn_on == date(2026, 4, 1)
    assert not participant.consent.recording_allowed


def test_guide_written_and_printed(project, people, client_for) -> None:
    client = client_for(people["lead"])
    form = client.get(f"/projects/{project.id}/guides/new").get_data(as_text=True)
    assert "# Success factors" in form
    response = client.post(f"/projects/{project.id}/guides/new", data={
        "title": "Officials", "text": "# Goals of the city\nWhy partner?\nWith whom?\n"
                                     "# Success factors\nWhat worked?",
    })
    assert response.status_code == 302
    page = client_for(people["coder"]).get(response.headers["Location"]).get_data(as_text=True)
    assert "Goals of the city" in page and "What worked?" in page


def test_partnerships_linked_on_the_form_and_shown(project, people, make_participant,
                                                   make_place, client_for) -> None:
    wroclaw, washington = make_place("Wrocław"), make_place("Washington")
    partnership = add_partnership(project, wroclaw, washington, "letter_of_intent")
    participant = make_participant(project)
    db.session.commit()
    client = client_for(people["interviewer"])
    url = f"/projects/{project.id}/interviews/new"
    assert "Wrocław – Washington" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={
        "participant_ids": [str(participant.id)], "place_id": str(make_place("Brussels").id),
        "local_date": "2026-03-16", "local_time": "10:00", "timezone": "",
        "duration_minutes": "60", "mode": "in_person", "language": "English", "guide_id": "",
        "case_study_id": "", "visit_id": "", "partnership_ids": [str(partnership.id)],
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.session.scalars(db.select(Interview).order_by(Interview.id.desc())).first()
    assert saved.partnerships == [partnership]
    page = client_for(people["coder"]).get(response.headers["Location"]).get_data(as_text=True)
    link = f'href="/projects/{project.id}/partnerships/{partnership.id}"'
    assert link in page
    assert "Wrocław – Washington</a>" in page and "letter of intent" in page


def test_place_and_partnership_pages_list_their_interviews(scene, people, client_for) -> None:
    client = client_for(people["viewer"])
    partnership_page = client.get(scene[-2]).get_data(as_text=True)
    assert "Interviews about this partnership" in partnership_page
    assert "Tue 17 Mar 2026, 10:00" in partnership_page
    place_page = client.get(scene[-1]).get_data(as_text=True)
    assert "Interviews held here" in place_page
    assert "Tue 17 Mar 2026, 10:00" in place_page


def test_place_page_hides_interviews_of_other_projects(scene, people, client_for) -> None:
    text = client_for(people["outsider"]).get(scene[-1]).get_data(as_text=True)
    assert "Interviews held here" not in text
    assert "EU-COM-01" not in text


def test_the_lead_sets_the_projects_transcription_model_and_language(
    project, people, client_for
) -> None:
    client = client_for(people["lead"])
    url = f"/projects/{project.id}/interviews/settings"
    page = client.get(url).text
    assert '<option selected value="base">base</option>' in page
    assert '<option value="tiny.en">tiny.en</option>' in page
    assert '<option value="et">Estonian</option>' in page
    assert '<option value="ru">Russian</option>' in page and "Irish is not among" in page
    form = {"pseudonym_pattern": "{country}-{orgtype}-{n:02}", "buffer_minutes": "30",
            "day_starts_hour": "8", "day_ends_hour": "20"}

    refused = client.post(url, data={**form, "transcription_model": "tiny.en",
                                      "transcription_language": "pl"})
    assert refused.status_code == 400
    assert "tiny.en knows only English, so it cannot do Polish" in refused.text
    assert '<option selected value="pl">Polish</option>' in refused.text

    saved = client.post(url, data={**form, "transcription_model": "base",
                                    "transcription_language": "pl"})
    assert saved.status_code == 302
    settings = settings_for(project)
    assert (settings.transcription_model, settings.transcription_language) == ("base", "pl")
