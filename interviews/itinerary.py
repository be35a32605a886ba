"""A visit's days with its interviews, in the local time of the visited place.

The itinerary lists the interviews linked to the visit and also those of the project that
take place at the visit's place (or, for a region, in one of its cities) during its days
without being linked to it, marked as such, so that nobody on the trip misses one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_

from casestudies.models import Place, Visit
from fieldwork.extensions import db
from interviews.models import Interview
from interviews.scheduling import utc_to_local, zone


@dataclass(frozen=True)
class ItineraryItem:
    interview: Interview
    #: start and end in the zone of the visited place
    start: datetime
    end: datetime
    #: False for an interview at the place during the visit that is not linked to it
    linked: bool

    @property
    def own_start(self) -> datetime | None:
        """The start in the interview's own zone, when that zone's clock differs (a call)."""
        own = utc_to_local(self.interview.starts_at, self.interview.timezone)
        return own if own.utcoffset() != self.start.utcoffset() else None


def visit_zone_name(visit: Visit) -> str | None:
    """The IANA zone of the visited place, if the gazetteer knows it."""
    return visit.case_study.place.timezone or None


def visit_window(visit: Visit, zone_name: str | None) -> tuple[datetime, datetime]:
    """UTC instants from the visit's first local midnight to the end of its last day.

    Without the place's zone, a day wider on each side covers every zone on Earth.
    """
    tz = zone(zone_name) if zone_name else ZoneInfo("UTC")
    margin = timedelta(0) if zone_name else timedelta(hours=14)
    start = datetime.combine(visit.starts_on, time(0), tzinfo=tz) - margin
    end = datetime.combine(visit.ends_on + timedelta(days=1), time(0), tzinfo=tz) + margin
    return start, end


def itinerary_interviews(visit: Visit) -> list[Interview]:
    """The visit's interviews, and the project's other interviews at its place in its days."""
    start, end = visit_window(visit, visit_zone_name(visit))
    visited = visit.case_study.place_id
    places = db.select(Place.id).where(or_(Place.id == visited, Place.region_id == visited))
    at_place_in_days = (
        Interview.place_id.in_(places)
        & (Interview.starts_at >= start) & (Interview.starts_at < end)
    )
    return list(db.session.scalars(
        db.select(Interview)
        .where(Interview.project_id == visit.project_id,
               or_(Interview.visit_id == visit.id, at_place_in_days))
        .order_by(Interview.starts_at)
    ))


def item_for(interview: Interview, visit: Visit, zone_name: str | None) -> ItineraryItem:
    shown_in = zone_name or interview.timezone
    return ItineraryItem(
        interview=interview, start=utc_to_local(interview.starts_at, shown_in),
        end=utc_to_local(interview.ends_at, shown_in), linked=interview.visit_id == visit.id,
    )


@dataclass(frozen=True)
class Itinerary:
    #: each day of the visit, in order, with its interviews
    days: list[tuple[date, list[ItineraryItem]]]
    #: interviews linked to the visit but planned outside its days
    outside: list[ItineraryItem]

    @property
    def unlinked_count(self) -> int:
        return sum(not item.linked for _day, items in self.days for item in items)


def visit_itinerary(visit: Visit) -> Itinerary:
    """The visit's days with their interviews, in the place's local time."""
    zone_name = visit_zone_name(visit)
    days: dict[date, list[ItineraryItem]] = {}
    outside = []
    for interview in itinerary_interviews(visit):
        item = item_for(interview, visit, zone_name)
        if visit.starts_on <= item.start.date() <= visit.ends_on:
            days.setdefault(item.start.date(), []).append(item)
        elif item.linked:
            outside.append(item)
    every_day = [visit.starts_on + timedelta(days=n) for n in range(visit.days)]
    return Itinerary(days=[(day, days.get(day, [])) for day in every_day], outside=outside)
