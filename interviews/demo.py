"""The interviews part of the demo project: participants, a guide, a week in Brussels, a call
to Washington and interviews during the demo visit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from casestudies.models import Place, Visit
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.guides import save_guide, starter_text
from interviews.models import Guide, Participant
from interviews.participants import ParticipantData, create_participant, record_consent
from interviews.scheduling import InterviewPlan, change_status, create_interview

#: (organisation, type, code, role, city, country, name)
DEMO_PARTICIPANTS = [
    ("European Commission, DG REGIO", "eu_institution", "COM", "policy officer, urban policy",
     "Brussels", "BE", "Claire Dubois"),
    ("European External Action Service", "eu_institution", "EEAS", "desk officer, China",
     "Brussels", "BE", "Pieter Janssens"),
    ("Office of the Silesian Voivodeship in Brussels", "eu_city_region", "", "head of office",
     "Brussels", "BE", "Marta Zielińska"),
    ("US Conference of Mayors", "us_state_city", "", "international affairs director",
     "Washington", "US", "Robert Hayes"),
    ("City of Wrocław", "eu_city_region", "", "head of international relations",
     "Wrocław", "PL", "Katarzyna Wójcik"),
    ("Wrocław University of Science and Technology", "academia", "", "professor",
     "Wrocław", "PL", "Piotr Lewandowski"),
]


def city(name: str, country: str) -> Place | None:
    return db.session.scalar(db.select(Place).where(
        Place.name == name, Place.country_code == country, Place.kind == "city"
    ).order_by(Place.population.desc().nulls_last()).limit(1))


def next_monday(days_ahead: int = 14) -> date:
    day = date.today() + timedelta(days=days_ahead)
    return day - timedelta(days=day.weekday())


def add_demo(project: Project, people: dict[str, User]) -> None:
    """Idempotent: does nothing once the demo project has participants."""
    if db.session.scalar(db.select(Participant.id).where(Participant.project_id == project.id)):
        return
    lead, interviewer = people["lead"], people["interviewer"]
    participants = []
    for organisation, kind, code, role, city_name, country, name in DEMO_PARTICIPANTS:
        participant = create_participant(project, ParticipantData(
            organisation=organisation, organisation_type=kind, organisation_code=code,
            role=role, place=city(city_name, country), name=name,
            email=f"{name.split()[0].lower()}@example.org",
        ))
        record_consent(participant, recording_allowed=kind != "eu_institution" or code == "COM",
                       attribution="role", given_on=date.today(), retention="project",
                       user=lead)
        participants.append(participant)
    guide = save_guide(project, None, "City and regional officials", "Thank you for your time. "
                       "The interview is recorded only with your consent.", starter_text())
    brussels, washington = city("Brussels", "BE"), city("Washington", "US")
    monday = next_monday()
    week = [(0, 10, participants[0]), (1, 14, participants[1]), (2, 9, participants[2])]
    for offset, hour, participant in week:
        create_interview(project, InterviewPlan(
            local_start=datetime.combine(monday + timedelta(days=offset), time(hour)),
            timezone="Europe/Brussels", participants=[participant],
            interviewers=[interviewer], place=brussels, location=participant.organisation,
            guide=guide,
        ), lead)
    call = create_interview(project, InterviewPlan(
        local_start=datetime.combine(monday + timedelta(days=3), time(10)),
        timezone="America/New_York", participants=[participants[3]],
        interviewers=[interviewer, lead], place=washington, mode="video",
        link="https://meet.example.org/us-city-01", guide=guide,
    ), lead)
    change_status(call, "requested", lead)
    add_visit_interviews(project, participants[4:], interviewer, lead, guide)


def add_visit_interviews(project: Project, participants: list[Participant], interviewer: User,
                         lead: User, guide: Guide) -> None:
    visit = db.session.scalar(db.select(Visit).where(Visit.project_id == project.id)
                              .order_by(Visit.starts_on).limit(1))
    if visit is None:
        return
    place = visit.case_study.place
    zone = getattr(place, "timezone", None) or "Europe/Warsaw"
    for offset, participant in enumerate(participants):
        day = min(visit.starts_on + timedelta(days=offset), visit.ends_on)
        create_interview(project, InterviewPlan(
            local_start=datetime.combine(day, time(11)), timezone=zone,
            participants=[participant], interviewers=[interviewer], place=place,
            case_study=visit.case_study, visit=visit, language="Polish", guide=guide,
        ), lead)
