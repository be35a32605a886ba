"""The options offered by the interview and participant forms, and finding a city by name."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from casestudies.models import CaseStudy, Partnership, Place, Visit
from casestudies.places import resolve_typed_place
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import Membership, Project, User
from fieldwork.permissions import roles_with
from interviews.forms import InterviewForm
from interviews.guides import project_guides
from interviews.models import Consent, Interview, Participant
from interviews.participants import participant_label

#: the capitals where the EU and US institutions sit, offered in every project
CAPITALS = (("Brussels", "BE"), ("Washington", "US"))
NONE = ("", "— none —")


def candidate_places(project: Project) -> list[Place]:
    """Brussels, Washington and every city the project already works with."""
    ids = set()
    for column, model in (
        (CaseStudy.place_id, CaseStudy), (Participant.place_id, Participant),
        (Interview.place_id, Interview),
    ):
        ids |= set(db.session.scalars(db.select(column).where(model.project_id == project.id)))
    for column in (Partnership.eu_place_id, Partnership.partner_place_id):
        ids |= set(db.session.scalars(db.select(column).where(
            Partnership.project_id == project.id
        )))
    capitals = or_(*[(Place.name == name) & (Place.country_code == code)
                     for name, code in CAPITALS])
    ids.discard(None)
    query = db.select(Place).where(or_(Place.id.in_(ids), capitals & (Place.kind == "city")))
    return list(db.session.scalars(query.order_by(Place.name)))


def place_label(place: Place) -> str:
    return f"{place.name} ({place.country_code})" if place.country_code else place.name


def place_choices(project: Project, current: Place | None = None) -> list[SelectChoice]:
    places = candidate_places(project)
    if current is not None and current not in places:
        places.append(current)
    return choices([NONE] + [(str(p.id), place_label(p)) for p in places])


def posted_place(value: str | None) -> Place | None:
    """The place a form sent, so a city chosen earlier by name stays a valid choice."""
    return db.session.get(Place, int(value)) if value and value.isdigit() else None


def typed_city(text: str) -> Place:
    """The city typed in a form's "Or another city" field, matched as the partnership import
    matches names: case, accents, exonyms, local and other names, "City, CC" (PlaceError
    says what is wrong, in words)."""
    return resolve_typed_place(text, kinds=("city",))


def eligible_interviewers(project: Project, interview: Interview | None = None) -> list[User]:
    """The members who may interview (their role plans interviews), and anyone already
    interviewing in this interview, so that editing it keeps them."""
    may_interview = db.select(Membership.user_id).where(
        Membership.project_id == project.id,
        Membership.role.in_(roles_with("interviews.edit")))
    users = set(db.session.scalars(db.select(User).where(User.id.in_(may_interview))))
    users |= set(interview.interviewers if interview else [])
    return sorted(users, key=lambda user: (user.name.casefold(), user.id))


def eligible_participants(
    project: Project, interview: Interview | None = None
) -> list[Participant]:
    """The project's participants who have not withdrawn their consent, and anyone already
    taking part in this interview."""
    withdrawn = db.select(Consent.participant_id).where(Consent.withdrawn_on.is_not(None))
    people = set(db.session.scalars(db.select(Participant).where(
        Participant.project_id == project.id, Participant.id.not_in(withdrawn))))
    people |= set(interview.participants if interview else [])
    return sorted(people, key=lambda participant: (participant.pseudonym, participant.id))


def interview_form_choices(
    form: InterviewForm, project: Project, place: Place | None = None,
    interview: Interview | None = None,
) -> None:
    """Fill the interview form's lists with this project's objects, offering as interviewers
    and participants only the people who may be chosen."""
    form.participant_ids.choices = choices([
        (str(p.id), f"{participant_label(p, True)} — {p.organisation}")
        for p in eligible_participants(project, interview)
    ])
    form.place_id.choices = place_choices(project, place)
    form.interviewer_ids.choices = choices([
        (str(u.id), u.name) for u in eligible_interviewers(project, interview)])
    form.guide_id.choices = choices([NONE] + [(str(g.id), g.title)
                                              for g in project_guides(project)])
    form.case_study_id.choices = case_study_choices(project)
    visits = db.session.scalars(db.select(Visit).where(Visit.project_id == project.id)
                                .order_by(Visit.starts_on))
    form.visit_id.choices = choices([NONE] + [
        (str(v.id), f"{v.case_study.title}: {v.starts_on:%d %b}–{v.ends_on:%d %b %Y}")
        for v in visits
    ])
    form.partnership_ids.choices = partnership_choices(project)


def case_study_choices(project: Project) -> list[SelectChoice]:
    studies = db.session.scalars(db.select(CaseStudy).where(CaseStudy.project_id == project.id)
                                 .order_by(CaseStudy.title))
    return choices([NONE] + [(str(s.id), s.title) for s in studies])


def partnership_choices(project: Project) -> list[SelectChoice]:
    partnerships = db.session.scalars(db.select(Partnership).where(
        Partnership.project_id == project.id
    ).options(joinedload(Partnership.eu_place), joinedload(Partnership.partner_place)))
    return choices(sorted(((str(p.id), p.title) for p in partnerships),
                          key=lambda pair: pair[1]))
