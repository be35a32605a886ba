"""Applying a withdrawal of consent to the data, as the lead chooses: the recordings are
deleted; the transcripts deleted or pseudonymised; the codings on them removed or kept,
anonymised. All in the caller's transaction (functions only flush), each step audited.

Coding is told through the `withdrawal_applying` signal (fieldwork.signals), before the
transcripts go, and answers how many codings it removed or kept."""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.signals import withdrawal_applying
from interviews.models import Interview, Participant, interview_participants
from interviews.protection.audio import delete_audio
from interviews.protection.models import (
    CODING_CHOICES,
    TRANSCRIPT_CHOICES,
    WithdrawalApplication,
)
from interviews.protection.pseudonymising import pseudonymise_transcript
from interviews.recordings.models import Recording
from interviews.transcripts.models import Transcript


class WithdrawalError(ValueError):
    """A withdrawal that cannot be applied, said in words."""


@dataclass(frozen=True)
class WithdrawalChoice:
    #: one of TRANSCRIPT_CHOICES
    transcripts: str
    #: one of CODING_CHOICES
    codings: str


def application_of(participant: Participant) -> WithdrawalApplication | None:
    return db.session.scalar(db.select(WithdrawalApplication).where(
        WithdrawalApplication.participant_id == participant.id))


def interviews_of(participant: Participant) -> list[Interview]:
    return list(db.session.scalars(
        db.select(Interview)
        .join(interview_participants, interview_participants.c.interview_id == Interview.id)
        .where(interview_participants.c.participant_id == participant.id)
        .order_by(Interview.starts_at)
    ))


def transcripts_of(interviews: list[Interview]) -> list[Transcript]:
    return list(db.session.scalars(
        db.select(Transcript).where(Transcript.interview_id.in_([i.id for i in interviews]))
        .order_by(Transcript.id)
    ))


def recordings_of(interviews: list[Interview]) -> list[Recording]:
    return list(db.session.scalars(
        db.select(Recording).where(Recording.interview_id.in_([i.id for i in interviews]))
        .order_by(Recording.interview_id, Recording.part)
    ))


def check_can_apply(participant: Participant, choice: WithdrawalChoice) -> None:
    consent = participant.consent
    if consent is None or consent.withdrawn_on is None:
        raise WithdrawalError(f"{participant.pseudonym} has not withdrawn consent: record the "
                              "withdrawal first.")
    applied = application_of(participant)
    if applied is not None:
        raise WithdrawalError(f"The withdrawal was already applied on "
                              f"{applied.applied_at:%d %b %Y}: {applied.summary}.")
    if choice.transcripts not in TRANSCRIPT_CHOICES:
        raise WithdrawalError("Choose whether the transcripts are deleted or pseudonymised.")
    if choice.codings not in CODING_CHOICES:
        raise WithdrawalError("Choose whether the codings are removed or kept anonymised.")


def delete_transcript(transcript: Transcript, participant: Participant, user: User | None,
                      project: Project) -> None:
    audit.record("transcript.delete_withdrawal", transcript, project=project,
                 summary=f"Transcript {transcript.id} of interview {transcript.interview_id} "
                         f"deleted after {participant.pseudonym} withdrew consent",
                 user_id=user.id if user else None, participant_id=participant.id)
    db.session.delete(transcript)


def apply_withdrawal(participant: Participant, choice: WithdrawalChoice,
                     user: User | None) -> WithdrawalApplication:
    """Apply the participant's withdrawal to their interviews' recordings, transcripts and
    codings (every participant of those interviews shares them)."""
    check_can_apply(participant, choice)
    project = db.session.get(Project, participant.project_id)
    interviews = interviews_of(participant)
    transcripts = transcripts_of(interviews)
    for transcript in transcripts:
        pseudonymise_transcript(transcript, participant, user)
    delete = choice.transcripts == "delete"
    answers = withdrawal_applying.send(participant, transcripts=transcripts,
                                       delete_transcripts=delete,
                                       keep_codings=choice.codings == "keep", user=user)
    if delete:
        for transcript in transcripts:
            delete_transcript(transcript, participant, user, project)
        db.session.flush()
    withdrawn_on = participant.consent.withdrawn_on
    rule = f"{participant.pseudonym} withdrew consent on {withdrawn_on:%d %b %Y}"
    recordings = recordings_of(interviews)
    for recording in recordings:
        delete_audio(recording, "withdrawal", rule, user)
    application = WithdrawalApplication(
        project_id=project.id, participant_id=participant.id, transcripts=choice.transcripts,
        codings=choice.codings, recordings_deleted=len(recordings),
        transcripts_changed=len(transcripts),
        codings_changed=sum(answer or 0 for _receiver, answer in answers),
        applied_by_id=user.id if user else None,
    )
    db.session.add(application)
    db.session.flush()
    audit.record("consent.withdrawal_applied", participant, project=project,
                 summary=f"Withdrawal of {participant.pseudonym} applied: {application.summary}",
                 user_id=user.id if user else None, transcripts=choice.transcripts,
                 codings=choice.codings)
    return application


def anonymised_only(participant: Participant) -> bool:
    """Whether the participant withdrew and the lead kept their codings, to be cited only
    anonymously."""
    application = application_of(participant)
    return application is not None and application.codings == "keep"
