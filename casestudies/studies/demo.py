"""The case studies' part of the demo project: a Polish city with a visit next month."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func

from casestudies.matching import EXACT
from casestudies.models import CaseStudy, Place
from casestudies.places import place_index
from casestudies.seeding import gazetteer_is_empty, seed_places
from casestudies.studies.studies import create_case_study
from casestudies.studies.visits import create_visit
from fieldwork.extensions import db
from fieldwork.models import Project, User

DEMO_CITIES = ("Wrocław", "Łódź")
DEMO_TITLE = "Wrocław: city diplomacy with US and Chinese partners"
DEMO_QUESTIONS = (
    "What model of cooperation does the city follow with its US and Chinese partners?\n"
    "What made the partnerships succeed or stall: people, agreements, an office abroad?\n"
    "How does the city coordinate with the regional, national and EU levels?"
)
DEMO_AGENDA = (
    "Day 1: city hall, international relations office; regional marshal's office\n"
    "Day 2: chamber of commerce; university international office\n"
    "Day 3: follow-up interviews; documents from the city archive"
)


def demo_place() -> Place | None:
    for name in DEMO_CITIES:
        found = place_index().match(name, "PL", "city")
        if found.status == EXACT:
            return db.session.get(Place, found.place_id)
    return None


def first_of_next_month(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def add_demo(project: Project, people: dict[str, User]) -> None:
    """A case study of a Polish city with a three-day visit next month; skipped when the
    project already has case studies. Seeds the gazetteer if nothing has yet."""
    if gazetteer_is_empty():
        seed_places()
    has_studies = db.session.scalar(
        db.select(func.count()).select_from(CaseStudy).where(CaseStudy.project_id == project.id)
    )
    place = demo_place()
    if has_studies or place is None:
        return
    team = [people["lead"], people["interviewer"]]
    study = create_case_study(
        project, place=place, title=DEMO_TITLE.replace("Wrocław", place.name_local or place.name),
        research_questions=DEMO_QUESTIONS, status="in_progress", team=team,
    )
    starts_on = first_of_next_month(date.today()) + timedelta(days=7)
    create_visit(
        study, starts_on=starts_on, ends_on=starts_on + timedelta(days=2),
        purpose="Interviews with city, regional, business and university officials",
        agenda=DEMO_AGENDA, team=team,
    )
