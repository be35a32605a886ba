"""The interviews feature's URL table and its Feature declaration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template
from markupsafe import Markup

from casestudies.studies.slots import add_panel
from fieldwork.extensions import db
from fieldwork.features import Feature, NavItem
from fieldwork.models import Project
from interviews import demo
from interviews.models import Guide, Interview, Participant
from interviews.panels import case_study_panel, partnership_panel, place_panel, visit_panel
from interviews.participants import consent_problems
from interviews.scheduling import interviews_missing_recordings, upcoming_interviews
from interviews.views import calendars, guides, interviews, participants

bp = Blueprint("interviews", __name__)
#: the menu of the section navigation that holds this package's pages
INTERVIEWS_GROUP = "Interviews"
P = "/projects/<int:project_id>"


def route(rule: str, view: Callable[..., Any], methods: tuple[str, ...] = ("GET",)) -> None:
    bp.add_url_rule(rule, view_func=view, methods=list(methods))


GET_POST = ("GET", "POST")
POST = ("POST",)

route(f"{P}/participants/", participants.participant_list)
route(f"{P}/participants/new", participants.participant_new, GET_POST)
route(f"{P}/participants/<int:participant_id>", participants.participant_detail)
route(f"{P}/participants/<int:participant_id>/edit", participants.participant_edit, GET_POST)
route(f"{P}/participants/<int:participant_id>/consent", participants.participant_consent,
      GET_POST)
route(f"{P}/participants/<int:participant_id>/withdraw", participants.participant_withdraw, POST)
route(f"{P}/participants/<int:participant_id>/consent-form", participants.consent_form_file)

route(f"{P}/interviews/", interviews.interview_list)
route(f"{P}/interviews/new", interviews.interview_new, GET_POST)
route(f"{P}/interviews/settings", interviews.interview_settings, GET_POST)
route(f"{P}/interviews/citations", participants.citation_settings, GET_POST)
route(f"{P}/interviews/<int:interview_id>", interviews.interview_detail)
route(f"{P}/interviews/<int:interview_id>/edit", interviews.interview_edit, GET_POST)
route(f"{P}/interviews/<int:interview_id>/status", interviews.interview_status, POST)
route(f"{P}/interviews/<int:interview_id>/interview.ics", interviews.interview_ics)

route(f"{P}/guides/", guides.guide_list)
route(f"{P}/guides/new", guides.guide_new, GET_POST)
route(f"{P}/guides/<int:guide_id>", guides.guide_detail)
route(f"{P}/guides/<int:guide_id>/edit", guides.guide_edit, GET_POST)

route(f"{P}/calendar", calendars.project_calendar)
route(f"{P}/calendar/subscribe", calendars.project_feed_new, POST)
route(f"{P}/calendar/unsubscribe", calendars.project_feed_revoke, POST)
route(f"{P}/visits/<int:visit_id>/itinerary", calendars.visit_itinerary)
route("/calendar", calendars.my_calendar)
route("/calendar/subscribe", calendars.my_feed_new, POST)
route("/calendar/unsubscribe", calendars.my_feed_revoke, POST)
route("/calendar/feed/<token>.ics", calendars.feed)

bp.record_once(lambda state: add_panel(state.app, "visit", visit_panel))
bp.record_once(lambda state: add_panel(state.app, "case_study", case_study_panel))
bp.record_once(lambda state: add_panel(state.app, "partnership", partnership_panel))
bp.record_once(lambda state: add_panel(state.app, "place", place_panel))


def dashboard_panel(project: Project) -> Markup:
    return Markup(render_template(
        "interviews/_dashboard.html", project=project,
        upcoming=upcoming_interviews(project, 8),
        missing=interviews_missing_recordings(project)[:8],
        problems=consent_problems(project)[:8],
    ))


def count(model: type, project: Project) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(model).where(model.project_id == project.id)
    ) or 0


def statistics(project: Project) -> dict[str, int]:
    done = db.session.scalar(db.select(db.func.count()).select_from(Interview).where(
        Interview.project_id == project.id, Interview.status == "done"
    )) or 0
    return {
        "participants": count(Participant, project), "interviews": count(Interview, project),
        "interviews_done": done, "interview_guides": count(Guide, project),
    }


feature = Feature(
    name="interviews",
    blueprint=bp,
    nav=(
        NavItem("Interviews", "interviews.interview_list", "project.view", INTERVIEWS_GROUP),
        NavItem("Participants", "interviews.participant_list", "project.view", INTERVIEWS_GROUP),
        NavItem("Calendar", "interviews.project_calendar", "project.view", INTERVIEWS_GROUP),
        NavItem("My interviews", "interviews.my_calendar", group=INTERVIEWS_GROUP),
    ),
    demo=demo.add_demo,
    dashboard=dashboard_panel,
    stats=statistics,
)
