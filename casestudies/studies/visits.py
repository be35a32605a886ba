"""Field visits: dates, team, and the same researcher booked on two visits at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import selectinload

from casestudies.models import CaseStudy, Visit, visit_members
from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project, User

DAY = "%-d %B %Y"


class VisitError(ValueError):
    """A visit that cannot be saved, in words for the user."""


@dataclass(frozen=True)
class Overlap:
    """`user` is also on `other` during some of the same days."""

    user: User
    other: Visit
    #: the project of the visit being planned; another project's visit is named as such
    project_id: int

    @property
    def message(self) -> str:
        other = self.other
        elsewhere = (
            f" in the project “{other.case_study.project.name}”"
            if other.project_id != self.project_id else ""
        )
        return (
            f"{self.user.name} is also on the visit “{other.case_study.title}” "
            f"({other.starts_on:{DAY}} to {other.ends_on:{DAY}}){elsewhere}."
        )


def check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise VisitError(
            f"The last day ({ends_on:{DAY}}) is before the first day ({starts_on:{DAY}}): "
            "a visit ends on or after the day it starts."
        )


def overlapping_visits(
    user_id: int, starts_on: date, ends_on: date, exclude_visit_id: int | None = None
) -> list[Visit]:
    """Visits, in any project, that `user_id` is on during any day from `starts_on` to
    `ends_on` (both included): a visit ending on the day another starts overlaps it."""
    query = (
        db.select(Visit)
        .join(visit_members, visit_members.c.visit_id == Visit.id)
        .where(
            visit_members.c.user_id == user_id,
            Visit.starts_on <= ends_on,
            Visit.ends_on >= starts_on,
        )
        .options(selectinload(Visit.case_study).selectinload(CaseStudy.project))
        .order_by(Visit.starts_on, Visit.id)
    )
    if exclude_visit_id is not None:
        query = query.where(Visit.id != exclude_visit_id)
    return list(db.session.scalars(query))


def team_overlaps(
    project_id: int, team: list[User], starts_on: date, ends_on: date,
    exclude_visit_id: int | None = None,
) -> list[Overlap]:
    """Every other visit each member of `team` is on during these days."""
    return [
        Overlap(user, other, project_id)
        for user in team
        for other in overlapping_visits(user.id, starts_on, ends_on, exclude_visit_id)
    ]


def overlaps_of(visit: Visit) -> list[Overlap]:
    return team_overlaps(visit.project_id, visit.team, visit.starts_on, visit.ends_on, visit.id)


def overlaps_in_study(study: CaseStudy) -> dict[int, list[Overlap]]:
    """Visit id -> its team's overlaps, for the visits of a case study that have any."""
    found = {visit.id: overlaps_of(visit) for visit in study.visits}
    return {visit_id: overlaps for visit_id, overlaps in found.items() if overlaps}


def create_visit(
    study: CaseStudy, *, starts_on: date, ends_on: date, purpose: str = "", agenda: str = "",
    team: list[User] | None = None,
) -> Visit:
    check_dates(starts_on, ends_on)
    visit = Visit(
        project_id=study.project_id, case_study=study, starts_on=starts_on, ends_on=ends_on,
        purpose=purpose.strip(), agenda=agenda.strip(), team=list(team or []),
    )
    db.session.add(visit)
    db.session.flush()
    audit.record(
        "visit.create", visit, project=study.project,
        summary=f"Visit to {study.place.name} planned, {visit_dates(visit)}",
        team=[user.id for user in visit.team],
    )
    return visit


def update_visit(
    visit: Visit, *, starts_on: date, ends_on: date, purpose: str, agenda: str, team: list[User]
) -> None:
    check_dates(starts_on, ends_on)
    visit.starts_on, visit.ends_on = starts_on, ends_on
    visit.purpose, visit.agenda = purpose.strip(), agenda.strip()
    visit.team = list(team)
    audit.record(
        "visit.update", visit, project=visit.case_study.project,
        summary=f"Visit to {visit.case_study.place.name} changed, {visit_dates(visit)}",
        team=[user.id for user in team],
    )


def delete_visit(visit: Visit) -> None:
    audit.record("visit.delete", visit, project=visit.case_study.project,
                 summary=f"Visit to {visit.case_study.place.name}, {visit_dates(visit)}, deleted")
    db.session.delete(visit)
    db.session.flush()


def visit_dates(visit: Visit) -> str:
    return f"{visit.starts_on:{DAY}} to {visit.ends_on:{DAY}}"


def upcoming_visits(project: Project, today: date, limit: int = 5) -> list[Visit]:
    """Visits under way or still to come, soonest first."""
    return list(db.session.scalars(
        db.select(Visit)
        .where(Visit.project_id == project.id, Visit.ends_on >= today)
        .options(selectinload(Visit.team), selectinload(Visit.case_study))
        .order_by(Visit.starts_on, Visit.id)
        .limit(limit)
    ))
