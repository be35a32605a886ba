"""The interviews' panels on pages of the case studies package (a case study, a visit, a
partnership, a place)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_

from casestudies.models import CaseStudy, Partnership, Place, Visit
from casestudies.places import project_ids_of
from fieldwork.extensions import db
from interviews.itinerary import visit_itinerary
from interviews.models import Interview, interview_partnerships


def case_study_interviews(study: CaseStudy) -> list[Interview]:
    """Interviews linked to the case study, directly or through one of its visits."""
    visit_ids = db.select(Visit.id).where(Visit.case_study_id == study.id)
    return list(db.session.scalars(
        db.select(Interview)
        .where(Interview.project_id == study.project_id,
               or_(Interview.case_study_id == study.id, Interview.visit_id.in_(visit_ids)))
        .order_by(Interview.starts_at)
    ))


def case_study_panel(study: CaseStudy) -> Markup:
    """The case study's interviews and a button to plan one more."""
    return Markup(render_template(
        "interviews/_case_study_panel.html", project=study.project, study=study,
        interviews=case_study_interviews(study),
    ))


def visit_panel(visit: Visit) -> Markup:
    """The visit's interviews, the link to its itinerary and to plan one more."""
    return Markup(render_template(
        "interviews/_visit_panel.html", project=visit.case_study.project, visit=visit,
        itinerary=visit_itinerary(visit),
    ))


def partnership_interviews(partnership: Partnership) -> list[Interview]:
    linked = db.select(interview_partnerships.c.interview_id).where(
        interview_partnerships.c.partnership_id == partnership.id)
    return list(db.session.scalars(
        db.select(Interview)
        .where(Interview.project_id == partnership.project_id, Interview.id.in_(linked))
        .order_by(Interview.starts_at)
    ))


def partnership_panel(partnership: Partnership) -> Markup:
    """The interviews that discuss the partnership."""
    return Markup(render_template(
        "interviews/_linked_interviews.html", heading="Interviews about this partnership",
        interviews=partnership_interviews(partnership),
        empty="No interview is linked to this partnership yet.",
    ))


def place_interviews(place: Place) -> list[Interview]:
    """Interviews held at the place, in the projects the reader belongs to."""
    return list(db.session.scalars(
        db.select(Interview)
        .where(Interview.place_id == place.id,
               Interview.project_id.in_(project_ids_of(current_user)))
        .order_by(Interview.project_id, Interview.starts_at)
    ))


def place_panel(place: Place) -> Markup:
    """The interviews held at the place (in the reader's projects), if any."""
    interviews = place_interviews(place)
    if not interviews:
        return Markup()
    return Markup(render_template(
        "interviews/_linked_interviews.html", heading="Interviews held here",
        interviews=interviews, empty="", with_project=True,
    ))
