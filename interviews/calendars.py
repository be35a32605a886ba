"""Calendars: agenda and week views, ICS files (RFC 5545) and secret subscription feeds.

Every calendar shows a participant's identity only to whoever may see it in that project;
a feed decides by its owner's role at the time it is fetched.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.orm import selectinload

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from interviews.models import CalendarFeed, Interview, interview_interviewers
from interviews.participants import may_see_identity, participant_label
from interviews.scheduling import utc_to_local

if TYPE_CHECKING:
    from icalendar import Event

ICS_STATUS = {
    "proposed": "TENTATIVE", "requested": "TENTATIVE", "confirmed": "CONFIRMED",
    "done": "CONFIRMED", "no_show": "CONFIRMED", "cancelled": "CANCELLED",
}
PRODID = "-//Fieldwork//Interviews//EN"

#: project id -> whether the reader may see identities there
IdentityRule = Callable[[Interview], bool]


@dataclass(frozen=True)
class Slot:
    """An interview as one reader sees it: in their own zone and in the local zone."""

    interview: Interview
    viewer_start: datetime
    viewer_end: datetime
    local_start: datetime
    local_end: datetime
    show_identity: bool

    @property
    def who(self) -> str:
        return ", ".join(
            participant_label(p, self.show_identity) for p in self.interview.participants
        )

    @property
    def same_zone(self) -> bool:
        return self.viewer_start.utcoffset() == self.local_start.utcoffset()


def identity_rule(user: User) -> IdentityRule:
    """Whether `user` sees identities, decided once per project."""
    cache: dict[int, bool] = {}

    def rule(interview: Interview) -> bool:
        if interview.project_id not in cache:
            cache[interview.project_id] = may_see_identity(user, interview.project)
        return cache[interview.project_id]

    return rule


def load_details(interviews: list[Interview]) -> list[Interview]:
    """Load what a calendar shows of each interview (participants, place, project) in three
    queries for them all, rather than three per interview as the template reads them."""
    if interviews:
        db.session.scalars(db.select(Interview).where(
            Interview.id.in_([i.id for i in interviews])
        ).options(selectinload(Interview.participants), selectinload(Interview.place),
                  selectinload(Interview.project))).all()
    return interviews


def slots(interviews: Iterable[Interview], viewer_zone: ZoneInfo, rule: IdentityRule) -> list[Slot]:
    return [
        Slot(
            interview=i,
            viewer_start=i.starts_at.astimezone(viewer_zone),
            viewer_end=i.ends_at.astimezone(viewer_zone),
            local_start=utc_to_local(i.starts_at, i.timezone),
            local_end=utc_to_local(i.ends_at, i.timezone),
            show_identity=rule(i),
        )
        for i in load_details(list(interviews))
    ]


def by_day(items: list[Slot]) -> list[tuple[date, list[Slot]]]:
    """Slots grouped by the reader's calendar day."""
    ordered = sorted(items, key=lambda s: s.interview.starts_at)
    return [(day, list(group)) for day, group in groupby(ordered, lambda s: s.viewer_start.date())]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_grid(items: list[Slot], monday: date) -> list[tuple[date, list[Slot]]]:
    days = dict(by_day(items))
    return [(monday + timedelta(days=n), days.get(monday + timedelta(days=n), []))
            for n in range(7)]


def viewer_window(first: date, days: int, viewer_zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first, datetime.min.time(), tzinfo=viewer_zone)
    return start, start + timedelta(days=days)


def user_interviews(
    user: User, start: datetime | None = None, end: datetime | None = None
) -> list[Interview]:
    """Interviews `user` conducts, in the projects they still belong to."""
    query = (
        db.select(Interview)
        .join(interview_interviewers, interview_interviewers.c.interview_id == Interview.id)
        .join(Membership, (Membership.project_id == Interview.project_id)
              & (Membership.user_id == user.id))
        .where(interview_interviewers.c.user_id == user.id)
    )
    if start is not None:
        query = query.where(Interview.starts_at >= start)
    if end is not None:
        query = query.where(Interview.starts_at < end)
    return list(db.session.scalars(query.order_by(Interview.starts_at)))


def event_for(interview: Interview, show_identity: bool, url: str = "") -> Event:
    from icalendar import Event  # calendar files are rare; the web process starts without it

    local_zone = ZoneInfo(interview.timezone)
    who = ", ".join(participant_label(p, show_identity) for p in interview.participants)
    event = Event()
    event.add("uid", f"interview-{interview.id}@fieldwork")
    event.add("dtstamp", utcnow())
    event.add("dtstart", interview.starts_at.astimezone(local_zone))
    event.add("dtend", interview.ends_at.astimezone(local_zone))
    event.add("sequence", interview.sequence)
    event.add("status", ICS_STATUS[interview.status])
    event.add("last-modified", interview.updated_at)
    event.add("summary", f"Interview {who}" + (
        f" — {interview.organisation}" if interview.organisation else ""
    ))
    where = interview.link if interview.mode == "video" and interview.link else interview.location
    place = interview.place.name if interview.place is not None else ""
    event.add("location", ", ".join(part for part in (where, place) if part))
    lines = [
        f"{interview.mode_label}, {interview.language}, {interview.duration_minutes} minutes",
        f"Status: {interview.status_label}",
        "Interviewers: " + ", ".join(u.name for u in interview.interviewers),
    ]
    if interview.guide is not None:
        lines.append(f"Guide: {interview.guide.title}")
    if show_identity and interview.notes:
        lines.append(interview.notes)
    if url:
        lines.append(url)
        event.add("url", url)
    event.add("description", "\n".join(lines))
    return event


def calendar_bytes(
    interviews: Iterable[Interview], rule: IdentityRule, name: str,
    url_for_interview: Callable[[Interview], str] | None = None,
) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for interview in interviews:
        url = url_for_interview(interview) if url_for_interview else ""
        calendar.add_component(event_for(interview, rule(interview), url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def active_feed(user: User, project: Project | None = None) -> CalendarFeed | None:
    scope = (CalendarFeed.project_id == project.id if project is not None
             else CalendarFeed.project_id.is_(None))
    return db.session.scalar(db.select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, scope, CalendarFeed.revoked_at.is_(None)
    ))


def new_feed(user: User, project: Project | None = None) -> CalendarFeed:
    """A fresh secret link; the previous link of the same calendar stops working."""
    revoke_feed(user, project)
    feed = CalendarFeed(token=secrets.token_urlsafe(32), user_id=user.id,
                        project_id=project.id if project else None)
    db.session.add(feed)
    db.session.flush()
    audit.record("calendar.feed_create", feed, project=project, user_id=user.id,
                 summary="Calendar subscription link made")
    return feed


def revoke_feed(user: User, project: Project | None = None) -> bool:
    feed = active_feed(user, project)
    if feed is None:
        return False
    feed.revoked_at = utcnow()
    db.session.flush()
    audit.record("calendar.feed_revoke", feed, project=project, user_id=user.id,
                 summary="Calendar subscription link revoked")
    return True


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed with this token; revoked, unknown or no longer permitted gives None."""
    feed = db.session.scalar(db.select(CalendarFeed).where(
        CalendarFeed.token == token, CalendarFeed.revoked_at.is_(None)
    ))
    if feed is None or not feed.user.active:
        return None
    if feed.project is not None and not db.session.scalar(db.select(Membership.id).where(
        Membership.project_id == feed.project_id, Membership.user_id == feed.user_id
    )):
        return None
    return feed


def feed_interviews(feed: CalendarFeed) -> list[Interview]:
    if feed.project is None:
        return user_interviews(feed.user)
    return list(db.session.scalars(
        db.select(Interview).where(Interview.project_id == feed.project_id)
        .order_by(Interview.starts_at)
    ))

