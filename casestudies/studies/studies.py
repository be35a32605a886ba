"""Case studies: creation, changes, team; every change written to the audit log."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from casestudies.models import STUDY_STATUSES, CaseStudy, Place
from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User


class StudyError(ValueError):
    """A change to a case study that cannot be made, in words for the user."""


def case_studies_of(project: Project) -> list[CaseStudy]:
    return list(db.session.scalars(
        db.select(CaseStudy)
        .where(CaseStudy.project_id == project.id)
        .options(selectinload(CaseStudy.team), selectinload(CaseStudy.visits))
        .order_by(CaseStudy.title)
    ))


def project_members(project: Project) -> list[User]:
    return list(db.session.scalars(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id)
        .order_by(User.name)
    ))


def members_by_id(project: Project, user_ids: list[int]) -> list[User]:
    """The project's members among `user_ids`; anyone else is refused."""
    members = {user.id: user for user in project_members(project)}
    strangers = set(user_ids) - members.keys()
    if strangers:
        raise StudyError("Only members of the project can be on its team.")
    return [members[user_id] for user_id in dict.fromkeys(user_ids)]


def check_status(status: str) -> None:
    if status not in STUDY_STATUSES:
        raise StudyError(f"“{status}” is not a status; choose one of the list.")


def create_case_study(
    project: Project, *, place: Place, title: str, research_questions: str = "",
    status: str = "planned", notes: str = "", team: list[User] | None = None,
) -> CaseStudy:
    check_status(status)
    study = CaseStudy(
        project_id=project.id, place=place, title=title.strip() or place.name,
        research_questions=research_questions.strip(), status=status, notes=notes.strip(),
        team=list(team or []),
    )
    db.session.add(study)
    db.session.flush()
    audit.record("case_study.create", study, project=project,
                 summary=f"Case study “{study.title}” ({place.name}) created")
    return study


def update_case_study(
    study: CaseStudy, *, place: Place, title: str, research_questions: str, status: str,
    notes: str, team: list[User],
) -> None:
    check_status(status)
    old_status = study.status
    study.place = place
    study.title = title.strip() or place.name
    study.research_questions = research_questions.strip()
    study.status = status
    study.notes = notes.strip()
    study.team = list(team)
    summary = f"Case study “{study.title}” changed"
    if old_status != status:
        summary += f"; status {STUDY_STATUSES[old_status]} → {STUDY_STATUSES[status]}"
    audit.record("case_study.update", study, project=study.project, summary=summary,
                 team=[user.id for user in team])


def delete_case_study(study: CaseStudy) -> None:
    audit.record("case_study.delete", study, project=study.project,
                 summary=f"Case study “{study.title}” deleted with {len(study.visits)} visit(s)")
    db.session.delete(study)
    db.session.flush()
