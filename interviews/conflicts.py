"""Warnings before an interview is saved: double bookings, visits, odd local hours.

A conflict never blocks saving; the planner sees it and may save anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from casestudies.models import Visit
from casestudies.studies.visits import overlapping_visits
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import INACTIVE_STATUSES, Interview, interview_interviewers
from interviews.scheduling import InterviewPlan, utc_to_local
from interviews.settings import settings_for

TIME = "%a %d %b %H:%M"


@dataclass(frozen=True)
class Conflict:
    #: "interview", "visit", "outside_visit" or "hours"
    kind: str
    message: str


def find_conflicts(
    project: Project, plan: InterviewPlan, exclude_interview_id: int | None = None
) -> list[Conflict]:
    settings = settings_for(project)
    buffer = timedelta(minutes=settings.buffer_minutes)
    conflicts: list[Conflict] = []
    for user in plan.interviewers:
        conflicts += interview_clashes(user, plan, buffer, exclude_interview_id)
        conflicts += visit_clashes(user, plan)
    conflicts += outside_visit(plan)
    conflicts += odd_hours(plan, settings.day_starts_hour, settings.day_ends_hour)
    return conflicts


def interview_clashes(
    user: User, plan: InterviewPlan, buffer: timedelta, exclude_interview_id: int | None
) -> list[Conflict]:
    """Other active interviews of `user`, in any project, within the buffer of this one."""
    start, end = plan.starts_at, plan.ends_at
    query = (
        db.select(Interview)
        .join(interview_interviewers, interview_interviewers.c.interview_id == Interview.id)
        .where(
            interview_interviewers.c.user_id == user.id,
            Interview.status.not_in(INACTIVE_STATUSES),
            Interview.starts_at < end + buffer,
            Interview.starts_at > start - buffer - timedelta(hours=12),
        )
        .order_by(Interview.starts_at)
    )
    if exclude_interview_id is not None:
        query = query.where(Interview.id != exclude_interview_id)
    clashes = []
    for other in db.session.scalars(query):
        if other.ends_at + buffer > start and other.starts_at < end + buffer:
            local = utc_to_local(other.starts_at, plan.timezone)
            where = other.project.name if other.project_id != plan_project_id(plan) else ""
            clashes.append(Conflict("interview", (
                f"{user.name} already has an interview at {local:{TIME}}–"
                f"{utc_to_local(other.ends_at, plan.timezone):%H:%M} ({plan.timezone} time)"
                + (f" in the project “{where}”" if where else "")
                + f", less than {int(buffer.total_seconds() // 60)} minutes apart or overlapping."
            )))
    return clashes


def plan_project_id(plan: InterviewPlan) -> int | None:
    return plan.participants[0].project_id if plan.participants else None


def visit_clashes(user: User, plan: InterviewPlan) -> list[Conflict]:
    """Visits `user` is on during the interview's local days, other than its own visit and
    visits to the place where the interview happens."""
    first = utc_to_local(plan.starts_at, plan.timezone).date()
    last = utc_to_local(plan.ends_at, plan.timezone).date()
    own = plan.visit.id if plan.visit is not None else None
    clashes = []
    for visit in overlapping_visits(user.id, first, last, exclude_visit_id=own):
        if visits_place_of(visit, plan):
            continue
        clashes.append(Conflict("visit", (
            f"{user.name} is on the visit “{visit_name(visit)}” "
            f"({visit.starts_on:%d %b}–{visit.ends_on:%d %b %Y}) on that day."
        )))
    return clashes


def visits_place_of(visit: Visit, plan: InterviewPlan) -> bool:
    """Whether the visit goes where the interview is: its city, or the region of its city."""
    if plan.place is None:
        return False
    return visit.case_study.place_id in (plan.place.id, plan.place.region_id)


def visit_name(visit: Visit) -> str:
    study = getattr(visit, "case_study", None)
    title = getattr(study, "title", "") if study is not None else ""
    return title or visit.purpose or f"visit {visit.id}"


def outside_visit(plan: InterviewPlan) -> list[Conflict]:
    visit = plan.visit
    if visit is None:
        return []
    day = utc_to_local(plan.starts_at, plan.timezone).date()
    if visit.starts_on <= day <= visit.ends_on:
        return []
    return [Conflict("outside_visit", (
        f"The interview is on {day:%d %b %Y}, outside its visit "
        f"({visit.starts_on:%d %b}–{visit.ends_on:%d %b %Y})."
    ))]


def odd_hours(plan: InterviewPlan, day_starts: int, day_ends: int) -> list[Conflict]:
    """Local start before `day_starts` o'clock or local end after `day_ends` o'clock."""
    start = utc_to_local(plan.starts_at, plan.timezone)
    end = utc_to_local(plan.ends_at, plan.timezone)
    start_hour = start.hour + start.minute / 60
    end_hour = 24 + end.hour + end.minute / 60 if end.date() > start.date() else (
        end.hour + end.minute / 60
    )
    if start_hour >= day_starts and end_hour <= day_ends:
        return []
    return [Conflict("hours", (
        f"It runs {start:%H:%M}–{end:%H:%M} local time in {plan.timezone}, outside the "
        f"sensible hours {day_starts:02}:00–{day_ends:02}:00."
    ))]
