"""Everything held about one participant, as a ZIP: `participant.json` (identity, consent,
interviews, recordings, transcripts with their segments, codings with their excerpts, audit
entries about them) and the files (the signed consent form, each recording's original)."""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO, Any

from sqlalchemy import and_, or_

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, StoredFile
from fieldwork.signals import participant_exporting
from fieldwork.storage import file_store
from interviews.models import Interview, Participant
from interviews.protection.models import AudioDeletion
from interviews.protection.withdrawal import (
    application_of,
    interviews_of,
    recordings_of,
    transcripts_of,
)
from interviews.recordings.models import Recording
from interviews.transcripts.models import Transcript


def when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def identity(participant: Participant) -> dict[str, Any]:
    return {
        "id": participant.id, "pseudonym": participant.pseudonym, "name": participant.name,
        "email": participant.email, "phone": participant.phone,
        "organisation": participant.organisation,
        "organisation_type": participant.organisation_type,
        "organisation_code": participant.organisation_code, "role": participant.role,
        "place": participant.place.name if participant.place else None,
        "notes": participant.notes, "created_at": when(participant.created_at),
    }


def consent_record(participant: Participant) -> dict[str, Any] | None:
    consent = participant.consent
    if consent is None:
        return None
    return {
        "recording_allowed": consent.recording_allowed, "attribution": consent.attribution,
        "given_on": when(consent.given_on), "retention": consent.retention,
        "withdrawn_on": when(consent.withdrawn_on), "withdrawal_note": consent.withdrawal_note,
        "form_file": f"consent/{consent.form_file.filename}" if consent.form_file else None,
    }


def interview_record(interview: Interview) -> dict[str, Any]:
    return {
        "id": interview.id, "starts_at_utc": when(interview.starts_at),
        "timezone": interview.timezone, "duration_minutes": interview.duration_minutes,
        "status": interview.status, "mode": interview.mode, "location": interview.location,
        "link": interview.link, "language": interview.language,
        "organisation": interview.organisation, "notes": interview.notes,
        "place": interview.place.name if interview.place else None,
        "participants": [p.pseudonym for p in interview.participants],
        "interviewers": [user.name for user in interview.interviewers],
        "history": [{"at": when(h.at), "kind": h.kind, "from_status": h.from_status,
                     "to_status": h.to_status, "note": h.note} for h in interview.history],
    }


def recording_path(recording: Recording) -> str:
    return f"recordings/{recording.id}-part{recording.part}-{recording.stored_file.filename}"


def recording_record(recording: Recording) -> dict[str, Any]:
    stored = recording.stored_file
    return {
        "id": recording.id, "interview_id": recording.interview_id, "part": recording.part,
        "filename": stored.filename, "content_type": stored.content_type, "size": stored.size,
        "sha256": stored.sha256, "duration_s": recording.duration_s,
        "uploaded_at": when(stored.uploaded_at), "file": recording_path(recording),
    }


def transcript_record(transcript: Transcript) -> dict[str, Any]:
    return {
        "id": transcript.id, "interview_id": transcript.interview_id,
        "recording_id": transcript.recording_id, "status": transcript.status,
        "language": transcript.language,
        "segments": [{"start": s.start, "end": s.end, "speaker": s.speaker, "text": s.text}
                     for s in transcript.segments],
    }


def deletion_record(deletion: AudioDeletion) -> dict[str, Any]:
    return {"interview_id": deletion.interview_id, "part": deletion.part,
            "deleted_at": when(deletion.deleted_at), "reason": deletion.reason_label,
            "rule": deletion.rule}


def audit_entries(participant: Participant, objects: list[tuple[str, int]]) -> list[AuditEntry]:
    """Entries on the participant, their consent, interviews, recordings and transcripts,
    and any entry whose description names their pseudonym."""
    about = [and_(AuditEntry.object_type == kind, AuditEntry.object_id == object_id)
             for kind, object_id in objects]
    return list(db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.project_id == participant.project_id,
            or_(AuditEntry.summary.contains(participant.pseudonym), *about))
        .order_by(AuditEntry.at, AuditEntry.id)
    ))


def audit_record(entry: AuditEntry) -> dict[str, Any]:
    return {"at": when(entry.at), "user": entry.user.email if entry.user else None,
            "action": entry.action, "summary": entry.summary}


def participant_data(participant: Participant) -> tuple[dict[str, Any], list[Recording]]:
    """The export's JSON content, and the recordings whose files go with it."""
    interviews = interviews_of(participant)
    transcripts = transcripts_of(interviews)
    recordings = recordings_of(interviews)
    deletions = list(db.session.scalars(db.select(AudioDeletion).where(
        AudioDeletion.interview_id.in_([i.id for i in interviews]))))
    objects = [("Participant", participant.id), *(("Interview", i.id) for i in interviews),
               *(("Recording", r.id) for r in recordings),
               *(("Transcript", t.id) for t in transcripts),
               *(("AudioDeletion", d.id) for d in deletions)]
    if participant.consent is not None:
        objects.append(("Consent", participant.consent.id))
    application = application_of(participant)
    data: dict[str, Any] = {
        "exported_at": when(utcnow()),
        "project": db.session.get(Project, participant.project_id).name,
        "participant": identity(participant), "consent": consent_record(participant),
        "withdrawal_applied": application.summary if application else None,
        "interviews": [interview_record(i) for i in interviews],
        "recordings": [recording_record(r) for r in recordings],
        "deleted_audio": [deletion_record(d) for d in deletions],
        "transcripts": [transcript_record(t) for t in transcripts],
        "codings": [],
    }
    for _receiver, sections in participant_exporting.send(participant, transcripts=transcripts):
        data.update(sections or {})
    data["audit"] = [audit_record(e) for e in audit_entries(participant, objects)]
    return data, recordings


def write_file(archive: zipfile.ZipFile, path: str, stored: StoredFile) -> None:
    store = file_store()
    with archive.open(zipfile.ZipInfo(path), "w", force_zip64=True) as out:
        for chunk in store.iter_chunks(stored.sha256):
            out.write(chunk)


def export_participant(participant: Participant) -> IO[bytes]:
    """The ZIP in a temporary file (deleted when closed), read from its start; the export is
    recorded in the audit log."""
    data, recordings = participant_data(participant)
    # Not a context manager: the response closes it once sent.
    target = tempfile.TemporaryFile(dir=file_store().temp_dir())  # noqa: SIM115
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("participant.json",
                         json.dumps(data, ensure_ascii=False, indent=2),
                         compress_type=zipfile.ZIP_DEFLATED)
        consent = participant.consent
        if consent is not None and consent.form_file is not None:
            write_file(archive, f"consent/{consent.form_file.filename}", consent.form_file)
        for recording in recordings:
            write_file(archive, recording_path(recording), recording.stored_file)
    target.seek(0)
    audit.record("participant.export", participant,
                 project=db.session.get(Project, participant.project_id),
                 summary=f"Everything held about {participant.pseudonym} exported "
                         f"({len(recordings)} recording file(s))")
    return target
