"""Retention rules: audio is deleted when due (files and rows, blobs only when unused),
transcripts are kept, every deletion is audited and shown; page, command and nightly job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import unescape
from io import BytesIO
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient

from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, StoredFile, User
from fieldwork.storage import store_upload
from interviews.protection.models import AudioDeletion, RetentionRule
from interviews.protection.retention import apply_retention, due_recordings, update_rule
from interviews.protection.tasks import apply_retention_rules
from interviews.recordings.models import Recording, TranscriptionJob
from interviews.transcripts.models import Transcript
from tests.interviews.protection.conftest import Recorded, blob_exists, stored_rows

TODAY = utcnow().date()


def test_audio_is_deleted_when_due_and_the_transcript_kept(
    app: Flask, project: Project, people: dict[str, User],
    record_interview: Callable[..., Recorded], client_for: Callable[..., FlaskClient],
) -> None:
    asks = record_interview(wish="delete_soon", days_ago=10)
    update_rule(project, wish_days=7, default_days=None, user=people["lead"])
    blobs, recording_id = asks.blobs, asks.recording.id
    (due,) = due_recordings(project, TODAY)
    assert due.recording.id == recording_id
    assert due.due_on == TODAY - timedelta(days=3)
    assert "as the participant's consent asks" in due.rule

    (deletion,) = apply_retention(project, TODAY)
    db.session.commit()
    assert db.session.get(Recording, recording_id) is None
    assert [stored_rows(sha) for sha in blobs] == [0, 0]
    assert not any(blob_exists(sha) for sha in blobs)
    transcript = db.session.get(Transcript, asks.transcript.id)
    assert transcript.recording_id is None and len(transcript.segments) == 2
    assert (deletion.reason, deletion.transcript_id, deletion.part) == ("retention",
                                                                        transcript.id, 1)
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "recording.delete_retention"))
    assert entry.project_id == project.id and "consent asks" in entry.summary

    page = client_for(people["viewer"]).get(
        f"/projects/{project.id}/interviews/{asks.interview.id}").get_data(as_text=True)
    page = unescape(page)
    # the day as the viewer reads it, in their own zone (in Warsaw a day on after 23:00 UTC)
    zone = ZoneInfo(people["viewer"].timezone or app.config["DEFAULT_TIMEZONE"])
    assert f"Audio deleted on {deletion.deleted_at.astimezone(zone):%d %b %Y}" in page
    assert "under the project's retention rule" in page
    assert f"/transcripts/{transcript.id}" in page


def test_the_rule_follows_consent_and_the_project_default(
    project: Project, people: dict[str, User], record_interview: Callable[..., Recorded],
) -> None:
    keeps = record_interview(wish="project", days_ago=10)
    asks = record_interview(wish="anonymised", days_ago=10)
    draft = record_interview(wish="delete_soon", status="draft", days_ago=10)
    update_rule(project, wish_days=5, default_days=None, user=people["lead"])
    assert [d.recording.id for d in due_recordings(project, TODAY)] == [asks.recording.id]
    update_rule(project, wish_days=5, default_days=30, user=people["lead"])
    soon = due_recordings(project, TODAY + timedelta(days=30))
    assert [(d.recording.id, d.due_on) for d in soon] == [
        (asks.recording.id, TODAY - timedelta(days=5)),
        (keeps.recording.id, TODAY + timedelta(days=20)),
    ]
    assert draft.recording.id not in {d.recording.id for d in soon}


def test_a_blob_another_row_uses_is_kept(
    project: Project, people: dict[str, User], record_interview: Callable[..., Recorded],
) -> None:
    asks = record_interview(wish="delete_soon", days_ago=3, audio=b"same bytes twice")
    other = store_upload(BytesIO(b"same bytes twice"), "copy.wav", None)
    original, playback = asks.blobs
    update_rule(project, wish_days=0, default_days=None, user=people["lead"])
    assert len(apply_retention(project, TODAY)) == 1
    db.session.commit()
    assert blob_exists(original) and stored_rows(original) == 1 == db.session.scalar(
        db.select(db.func.count()).select_from(StoredFile).where(StoredFile.id == other.id))
    assert not blob_exists(playback)


def test_a_rollback_keeps_the_files(
    project: Project, people: dict[str, User], record_interview: Callable[..., Recorded],
) -> None:
    asks = record_interview(wish="delete_soon", days_ago=3)
    blobs = asks.blobs
    db.session.commit()
    update_rule(project, wish_days=0, default_days=None, user=people["lead"])
    apply_retention(project, TODAY)
    db.session.rollback()
    assert all(blob_exists(sha) for sha in blobs)
    assert db.session.get(Recording, asks.recording.id) is not None


def test_a_recording_being_transcribed_waits(
    project: Project, people: dict[str, User], record_interview: Callable[..., Recorded],
) -> None:
    asks = record_interview(wish="delete_soon", days_ago=3)
    asks.recording.jobs.append(TranscriptionJob(project_id=project.id, state="running"))
    db.session.flush()
    update_rule(project, wish_days=0, default_days=None, user=people["lead"])
    assert apply_retention(project, TODAY) == []


def test_the_page_saves_the_rule_lists_and_deletes(
    project: Project, people: dict[str, User], record_interview: Callable[..., Recorded],
    client_for: Callable[..., FlaskClient],
) -> None:
    recording_id = record_interview(wish="delete_soon", days_ago=10).recording.id
    lead = client_for(people["lead"])
    url = f"/projects/{project.id}/data-protection/"
    refused = lead.post(url, data={"wish_days": "-3", "default_days": "abc"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Give a whole number of days from 0 to 36500, or leave it empty." in text
    assert 'value="-3"' in text
    assert db.session.scalar(db.select(RetentionRule)) is None

    saved = lead.post(url, data={"wish_days": "7", "default_days": ""})
    assert saved.status_code == 302
    page = lead.get(url).get_data(as_text=True)
    assert "audio deleted 7 days after the transcript is corrected" in page
    assert "(due now)" in page and "Claire" not in page

    assert lead.post(f"{url}apply").status_code == 302
    db.session.expire_all()
    assert db.session.get(Recording, recording_id) is None
    page = unescape(lead.get(url).get_data(as_text=True))
    assert "Under the project's retention rule" in page
    assert "Nothing is due within 30 days." in page
    assert client_for(people["interviewer"]).get(url).status_code == 403


def test_command_and_nightly_job(
    app: Flask, project: Project, people: dict[str, User],
    record_interview: Callable[..., Recorded],
) -> None:
    first = record_interview(wish="delete_soon", days_ago=10)
    record_interview(wish="delete_soon", days_ago=10)
    update_rule(project, wish_days=1, default_days=None, user=people["lead"])
    db.session.commit()
    runner = app.test_cli_runner()
    due = runner.invoke(args=["retention", "due", "--project", str(project.id)])
    assert due.exit_code == 0, due.output
    assert f"interview {first.interview.id} part 1 due on" in due.output
    assert runner.invoke(args=["retention", "apply", "--project", "999999"]).exit_code == 1

    apply_retention_rules()
    assert db.session.scalar(db.select(db.func.count()).select_from(AudioDeletion)) == 2
    applied = runner.invoke(args=["retention", "apply"])
    assert applied.exit_code == 0 and "0 recording(s) deleted." in applied.output
