"""Participants, their pseudonyms and consent, and what consent allows for an interview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy.orm import selectinload

from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.permissions import role_in, roles_with
from fieldwork.storage import store_upload
from interviews.models import (
    ATTRIBUTION_LEVELS,
    INACTIVE_STATUSES,
    ORGANISATION_TYPES,
    RETENTION_WISHES,
    Consent,
    Interview,
    Participant,
)
from interviews.pseudonyms import render_pseudonym
from interviews.settings import settings_for

#: organisation types whose pseudonym names a bloc or country whatever the place
COUNTRY_OF_TYPE = {
    "eu_institution": "EU", "us_federal": "US", "us_state_city": "US", "chinese": "CN",
}
#: how far to count when looking for the next free number
MAX_NUMBER = 9999


class ParticipantError(ValueError):
    """A participant or consent that cannot be saved, said in words."""


@dataclass
class ParticipantData:
    organisation: str
    organisation_type: str
    role: str = ""
    organisation_code: str = ""
    place: Any = None
    name: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""


def may_see_identity(user: Any, project: Project) -> bool:
    """Whether `user` may see names, emails and phones of the project's participants."""
    return role_in(project, user) in roles_with("participants.identity")


def participant_label(participant: Participant, show_identity: bool) -> str:
    if show_identity and participant.name:
        return f"{participant.pseudonym} ({participant.name})"
    return participant.pseudonym


def pseudonym_parts(data: ParticipantData) -> tuple[str, str]:
    country = COUNTRY_OF_TYPE.get(data.organisation_type) or (
        getattr(data.place, "country_code", None) or "XX"
    )
    code = data.organisation_code.strip().upper() or ORGANISATION_TYPES[data.organisation_type][1]
    return country.upper(), code


def next_pseudonym(project: Project, country: str, orgtype: str) -> str:
    """The first pseudonym of the project's pattern not yet taken, counting from 1."""
    pattern = settings_for(project).pseudonym_pattern
    taken = set(db.session.scalars(
        db.select(Participant.pseudonym).where(Participant.project_id == project.id)
    ))
    for n in range(1, MAX_NUMBER + 1):
        candidate = render_pseudonym(pattern, country, orgtype, n)
        if candidate not in taken:
            return candidate
    raise ParticipantError("No free pseudonym left for this pattern; change it in the settings.")


def check_data(data: ParticipantData) -> None:
    if data.organisation_type not in ORGANISATION_TYPES:
        raise ParticipantError("Choose the type of organisation.")
    if not data.organisation.strip():
        raise ParticipantError("Give the organisation, e.g. “European Commission, DG REGIO”.")


def apply_data(participant: Participant, data: ParticipantData) -> None:
    participant.organisation = data.organisation.strip()
    participant.organisation_type = data.organisation_type
    participant.organisation_code = data.organisation_code.strip().upper()
    participant.role = data.role.strip()
    participant.place = data.place
    participant.name = data.name.strip()
    participant.email = data.email.strip()
    participant.phone = data.phone.strip()
    participant.notes = data.notes.strip()


def create_participant(project: Project, data: ParticipantData) -> Participant:
    check_data(data)
    participant = Participant(project_id=project.id,
                              pseudonym=next_pseudonym(project, *pseudonym_parts(data)))
    apply_data(participant, data)
    db.session.add(participant)
    db.session.flush()
    audit.record("participant.create", participant, project=project,
                 summary=f"Participant {participant.pseudonym} added")
    return participant


def update_participant(
    participant: Participant, data: ParticipantData, pseudonym: str | None = None
) -> Participant:
    check_data(data)
    pseudonym = (pseudonym or "").strip()
    if pseudonym and pseudonym != participant.pseudonym:
        taken = db.session.scalar(db.select(Participant.id).where(
            Participant.project_id == participant.project_id, Participant.pseudonym == pseudonym,
            Participant.id != participant.id,
        ))
        if taken:
            raise ParticipantError(f"{pseudonym} is already another participant's pseudonym.")
        participant.pseudonym = pseudonym
    apply_data(participant, data)
    db.session.flush()
    audit.record("participant.edit", participant, project=participant_project(participant),
                 summary=f"Participant {participant.pseudonym} edited")
    return participant


def participant_project(participant: Participant) -> Project:
    return db.session.get(Project, participant.project_id)


def record_consent(
    participant: Participant, *, recording_allowed: bool, attribution: str,
    given_on: date | None, retention: str, user: User | None,
    form_stream: BinaryIO | None = None, form_filename: str = "",
) -> Consent:
    if attribution not in ATTRIBUTION_LEVELS:
        raise ParticipantError("Choose how the participant may be cited.")
    if retention not in RETENTION_WISHES:
        raise ParticipantError("Choose what the participant wishes for the recording.")
    if given_on is None:
        raise ParticipantError("Give the date on which consent was given.")
    consent = participant.consent or Consent(participant=participant)
    db.session.add(consent)
    consent.recording_allowed = recording_allowed
    consent.attribution = attribution
    consent.given_on = given_on
    consent.retention = retention
    if form_stream is not None:
        consent.form_file = store_upload(form_stream, form_filename, user.id if user else None)
    db.session.flush()
    audit.record(
        "consent.record", consent, project=participant_project(participant),
        summary=f"Consent of {participant.pseudonym} recorded",
        recording_allowed=recording_allowed, attribution=attribution,
    )
    return consent


def withdraw_consent(participant: Participant, on: date, note: str = "") -> Consent:
    """Record a withdrawal. Interviews show it; the recordings feature acts on it."""
    consent = participant.consent or Consent(participant=participant)
    if consent.withdrawn_on is not None:
        raise ParticipantError(f"Consent was already withdrawn on {consent.withdrawn_on:%d %b %Y}.")
    consent.withdrawn_on = on
    consent.withdrawal_note = note.strip()
    consent.recording_allowed = False
    db.session.add(consent)
    db.session.flush()
    audit.record("consent.withdraw", consent, project=participant_project(participant),
                 summary=f"{participant.pseudonym} withdrew consent on {on:%d %b %Y}")
    return consent


def consent_problem(participant: Participant) -> str:
    """Why this participant's consent stands in the way of recording, or "" if it does not."""
    consent = participant.consent
    if consent is None or consent.given_on is None:
        return f"{participant.pseudonym}: no consent recorded yet"
    if consent.withdrawn_on is not None:
        return f"{participant.pseudonym} withdrew consent on {consent.withdrawn_on:%d %b %Y}"
    if not consent.recording_allowed:
        return f"{participant.pseudonym} does not allow recording"
    return ""


def recording_allowed(interview: Interview) -> tuple[bool, str]:
    """Whether the interview may be recorded (every participant must allow it), and why not."""
    if not interview.participants:
        return False, "The interview has no participant."
    problems = [p for p in map(consent_problem, interview.participants) if p]
    if problems:
        return False, "; ".join(problems) + "."
    return True, "Every participant allows recording."


def consent_problems(project: Project) -> list[tuple[Interview, str]]:
    """Interviews not cancelled whose participants' consent forbids recording or is missing."""
    interviews = db.session.scalars(
        db.select(Interview)
        .where(Interview.project_id == project.id, Interview.status.not_in(INACTIVE_STATUSES))
        .order_by(Interview.starts_at)
    )
    problems = []
    for interview in interviews:
        allowed, reason = recording_allowed(interview)
        if not allowed:
            problems.append((interview, reason))
    return problems


def project_participants(project: Project) -> list[Participant]:
    return list(db.session.scalars(
        db.select(Participant).where(Participant.project_id == project.id)
        .order_by(Participant.pseudonym).options(selectinload(Participant.consent))
    ))
