"""The survey's part of the demo project: a wave of Polish and Czech cities in every state."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func

from casestudies.models import SurveyWave
from casestudies.survey import survey
from fieldwork.extensions import db
from fieldwork.models import Project, User

DEMO_WAVE = "Pilot: Polish and Czech cities (demo)"


def add_demo(project: Project, people: dict[str, User]) -> None:
    """Skipped when the project has a wave already or the gazetteer has no cities yet."""
    has_waves = db.session.scalar(
        db.select(func.count()).select_from(SurveyWave).where(SurveyWave.project_id == project.id)
    )
    places = [
        place for country in ("PL", "CZ")
        for place in db.session.scalars(
            survey.places_matching(survey.PlaceFilter(country_code=country, min_population=250_000))
        )
    ]
    if has_waves or not places:
        return
    sent_on = date.today() - timedelta(days=40)
    wave = survey.create_wave(project, name=DEMO_WAVE, started_on=sent_on,
                              note="A first wave to test the questionnaire.")
    survey.add_contacts(wave, places, "Polish and Czech cities over 250,000")
    for number, contact in enumerate(wave.contacts):
        step = number % 5
        if step == 0:
            continue
        survey.record_sent(contact, sent_on)
        if step >= 2:
            survey.record_reminder(contact, sent_on + timedelta(days=14))
        if step == 3:
            survey.record_outcome(contact, "responded", sent_on + timedelta(days=20))
        elif step == 4:
            survey.record_outcome(contact, "declined", sent_on + timedelta(days=18))
