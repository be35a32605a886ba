"""Deleting a recording's audio (original and playback copy) while keeping its transcript,
and what the interview page says about audio that was deleted."""

from __future__ import annotations

from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.storage import discard_stored_file
from interviews.models import Interview
from interviews.protection.models import AudioDeletion
from interviews.recordings.models import Recording
from interviews.transcripts.models import Transcript


def delete_audio(recording: Recording, reason: str, rule: str, user: User | None) -> AudioDeletion:
    """Delete the recording's row and files (each blob once no other row uses it), keep its
    transcript, and record the deletion. Only flushes; the bytes go when it is committed."""
    transcript = db.session.scalar(
        db.select(Transcript).where(Transcript.recording_id == recording.id)
    )
    deletion = AudioDeletion(
        project_id=recording.project_id, interview_id=recording.interview_id,
        recording_id=recording.id, part=recording.part, duration_s=recording.duration_s,
        transcript_id=transcript.id if transcript else None, reason=reason, rule=rule,
        deleted_by_id=user.id if user else None,
    )
    if transcript is not None:
        transcript.recording_id = None
    files = [f for f in (recording.stored_file, recording.playback_file) if f is not None]
    db.session.add(deletion)
    db.session.delete(recording)
    db.session.flush()
    for stored in files:
        discard_stored_file(stored)
    project = db.session.get(Project, deletion.project_id)
    audit.record(
        f"recording.delete_{reason}", deletion, project=project,
        summary=f"Audio of interview {deletion.interview_id} part {deletion.part} deleted "
                f"({rule})", user_id=user.id if user else None,
        recording_id=deletion.recording_id, interview_id=deletion.interview_id,
    )
    return deletion


def audio_deletions(interview: Interview) -> list[AudioDeletion]:
    return list(db.session.scalars(
        db.select(AudioDeletion).where(AudioDeletion.interview_id == interview.id)
        .order_by(AudioDeletion.part, AudioDeletion.id)
    ))


def transcripts_without_audio(interview: Interview) -> list[Transcript]:
    """The interview's transcripts whose recording is gone (the recordings panel lists the
    others beside their recording); English versions are reached from their originals."""
    return list(db.session.scalars(
        db.select(Transcript).where(Transcript.interview_id == interview.id,
                                    Transcript.recording_id.is_(None),
                                    Transcript.translation_of_id.is_(None))
        .order_by(Transcript.id)
    ))
