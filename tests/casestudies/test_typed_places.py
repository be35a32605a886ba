"""Every field where a place is typed finds it as the partnership import does: whatever the
case, the accents, an exonym, the local name or another name, and "City, CC". Run on SQLite
and on PostgreSQL (TEST_DATABASE_URL): SQLite's lower() leaves Ł as it is, so a comparison
made in SQL would find "łódź" on one and not on the other."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from flask.testing import FlaskClient

from casestudies.models import CaseStudy, Partnership, Place, SurveyContact
from casestudies.survey import survey
from coding.models import Source
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview, Participant
from interviews.participants import ParticipantData, create_participant
from interviews.scheduling import InterviewPlan, create_interview
from tests.casestudies.helpers import add_partnership

Finder = Callable[[str, str], Place]

#: what a person types, and the gazetteer's English name and country of the place meant
EU_TYPED = [
    ("Łódź", "Łódź", "PL"), ("Lodz", "Łódź", "PL"), ("łódź", "Łódź", "PL"),
    ("ŁÓDŹ", "Łódź", "PL"), ("Łódź, PL", "Łódź", "PL"), ("Lodz (Poland)", "Łódź", "PL"),
    ("Kraków", "Kraków", "PL"), ("Krakow", "Kraków", "PL"), ("Cracow", "Kraków", "PL"),
    ("Plzeň", "Pilsen", "CZ"), ("plzen", "Pilsen", "CZ"), ("Pilsen", "Pilsen", "CZ"),
    ("Cluj-Napoca", "Cluj-Napoca", "RO"), ("Cluj Napoca", "Cluj-Napoca", "RO"),
    ("Kolozsvár", "Cluj-Napoca", "RO"),
]
PARTNER_TYPED = [
    ("Chengdu", "Chengdu", "CN"), ("成都", "Chengdu", "CN"), ("CHENGDU, CN", "Chengdu", "CN"),
    ("Xi'an", "Xi’an", "CN"), ("Xi’an", "Xi’an", "CN"), ("xian", "Xi’an", "CN"),
]
TYPED = EU_TYPED + PARTNER_TYPED


def meant(gazetteer: Finder, name: str, country: str) -> Place:
    place = gazetteer(name, country)
    assert place is not None, (name, country)
    return place


def city_field_answers(
    gazetteer: Finder, submit: Callable[[str], Place | None], typed: list | None = None,
) -> None:
    """Submit each typed name and compare the place saved with the one meant."""
    wrong = {}
    for text, name, country in typed or TYPED:
        found = submit(text)
        if found != meant(gazetteer, name, country):
            wrong[text] = found and f"{found.name} ({found.kind}, {found.country_code})"
    assert wrong == {}


@pytest.fixture
def interviewer(people: dict[str, User], client_for: Callable[[User], FlaskClient]
                ) -> FlaskClient:
    return client_for(people["interviewer"])


@pytest.fixture
def lead(people: dict[str, User], client_for: Callable[[User], FlaskClient]) -> FlaskClient:
    return client_for(people["lead"])


def test_participant_form_other_city(project: Project, gazetteer: Finder,
                                     interviewer: FlaskClient) -> None:
    url = f"/projects/{project.id}/participants/new"

    def submit(text: str) -> Place | None:
        response = interviewer.post(url, data={
            "organisation": "City hall", "organisation_type": "eu_city_region",
            "place_id": "", "other_place": text})
        assert response.status_code == 302, response.get_data(as_text=True)
        return db.session.scalars(db.select(Participant).order_by(Participant.id.desc())
                                  ).first().place

    city_field_answers(gazetteer, submit)
    participant = db.session.scalar(db.select(Participant).limit(1))
    edit = f"/projects/{project.id}/participants/{participant.id}/edit"

    def edited(text: str) -> Place | None:
        response = interviewer.post(edit, data={
            "organisation": "City hall", "organisation_type": "eu_city_region",
            "place_id": "", "other_place": text, "pseudonym": participant.pseudonym})
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return participant.place

    city_field_answers(gazetteer, edited)


def test_a_city_field_says_what_is_wrong(project: Project, gazetteer: Finder,
                                         interviewer: FlaskClient) -> None:
    url = f"/projects/{project.id}/participants/new"
    data = {"organisation": "City hall", "organisation_type": "eu_city_region", "place_id": ""}
    unknown = interviewer.post(url, data={**data, "other_place": "Lodzz"})
    assert unknown.status_code == 400
    assert "No city called “Lodzz”" in unknown.text and "Did you mean Łódź" in unknown.text
    region = interviewer.post(url, data={**data, "other_place": "Małopolskie"})
    assert region.status_code == 400 and "is a region; type a city" in region.text
    wrong_country = interviewer.post(url, data={**data, "other_place": "Łódź, CZ"})
    assert wrong_country.status_code == 400 and "No city called “Łódź, CZ”" in wrong_country.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 0


def test_interview_form_other_city(project: Project, gazetteer: Finder,
                                   interviewer: FlaskClient) -> None:
    participant = create_participant(project, ParticipantData("EEAS", "eu_institution"))
    url = f"/projects/{project.id}/interviews/new"

    def submit(text: str) -> Place | None:
        response = interviewer.post(url, data={
            "participant_ids": [str(participant.id)], "place_id": "", "other_place": text,
            "local_date": "2026-03-16", "local_time": "10:00", "timezone": "Europe/Brussels",
            "duration_minutes": "60", "mode": "in_person", "language": "English",
            "guide_id": "", "case_study_id": "", "visit_id": "", "save_anyway": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return db.session.scalars(db.select(Interview).order_by(Interview.id.desc())
                                  ).first().place

    city_field_answers(gazetteer, submit)


def test_interview_links_other_city(project: Project, gazetteer: Finder,
                                    interviewer: FlaskClient) -> None:
    participant = create_participant(project, ParticipantData("EEAS", "eu_institution"))
    interview = create_interview(project, InterviewPlan(
        local_start=datetime(2026, 3, 16, 10), timezone="Europe/Brussels",
        participants=[participant]), None)
    url = f"/projects/{project.id}/interviews/{interview.id}/links"

    def submit(text: str) -> Place | None:
        response = interviewer.post(url, data={"place_id": "", "other_place": text,
                                               "case_study_id": ""})
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return interview.place

    city_field_answers(gazetteer, submit)


def test_case_study_and_survey_place_fields(project: Project, gazetteer: Finder,
                                            lead: FlaskClient) -> None:
    def new_study(text: str) -> Place | None:
        response = lead.post(f"/projects/{project.id}/case-studies/new",
                             data={"place_name": text, "title": text, "status": "planned"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return db.session.scalars(db.select(CaseStudy).order_by(CaseStudy.id.desc())
                                  ).first().place

    city_field_answers(gazetteer, new_study)
    wave = survey.create_wave(project, name="Spring 2026", started_on=date(2026, 3, 2))

    def added_to_wave(text: str) -> Place | None:
        response = lead.post(f"/projects/{project.id}/survey/{wave.id}/add-place",
                             data={"place_name": text})
        assert response.status_code == 302, response.get_data(as_text=True)
        place = meant(gazetteer, *next((n, c) for t, n, c in TYPED if t == text))
        found = db.session.scalar(db.select(SurveyContact).where(
            SurveyContact.wave_id == wave.id, SurveyContact.place_id == place.id))
        return found.place if found else None

    city_field_answers(gazetteer, added_to_wave)


def test_partnership_form_both_sides(project: Project, gazetteer: Finder,
                                     interviewer: FlaskClient) -> None:
    url = f"/projects/{project.id}/partnerships/new"

    def saved(eu: str, partner: str) -> Partnership:
        response = interviewer.post(url, data={"eu_place": eu, "partner_place": partner,
                                               "kind": "sister_city", "status": "active"})
        assert response.status_code == 302, response.get_data(as_text=True)
        made = db.session.scalars(db.select(Partnership).order_by(Partnership.id.desc())
                                  ).first()
        db.session.delete(made)
        db.session.flush()
        return made

    city_field_answers(gazetteer, lambda text: saved(text, "Chicago").eu_place, EU_TYPED)
    city_field_answers(gazetteer, lambda text: saved("Brno", text).partner_place,
                       PARTNER_TYPED)


def test_source_details_add_place(project: Project, gazetteer: Finder,
                                  lead: FlaskClient) -> None:
    source = Source(project_id=project.id, kind="document", title="Agreement", text="Text.",
                    paragraphs=[])
    db.session.add(source)
    db.session.flush()
    url = f"/projects/{project.id}/coding/sources/{source.id}/details"

    def submit(text: str) -> Place | None:
        response = lead.post(url, data={"title": "Agreement", "case_study": "",
                                        "add_place": text, "attributes": ""})
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return source.places[0] if len(source.places) == 1 else None

    city_field_answers(gazetteer, submit)


def test_suggestions_offer_the_place_meant(project: Project, gazetteer: Finder,
                                           interviewer: FlaskClient) -> None:
    def offered(url: str, typed: list, label: Callable[[Place], str]) -> None:
        missing = []
        for text, name, country in typed:
            place = meant(gazetteer, name, country)
            if label(place) not in interviewer.get(url + text).get_data(as_text=True):
                missing.append(text)
        assert missing == []

    picker = lambda place: f"{place.name} ({place.kind}, {place.country_code})"  # noqa: E731
    offered("/places/suggest?side=eu&eu_place=", EU_TYPED, picker)
    offered("/places/suggest?side=partner&partner_place=", PARTNER_TYPED, picker)
    offered(f"/projects/{project.id}/case-studies/place-options?place_name=", TYPED,
            lambda place: f"{place.name_local} ({place.kind}, {place.country_code})")
    # The first letters are enough, however they are written.
    for start in ("łó", "ŁÓD", "lod", "Kra", "plz", "cluj-n", "成", "xi'"):
        page = interviewer.get(f"/places/suggest?eu_place={start}").get_data(as_text=True)
        assert "(city, " in page, start


def test_list_filters_by_place_name(project: Project, gazetteer: Finder,
                                    interviewer: FlaskClient) -> None:
    chicago = db.session.scalar(db.select(Place).where(Place.name == "Chicago"))
    brno = meant(gazetteer, "Brno", "CZ")
    for eu in {meant(gazetteer, name, country) for _, name, country in EU_TYPED}:
        add_partnership(project, eu, chicago)
    for partner in {meant(gazetteer, name, country) for _, name, country in PARTNER_TYPED}:
        add_partnership(project, brno, partner)
    missing = []
    for text, name, country in TYPED:
        place = meant(gazetteer, name, country)
        places_page = interviewer.get("/places", query_string={"q": text}).text
        if f'href="/places/{place.id}"' not in places_page:
            missing.append(("places", text))
        listed = interviewer.get(f"/projects/{project.id}/partnerships",
                                 query_string={"q": text}).text
        if place.name_local not in listed and place.name not in listed:
            missing.append(("partnerships", text))
    assert missing == []
    # A part of a name is enough in a list's filter, and other places stay out.
    page = interviewer.get("/places", query_string={"q": "odz", "kind": "city"}).text
    assert f'href="/places/{meant(gazetteer, "Łódź", "PL").id}"' in page
    assert f'href="/places/{meant(gazetteer, "Kraków", "PL").id}"' not in page
