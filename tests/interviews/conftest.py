"""Factories for the interviews tests: places, participants, interviews, visits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import count
from typing import Any

import pytest

from casestudies.models import CaseStudy, Place, Visit
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview, Participant
from interviews.participants import ParticipantData, create_participant, record_consent
from interviews.scheduling import InterviewPlan, create_interview

_numbers = count(1)

CITIES = {
    "Brussels": ("BE", "Europe/Brussels", True),
    "Washington": ("US", "America/New_York", False),
    "Wrocław": ("PL", "Europe/Warsaw", True),
}


@pytest.fixture
def make_place() -> Callable[..., Place]:
    def make(name: str = "Brussels") -> Place:
        existing = db.session.scalar(db.select(Place).where(Place.name == name))
        if existing is not None:
            return existing
        country, zone, is_eu = CITIES[name]
        place = Place(key=f"test-{name.lower()}-{next(_numbers)}", kind="city", name=name,
                      country_code=country, timezone=zone, is_eu=is_eu,
                      is_cee=country == "PL", population=500_000)
        db.session.add(place)
        db.session.flush()
        return place

    return make


@pytest.fixture
def make_participant(make_place: Callable[..., Place]) -> Callable[..., Participant]:
    def make(project: Project, *, organisation: str = "European Commission",
             kind: str = "eu_institution", code: str = "COM", city: str = "Brussels",
             name: str = "Claire Secretname", consent: bool = True) -> Participant:
        participant = create_participant(project, ParticipantData(
            organisation=organisation, organisation_type=kind, organisation_code=code,
            role="policy officer", place=make_place(city), name=name,
            email="claire.secret@example.org", phone="+32 2 555 0199",
        ))
        if consent:
            record_consent(participant, recording_allowed=True, attribution="role",
                           given_on=date(2026, 3, 1), retention="project", user=None)
        return participant

    return make


@pytest.fixture
def make_interview(
    make_place: Callable[..., Place], make_participant: Callable[..., Participant]
) -> Callable[..., Interview]:
    def make(project: Project, local_start: datetime, *, city: str = "Brussels",
             interviewers: list[User] | None = None, participants: list[Participant] | None = None,
             **overrides: Any) -> Interview:
        place = make_place(city)
        plan = InterviewPlan(
            local_start=local_start, timezone=place.timezone, place=place,
            participants=participants or [make_participant(project)],
            interviewers=interviewers or [], **overrides,
        )
        return create_interview(project, plan, None)

    return make


@pytest.fixture
def make_visit(make_place: Callable[..., Place]) -> Callable[..., Visit]:
    def make(project: Project, starts_on: date, ends_on: date, team: list[User],
             city: str = "Wrocław") -> Visit:
        study = CaseStudy(project_id=project.id, place_id=make_place(city).id,
                          title=f"{city} and its partners")
        db.session.add(study)
        db.session.flush()
        visit = Visit(project_id=project.id, case_study_id=study.id, starts_on=starts_on,
                      ends_on=ends_on, purpose="Interviews at the city hall")
        visit.team = list(team)
        db.session.add(visit)
        db.session.flush()
        return visit

    return make
