"""Interview times across time zones, and every change to an interview's schedule and status.

Times are stored in UTC with the IANA zone of the place; a form gives the local wall-clock time
in that zone. A wall-clock time that does not exist (the hour skipped when clocks go forward) is
refused; one that happens twice (clocks go back) means the first of the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import exists
from sqlalchemy.orm import selectinload

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from interviews.models import (
    INACTIVE_STATUSES,
    MODES,
    STATUSES,
    Guide,
    Interview,
    InterviewChange,
    Participant,
)
from interviews.recordings.models import Recording

#: status -> the statuses it may change to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("requested", "confirmed", "cancelled"),
    "requested": ("proposed", "confirmed", "cancelled"),
    "confirmed": ("done", "no_show", "cancelled", "requested"),
    "done": ("confirmed",),
    "cancelled": ("proposed", "requested", "confirmed"),
    "no_show": ("proposed", "confirmed"),
}


#: statuses of an interview that has not (yet) been marked as held
NOT_YET_HELD = ("proposed", "requested", "confirmed")


class SchedulingError(ValueError):
    """A schedule that cannot be saved, said in words for the person planning it."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SchedulingError(f"“{name}” is not a time zone name (e.g. Europe/Brussels).") from None


def local_to_utc(local: datetime, zone_name: str) -> datetime:
    """The UTC instant of a wall-clock time (naive) in `zone_name`."""
    tz = zone(zone_name)
    aware = local.replace(tzinfo=tz, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local:
        raise SchedulingError(
            f"{local:%d %b %Y %H:%M} does not exist in {zone_name}: the clocks go forward "
            "that night. Choose a time an hour later."
        )
    return utc


def utc_to_local(value: datetime, zone_name: str) -> datetime:
    return value.astimezone(zone(zone_name))


def local_day_bounds(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """The UTC instants at which a local calendar day begins and ends."""
    tz = zone(zone_name)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


@dataclass
class InterviewPlan:
    """What a planner gives for an interview; `local_start` is wall-clock time in `timezone`."""

    local_start: datetime
    timezone: str
    duration_minutes: int = 60
    participants: list[Participant] = field(default_factory=list)
    interviewers: list[User] = field(default_factory=list)
    place: Any = None
    organisation: str = ""
    case_study: Any = None
    visit: Any = None
    partnerships: list[Any] = field(default_factory=list)
    mode: str = "in_person"
    location: str = ""
    link: str = ""
    language: str = "English"
    guide: Guide | None = None
    notes: str = ""

    @property
    def starts_at(self) -> datetime:
        return local_to_utc(self.local_start, self.timezone)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def check_plan(project: Project, plan: InterviewPlan) -> None:
    """Refuse a plan whose parts belong to another project or make no sense."""
    zone(plan.timezone)
    if not 5 <= plan.duration_minutes <= 12 * 60:
        raise SchedulingError("The duration is between 5 minutes and 12 hours.")
    if plan.mode not in MODES:
        raise SchedulingError("Choose in person, video call or phone.")
    if not plan.participants:
        raise SchedulingError("Choose at least one participant.")
    if plan.link and not plan.link.lower().startswith(("http://", "https://")):
        raise SchedulingError("The video link must be a web address (http:// or https://).")
    linked = [*plan.participants, plan.case_study, plan.visit, plan.guide, *plan.partnerships]
    if any(item is not None and item.project_id != project.id for item in linked):
        raise SchedulingError("Participants, case study, visit, guide and partnerships must "
                              "belong to this project.")
    members = set(db.session.scalars(
        db.select(Membership.user_id).where(Membership.project_id == project.id)
    ))
    if any(user.id not in members for user in plan.interviewers):
        raise SchedulingError("Interviewers must be members of this project.")


def apply_plan(interview: Interview, plan: InterviewPlan) -> None:
    interview.starts_at = plan.starts_at
    interview.timezone = plan.timezone
    interview.duration_minutes = plan.duration_minutes
    interview.participants = list(plan.participants)
    interview.interviewers = list(plan.interviewers)
    interview.place = plan.place
    interview.organisation = plan.organisation or (
        plan.participants[0].organisation if plan.participants else ""
    )
    interview.case_study = plan.case_study
    interview.visit = plan.visit
    interview.partnerships = list(plan.partnerships)
    interview.mode = plan.mode
    interview.location = plan.location
    interview.link = plan.link
    interview.language = plan.language
    interview.guide = plan.guide
    interview.notes = plan.notes


def describe(interview: Interview) -> str:
    """A line for the audit log: pseudonyms only, never identities."""
    who = ", ".join(p.pseudonym for p in interview.participants) or "no participant"
    local = utc_to_local(interview.starts_at, interview.timezone)
    return f"{who} on {local:%d %b %Y %H:%M} {interview.timezone}"


def create_interview(project: Project, plan: InterviewPlan, user: User | None) -> Interview:
    check_plan(project, plan)
    interview = Interview(project_id=project.id, status="proposed", sequence=0)
    apply_plan(interview, plan)
    db.session.add(interview)
    interview.history.append(InterviewChange(
        kind="created", user_id=user.id if user else None, to_status="proposed",
        to_starts_at=interview.starts_at,
    ))
    db.session.flush()
    audit.record("interview.create", interview, project=project,
                 summary=f"Interview planned: {describe(interview)}")
    return interview


def update_interview(interview: Interview, plan: InterviewPlan, user: User | None) -> Interview:
    """Save changes; a new start or zone is recorded as a reschedule. SEQUENCE goes up."""
    check_plan(interview.project, plan)
    old_start, old_zone = interview.starts_at, interview.timezone
    apply_plan(interview, plan)
    rescheduled = interview.starts_at != old_start or interview.timezone != old_zone
    interview.sequence += 1
    interview.updated_at = utcnow()
    interview.history.append(InterviewChange(
        kind="rescheduled" if rescheduled else "edited", user_id=user.id if user else None,
        from_starts_at=old_start if rescheduled else None,
        to_starts_at=interview.starts_at if rescheduled else None,
    ))
    db.session.flush()
    audit.record(
        "interview.reschedule" if rescheduled else "interview.edit", interview,
        project=interview.project,
        summary=("Interview rescheduled: " if rescheduled else "Interview edited: ")
        + describe(interview),
    )
    return interview


def change_status(interview: Interview, status: str, user: User | None, note: str = "") -> None:
    if status not in STATUSES:
        raise SchedulingError("Choose one of the statuses.")
    if status == interview.status:
        return
    if status not in TRANSITIONS[interview.status]:
        allowed = ", ".join(STATUSES[s].lower() for s in TRANSITIONS[interview.status])
        raise SchedulingError(
            f"A {interview.status_label.lower()} interview can become: {allowed}."
        )
    interview.history.append(InterviewChange(
        kind="status", user_id=user.id if user else None, from_status=interview.status,
        to_status=status, note=note,
    ))
    interview.status = status
    interview.sequence += 1
    interview.updated_at = utcnow()
    db.session.flush()
    audit.record("interview.status", interview, project=interview.project,
                 summary=f"Interview {STATUSES[status].lower()}: {describe(interview)}",
                 status=status)


def mark_done(interview: Interview, user: User | None, note: str = "") -> None:
    """The interview was held (its recording came in): done, by way of confirmed when it
    was only proposed or requested, so its history keeps the usual steps."""
    if interview.status not in NOT_YET_HELD:
        raise SchedulingError(f"A {interview.status_label.lower()} interview cannot be marked "
                              "done from here; change its status on its page.")
    if interview.status != "confirmed":
        change_status(interview, "confirmed", user, note)
    change_status(interview, "done", user, note)


def has_links(interview: Interview) -> bool:
    """Whether the interview says where and what it is about: a place, a case study or a
    partnership. Its transcript's source takes these links; without any, the matrices and
    the filters by place and partnership cannot count it."""
    return bool(interview.place_id or interview.case_study_id or interview.partnerships)


def link_interview(interview: Interview, place: Any, case_study: Any,
                   partnerships: list[Any], user: User | None) -> None:
    """Give the interview its place, case study and partnerships (and so its transcript)."""
    project = interview.project
    if any(item is not None and item.project_id != project.id
           for item in (case_study, *partnerships)):
        raise SchedulingError("The case study and partnerships must belong to this project.")
    interview.place = place
    interview.case_study = case_study
    interview.partnerships = list(partnerships)
    interview.updated_at = utcnow()
    interview.history.append(InterviewChange(kind="edited", user_id=user.id if user else None))
    db.session.flush()
    audit.record("interview.edit", interview, project=project,
                 summary=f"Interview linked to its place and partnerships: {describe(interview)}")


def upcoming_interviews(project: Project, limit: int = 10) -> list[Interview]:
    return list(db.session.scalars(
        db.select(Interview)
        .where(Interview.project_id == project.id, Interview.starts_at >= utcnow(),
               Interview.status.not_in(INACTIVE_STATUSES))
        .order_by(Interview.starts_at).limit(limit)
    ))


def interviews_missing_recordings(project: Project) -> list[Interview]:
    """Done interviews with no recording uploaded, the most recent first."""
    has_recording = exists().where(Recording.interview_id == Interview.id)
    return list(db.session.scalars(
        db.select(Interview)
        .where(Interview.project_id == project.id, Interview.status == "done", ~has_recording)
        .order_by(Interview.starts_at.desc())
    ))


def project_interviews(
    project: Project, start: datetime | None = None, end: datetime | None = None
) -> list[Interview]:
    query = db.select(Interview).where(Interview.project_id == project.id)
    if start is not None:
        query = query.where(Interview.starts_at >= start)
    if end is not None:
        query = query.where(Interview.starts_at < end)
    return list(db.session.scalars(query.order_by(Interview.starts_at).options(
        selectinload(Interview.participants), selectinload(Interview.interviewers))))
