"""Calendar pages (agenda and week), subscription links, the public feed and itineraries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from casestudies.models import Visit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access, public, signed_in
from fieldwork.templating import viewer_zone
from interviews import calendars, itinerary, scheduling
from interviews.models import Interview

AGENDA_DAYS = 56


def requested_day() -> date:
    try:
        return date.fromisoformat(request.args.get("from", ""))
    except ValueError:
        return utcnow().astimezone(viewer_zone()).date()


def calendar_page(
    project: Project | None, interviews_between: Callable[[datetime, datetime], list[Interview]]
) -> str:
    """Agenda (the next weeks) or week view of the interviews `interviews_between` finds."""
    view = "week" if request.args.get("view") == "week" else "agenda"
    zone = viewer_zone()
    first = requested_day()
    if view == "week":
        first = calendars.week_start(first)
    days = 7 if view == "week" else AGENDA_DAYS
    start, end = calendars.viewer_window(first, days, zone)
    slots = calendars.slots(interviews_between(start, end), zone,
                            calendars.identity_rule(current_user))
    feed = calendars.active_feed(current_user, project)
    endpoint = "interviews.project_calendar" if project else "interviews.my_calendar"
    scope = {"project_id": project.id} if project else {}
    links = {
        "agenda": url_for(endpoint, view="agenda", **scope),
        "week": url_for(endpoint, view="week", **scope),
        "earlier": url_for(endpoint, view=view, **scope,
                           **{"from": (first - timedelta(days=days)).isoformat()}),
        "later": url_for(endpoint, view=view, **scope,
                         **{"from": (first + timedelta(days=days)).isoformat()}),
    }
    return render_template(
        "interviews/calendar.html", project=project, view=view, first=first, links=links,
        last=first + timedelta(days=days - 1), zone=str(zone),
        days=calendars.week_grid(slots, first) if view == "week" else calendars.by_day(slots),
        feed=feed,
    )


@signed_in
def my_calendar() -> str:
    return calendar_page(None, lambda start, end: calendars.user_interviews(current_user,
                                                                           start, end))


@project_access("project.view")
def project_calendar(project: Project) -> str:
    return calendar_page(project, lambda start, end: scheduling.project_interviews(
        project, start, end))


def back_to_calendar(project: Project | None) -> BaseResponse:
    if project is None:
        return redirect(url_for("interviews.my_calendar"))
    return redirect(url_for("interviews.project_calendar", project_id=project.id))


@signed_in
def my_feed_new() -> BaseResponse:
    calendars.new_feed(current_user)
    db.session.commit()
    flash("A new subscription link was made; any earlier link no longer works.", "success")
    return back_to_calendar(None)


@signed_in
def my_feed_revoke() -> BaseResponse:
    if calendars.revoke_feed(current_user):
        db.session.commit()
        flash("The subscription link was turned off.", "success")
    return back_to_calendar(None)


@project_access("project.view")
def project_feed_new(project: Project) -> BaseResponse:
    calendars.new_feed(current_user, project)
    db.session.commit()
    flash("A new subscription link was made; any earlier link no longer works.", "success")
    return back_to_calendar(project)


@project_access("project.view")
def project_feed_revoke(project: Project) -> BaseResponse:
    if calendars.revoke_feed(current_user, project):
        db.session.commit()
        flash("The subscription link was turned off.", "success")
    return back_to_calendar(project)


@public
def feed(token: str) -> Response:
    """The subscription feed: 404 for unknown or revoked tokens, as for a missing page."""
    found = calendars.feed_for_token(token)
    if found is None:
        abort(404)
    name = f"Interviews · {found.project.name}" if found.project else (
        f"Interviews of {found.user.name}"
    )
    body = calendars.calendar_bytes(
        calendars.feed_interviews(found), calendars.identity_rule(found.user), name,
        lambda i: url_for("interviews.interview_detail", project_id=i.project_id,
                          interview_id=i.id, _external=True),
    )
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})


@project_access("project.view")
def visit_itinerary(project: Project, visit_id: int) -> str:
    visit = get_or_404(Visit, visit_id, project)
    return render_template(
        "interviews/itinerary.html", project=project, visit=visit,
        itinerary=itinerary.visit_itinerary(visit), zone=itinerary.visit_zone_name(visit),
        rule=calendars.identity_rule(current_user),
    )
