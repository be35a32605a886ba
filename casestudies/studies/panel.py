"""The case studies' part of the project dashboard and statistics."""

from __future__ import annotations

from datetime import date

from flask import render_template
from markupsafe import Markup
from sqlalchemy import func

from casestudies.models import CaseStudy, Visit
from casestudies.studies.visits import upcoming_visits
from fieldwork.extensions import db
from fieldwork.models import Project


def dashboard_panel(project: Project) -> Markup:
    return Markup(render_template(
        "casestudies/studies/panel.html", project=project,
        visits=upcoming_visits(project, date.today()), today=date.today(),
    ))


def statistics(project: Project) -> dict[str, int]:
    def count(model: type) -> int:
        return db.session.scalar(
            db.select(func.count()).select_from(model).where(model.project_id == project.id)
        ) or 0

    return {"case_studies": count(CaseStudy), "visits": count(Visit)}
