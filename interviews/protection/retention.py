"""Retention rules: which recordings' audio is due for deletion, and deleting it.

A recording is due once its transcript has been corrected (or marked ready) for the rule's
number of days: `wish_days` when a participant's consent asks for the recording to be
deleted (DELETION_WISHES), `default_days` for every recording; the shorter applies. The
transcript is kept. Functions only flush; the request, job or command commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview
from interviews.protection.audio import delete_audio
from interviews.protection.models import DELETION_WISHES, AudioDeletion, RetentionRule
from interviews.recordings.models import Recording
from interviews.transcripts.models import Transcript, TranscriptVersion

#: transcript statuses that count as corrected
CORRECTED = ("corrected", "ready")
#: the longest period a rule may give, in days (100 years)
MAX_DAYS = 36_500
#: the page lists what falls due within this many days
SOON_DAYS = 30


class RetentionError(ValueError):
    """A rule that cannot be saved, said in words."""


@dataclass(frozen=True)
class DueRecording:
    recording: Recording
    transcript: Transcript
    corrected_at: datetime
    due_on: date
    #: the rule in words, as the deletion will record it
    rule: str


def rule_of(project: Project) -> RetentionRule:
    """The project's rule; an unsaved one that deletes nothing when none was set."""
    rule = db.session.scalar(
        db.select(RetentionRule).where(RetentionRule.project_id == project.id)
    )
    return rule if rule is not None else RetentionRule(project_id=project.id)


def check_days(days: int | None, what: str) -> int | None:
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise RetentionError(f"{what}: give a number of days from 0 to {MAX_DAYS}, "
                             "or leave it empty to keep the audio.")
    return days


def update_rule(project: Project, wish_days: int | None, default_days: int | None,
                user: User | None) -> RetentionRule:
    rule = rule_of(project)
    rule.wish_days = check_days(wish_days, "When consent asks for deletion")
    rule.default_days = check_days(default_days, "For every recording")
    rule.updated_at = utcnow()
    rule.updated_by_id = user.id if user else None
    db.session.add(rule)
    db.session.flush()
    audit.record("retention.rule", rule, project=project, summary=f"Retention rule: "
                 f"{describe_rule(rule)}", wish_days=wish_days, default_days=default_days)
    return rule


def describe_rule(rule: RetentionRule) -> str:
    parts = []
    if rule.wish_days is not None:
        parts.append(f"audio deleted {rule.wish_days} days after the transcript is corrected "
                     "when the participant's consent asks for it")
    if rule.default_days is not None:
        parts.append(f"every recording's audio deleted {rule.default_days} days after its "
                     "transcript is corrected")
    return "; ".join(parts) or "audio is kept"


def corrected_at(transcript: Transcript) -> datetime:
    """When the transcript was first saved as corrected or ready (else its last save)."""
    first = db.session.scalar(
        db.select(db.func.min(TranscriptVersion.saved_at)).where(
            TranscriptVersion.transcript_id == transcript.id,
            TranscriptVersion.snapshot["status"].as_string().in_(CORRECTED),
        )
    )
    return first or transcript.updated_at


def consent_asks(interview: Interview) -> bool:
    return any(p.consent is not None and p.consent.retention in DELETION_WISHES
               for p in interview.participants)


def days_for(rule: RetentionRule, interview: Interview) -> tuple[int, str] | None:
    """The days after correction and the rule in words for this interview's audio."""
    options = []
    if rule.wish_days is not None and consent_asks(interview):
        options.append((rule.wish_days, f"{rule.wish_days} days after the transcript was "
                                        "corrected, as the participant's consent asks"))
    if rule.default_days is not None:
        options.append((rule.default_days, f"{rule.default_days} days after the transcript "
                                           "was corrected, the project's default"))
    return min(options) if options else None


def due_recordings(project: Project, until: date | None = None) -> list[DueRecording]:
    """Recordings whose audio the rule will delete, soonest first; only those due on or
    before `until` when given."""
    rule = rule_of(project)
    if rule.wish_days is None and rule.default_days is None:
        return []
    rows = db.session.execute(
        db.select(Recording, Transcript)
        .join(Transcript, Transcript.recording_id == Recording.id)
        .where(Recording.project_id == project.id, Transcript.status.in_(CORRECTED))
    ).all()
    due = []
    for recording, transcript in rows:
        chosen = days_for(rule, recording.interview)
        if chosen is None:
            continue
        since = corrected_at(transcript)
        due_on = since.date() + timedelta(days=chosen[0])
        if until is None or due_on <= until:
            due.append(DueRecording(recording, transcript, since, due_on, chosen[1]))
    return sorted(due, key=lambda d: (d.due_on, d.recording.id))


def apply_retention(project: Project, today: date, user: User | None = None
                    ) -> list[AudioDeletion]:
    """Delete the audio of every recording due by `today`, except while it is transcribed."""
    deletions = []
    for item in due_recordings(project, until=today):
        job = item.recording.latest_job
        if job is not None and not job.finished:
            continue
        deletions.append(delete_audio(item.recording, "retention", item.rule, user))
    return deletions


def projects_with_rules() -> list[Project]:
    return list(db.session.scalars(
        db.select(Project).join(RetentionRule, RetentionRule.project_id == Project.id)
        .order_by(Project.id)
    ))


def deleted_audio(project: Project) -> list[AudioDeletion]:
    return list(db.session.scalars(
        db.select(AudioDeletion).where(AudioDeletion.project_id == project.id)
        .order_by(AudioDeletion.deleted_at.desc(), AudioDeletion.id.desc())
    ))
