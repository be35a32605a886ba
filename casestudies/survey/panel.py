"""The survey's part of the project dashboard and statistics."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlalchemy import func

from casestudies.models import SurveyContact, SurveyWave
from casestudies.survey.survey import response_rates, waves_of
from fieldwork.extensions import db
from fieldwork.models import Project


def dashboard_panel(project: Project) -> Markup:
    waves = waves_of(project)
    return Markup(render_template(
        "casestudies/survey/panel.html", project=project, waves=waves,
        rates=response_rates(project, waves),
    ))


def statistics(project: Project) -> dict[str, int]:
    count = db.session.scalar(
        db.select(func.count()).select_from(SurveyContact)
        .join(SurveyWave, SurveyWave.id == SurveyContact.wave_id)
        .where(SurveyWave.project_id == project.id)
    )
    return {"survey_contacts": count or 0}
