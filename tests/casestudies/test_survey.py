"""The city survey: adding places, recording what happened, response files and rates."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from itertools import count
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from casestudies.models import Place, SurveyContact, SurveyWave
from casestudies.survey import survey
from casestudies.survey.demo import add_demo
from casestudies.survey.panel import statistics
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, StoredFile, User

_keys = count(1)
SENT = date(2026, 3, 2)


def add_place(name: str, country: str, population: int | None, *, kind: str = "city",
              is_eu: bool = True, is_cee: bool = False) -> Place:
    place = Place(key=f"survey-test:{next(_keys)}", kind=kind, name=name, name_local=name,
                  country_code=country, population=population, is_eu=is_eu, is_cee=is_cee)
    db.session.add(place)
    db.session.flush()
    return place


@pytest.fixture
def places() -> dict[str, Place]:
    return {
        "lodz": add_place("Lodz", "PL", 680_000, is_cee=True),
        "opole": add_place("Opole", "PL", 120_000, is_cee=True),
        "small": add_place("Sopot", "PL", 35_000, is_cee=True),
        "region": add_place("Lodzkie", "PL", 2_400_000, kind="region", is_cee=True),
        "brno": add_place("Brno", "CZ", 380_000, is_cee=True),
        "lyon": add_place("Lyon", "FR", 510_000),
        "ohio": add_place("Columbus", "US", 900_000, is_eu=False),
    }


@pytest.fixture
def wave(project: Project) -> SurveyWave:
    return survey.create_wave(project, name="Spring 2026", started_on=SENT)


def test_bulk_add_takes_eu_cities_of_a_country_once(
    wave: SurveyWave, places: dict[str, Place],
) -> None:
    polish = survey.PlaceFilter(country_code="PL", min_population=50_000)
    first = survey.add_places_matching(wave, polish)
    assert [place.name for place in first.added] == ["Lodz", "Opole"]
    again = survey.add_places_matching(wave, polish)
    assert (again.added, again.already_there) == ([], 2)
    everywhere = survey.add_places_matching(wave, survey.PlaceFilter(min_population=50_000))
    assert {place.name for place in everywhere.added} == {"Brno", "Lyon"}
    assert everywhere.already_there == 2
    cee_regions = survey.PlaceFilter(kind="region", cee_only=True)
    assert [p.name for p in survey.add_places_matching(wave, cee_regions).added] == ["Lodzkie"]
    assert len(wave.contacts) == 5
    assert cee_regions.describe() == "EU regions in Central and Eastern Europe"


def test_bulk_add_through_the_page(
    project: Project, wave: SurveyWave, places: dict[str, Place], people: dict[str, User],
    client_for: Callable[[User], FlaskClient],
) -> None:
    client = client_for(people["interviewer"])
    url = f"/projects/{project.id}/survey/{wave.id}/add-places"
    form = {"kind": "city", "country": "PL", "min_population": "50000"}
    client.post(url, data=form)
    page = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "0 EU cities over 50,000 in PL added; 2 already in the wave." in page
    assert db.session.scalar(
        db.select(db.func.count()).select_from(SurveyContact)
        .where(SurveyContact.wave_id == wave.id)
    ) == 2
    bad = client.post(url, data={**form, "min_population": "-5"})
    assert bad.status_code == 400
    assert "Give a population of 0 or more." in bad.get_data(as_text=True)
    single = client.post(f"/projects/{project.id}/survey/{wave.id}/add-place",
                         data={"place_name": "Opole"}, follow_redirects=True)
    assert "Opole is already in the wave." in single.get_data(as_text=True)


def contact_for(wave: SurveyWave, place: Place) -> SurveyContact:
    return survey.add_contacts(wave, [place]) and db.session.scalar(
        db.select(SurveyContact).where(SurveyContact.wave_id == wave.id,
                                       SurveyContact.place_id == place.id)
    )


def test_recording_follows_the_order_of_events(wave: SurveyWave, places: dict[str, Place]) -> None:
    contact = contact_for(wave, places["lodz"])
    with pytest.raises(survey.SurveyError, match="as sent before a reminder"):
        survey.record_reminder(contact, SENT)
    survey.record_sent(contact, SENT)
    with pytest.raises(survey.SurveyError, match="cannot come before the questionnaire"):
        survey.record_reminder(contact, date(2026, 3, 1))
    survey.record_reminder(contact, date(2026, 3, 16))
    survey.record_reminder(contact, date(2026, 3, 30))
    assert (contact.status, contact.reminder_count, contact.last_reminder_on) == (
        "reminded", 2, date(2026, 3, 30))
    survey.record_outcome(contact, "responded", date(2026, 4, 2))
    assert (contact.status, contact.responded_on) == ("responded", date(2026, 4, 2))
    with pytest.raises(survey.SurveyError, match="already answered"):
        survey.record_sent(contact, SENT)
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"survey_contact.sent", "survey_contact.reminder", "survey_contact.responded"} <= actions


def test_response_rates_by_country_and_wave(
    project: Project, wave: SurveyWave, places: dict[str, Place],
) -> None:
    autumn = survey.create_wave(project, name="Autumn 2026", started_on=date(2026, 10, 1))
    outcomes = {"lodz": "responded", "opole": "bounced", "brno": "declined", "lyon": None}
    for key, outcome in outcomes.items():
        contact = contact_for(wave, places[key])
        survey.record_sent(contact, SENT)
        if outcome:
            survey.record_outcome(contact, outcome, date(2026, 3, 20))
    contact_for(wave, places["small"])
    survey.record_sent(contact_for(autumn, places["lodz"]), date(2026, 10, 1))
    table = survey.response_rates(project)
    assert table.countries == ["CZ", "FR", "PL"]
    poland = table.cell("PL", wave.id)
    assert (poland.contacts, poland.sent, poland.bounced, poland.responded) == (3, 2, 1, 1)
    assert poland.percent == 100.0
    assert table.by_wave[wave.id].percent == pytest.approx(100 / 3)
    assert table.by_country["PL"].percent == 50.0
    assert table.cell("CZ", autumn.id) is None
    assert table.total.contacts == 6


def test_rates_page(
    project: Project, wave: SurveyWave, places: dict[str, Place], people: dict[str, User],
    client_for: Callable[[User], FlaskClient],
) -> None:
    contact = contact_for(wave, places["lodz"])
    survey.record_sent(contact, SENT)
    survey.record_outcome(contact, "responded", date(2026, 3, 9))
    survey.record_sent(contact_for(wave, places["brno"]), SENT)
    db.session.flush()
    page = client_for(people["viewer"]).get(f"/projects/{project.id}/survey")
    text = page.get_data(as_text=True)
    assert "Response rates by country and wave" in text
    assert "Poland" in text and "Czechia" in text
    assert "1 / 2" in text and "50 %" in text


def test_wave_page_filters(
    project: Project, wave: SurveyWave, places: dict[str, Place], people: dict[str, User],
    client_for: Callable[[User], FlaskClient],
) -> None:
    survey.add_places_matching(wave, survey.PlaceFilter(min_population=50_000))
    survey.record_sent(contact_for(wave, places["brno"]), SENT)
    db.session.flush()
    client = client_for(people["coder"])
    url = f"/projects/{project.id}/survey/{wave.id}"
    czech = client.get(f"{url}?country=CZ").get_data(as_text=True)
    assert ">Brno</a>" in czech and ">Lodz</a>" not in czech
    sent = client.get(f"{url}?status=sent").get_data(as_text=True)
    assert ">Brno</a>" in sent and ">Lyon</a>" not in sent
    assert "Add many places" not in sent


def test_response_file_upload_and_download(
    project: Project, wave: SurveyWave, places: dict[str, Place], people: dict[str, User],
    client_for: Callable[[User], FlaskClient], files_dir: Path,
) -> None:
    contact = contact_for(wave, places["lodz"])
    survey.record_sent(contact, SENT)
    db.session.flush()
    client = client_for(people["interviewer"])
    url = f"/projects/{project.id}/survey/contacts/{contact.id}/response"
    missing = client.post(f"{url}/upload", data={})
    assert "Choose the file of the filled-in questionnaire." in missing.get_data(as_text=True)
    answer = "Łódź: Odpowiedź na ankietę".encode()
    response = client.post(f"{url}/upload", data={
        "file": (io.BytesIO(answer), "ankieta łódź.pdf", "application/pdf"),
    })
    assert response.status_code == 302
    db.session.refresh(contact)
    assert contact.status == "responded" and contact.responded_on == date.today()
    assert contact.response_file.filename == "ankieta łódź.pdf"
    download = client_for(people["viewer"]).get(url)
    assert download.data == answer
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"ankieta lodz.pdf\"; "
        "filename*=UTF-8''ankieta%20%C5%82%C3%B3d%C5%BA.pdf")

    client.post(f"{url}/upload", data={"file": (io.BytesIO(b"second"), "v2.pdf")})
    db.session.refresh(contact)
    assert contact.response_file.filename == "v2.pdf"
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == 1


def test_record_and_correct_through_the_page(
    project: Project, wave: SurveyWave, places: dict[str, Place], people: dict[str, User],
    client_for: Callable[[User], FlaskClient],
) -> None:
    contact = contact_for(wave, places["opole"])
    client = client_for(people["lead"])
    url = f"/projects/{project.id}/survey/contacts/{contact.id}"
    early = client.post(f"{url}/record", data={"event": "reminder", "day": "2026-03-01"})
    assert early.status_code == 400
    assert "Record the questionnaire as sent before a reminder." in early.get_data(as_text=True)
    client.post(f"{url}/record", data={"event": "sent", "day": "2026-03-02"})
    wrong = client.post(f"{url}/edit", data={
        "contact_email": "not-an-address", "status": "responded", "sent_on": "2026-03-02",
        "responded_on": "2026-03-01",
    })
    assert "That is not an email address." in wrong.get_data(as_text=True)
    wrong = client.post(f"{url}/edit", data={
        "contact_name": "Anna", "status": "responded", "sent_on": "2026-03-02",
        "responded_on": "2026-03-01",
    })
    assert "cannot come before the questionnaire was sent" in wrong.get_data(as_text=True)
    assert 'value="Anna"' in wrong.get_data(as_text=True)
    client.post(f"{url}/edit", data={
        "contact_name": "Anna Nowak", "contact_office": "Mayor's office", "status": "responded",
        "sent_on": "2026-03-02", "responded_on": "2026-03-10",
    })
    db.session.refresh(contact)
    assert (contact.contact_name, contact.status, contact.responded_on) == (
        "Anna Nowak", "responded", date(2026, 3, 10))
    viewer = client_for(people["viewer"])
    assert viewer.post(f"{url}/record", data={"event": "sent", "day": "2026-03-02"}) \
        .status_code == 403
    assert "Anna Nowak" in viewer.get(url).get_data(as_text=True)


def test_demo_wave_and_counts(project: Project, people: dict[str, User],
                              places: dict[str, Place]) -> None:
    add_demo(project, people)
    add_demo(project, people)
    [wave] = survey.waves_of(project)
    # Cities over 250,000 in Poland and Czechia, in turn not sent, sent, reminded, ...
    assert [(c.place.name, c.status) for c in wave.contacts] == [
        ("Lodz", "not_sent"), ("Brno", "sent"),
    ]
    assert statistics(project) == {"survey_contacts": 2}
