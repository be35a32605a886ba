"""The interviews' panels on pages of the case studies package (a case study, a visit)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlalchemy import or_

from casestudies.models import CaseStudy, Visit
from fieldwork.extensions import db
from interviews.itinerary import visit_itinerary
from interviews.models import Interview


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
