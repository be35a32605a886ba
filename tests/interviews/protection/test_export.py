"""The export of everything held about one participant: a ZIP of JSON and files, for the
lead only, recorded in the audit log; the audit log finds what concerns them."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import date
from io import BytesIO

from flask.testing import FlaskClient

from coding.codebook import CodeFields, create_code
from coding.codings import apply_codes
from coding.models import Source
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from interviews.participants import record_consent
from tests.access_samples import tone_wav
from tests.interviews.protection.conftest import Recorded


def test_the_lead_downloads_everything_held_about_a_participant(
    project: Project, people: dict[str, User], record_interview: Callable[..., Recorded],
    client_for: Callable[..., FlaskClient],
) -> None:
    recorded = record_interview(status="ready")
    participant = recorded.participant
    record_consent(participant, recording_allowed=True, attribution="named",
                   given_on=date(2026, 3, 1), retention="archive", user=None,
                   form_stream=BytesIO(b"%PDF-1.4 signed by Claire"), form_filename="form.pdf")
    source = db.session.scalar(
        db.select(Source).where(Source.transcript_id == recorded.transcript.id))
    code = create_code(project, CodeFields(name="Agreements"), None, people["lead"])
    start = source.text.index("The city signed")
    apply_codes(source, [code.id], start, start + len("The city signed"), source.text_version,
                people["coder"], memo="Key moment")
    db.session.commit()

    url = f"/projects/{project.id}/participants/{participant.id}/export.zip"
    assert client_for(people["interviewer"]).get(url).status_code == 403
    response = client_for(people["lead"]).get(url)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"participant-{participant.pseudonym}-" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    recording_file = f"recordings/{recorded.recording.id}-part1-claire-secretname.wav"
    assert sorted(archive.namelist()) == ["consent/form.pdf", "participant.json",
                                          recording_file]
    assert archive.read("consent/form.pdf") == b"%PDF-1.4 signed by Claire"
    assert archive.read(recording_file) == tone_wav()

    data = json.loads(archive.read("participant.json"))
    assert data["participant"]["name"] == "Claire Secretname"
    assert data["participant"]["email"] == "claire.secret@example.org"
    assert data["consent"]["retention"] == "archive"
    assert data["consent"]["form_file"] == "consent/form.pdf"
    assert [i["id"] for i in data["interviews"]] == [recorded.interview.id]
    assert data["recordings"][0]["file"] == recording_file
    segments = data["transcripts"][0]["segments"]
    assert segments[1]["speaker"] == "Claire Secretname"
    assert segments[1]["text"].startswith("I am Claire Secretname")
    (coding,) = data["codings"]
    assert (coding["code"], coding["excerpt"], coding["memo"]) == (
        "Agreements", "The city signed", "Key moment")
    actions = {entry["action"] for entry in data["audit"]}
    assert {"participant.create", "consent.record", "transcript.save"} <= actions

    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "participant.export"))
    assert entry.user_id == people["lead"].id
    assert entry.summary == f"Everything held about {participant.pseudonym} exported " \
                            "(1 recording file(s))"
    lead = client_for(people["lead"])
    page = lead.get(f"/projects/{project.id}/participants/{participant.id}").get_data(
        as_text=True)
    assert url in page
    found = lead.get(f"/projects/{project.id}/audit?q={participant.pseudonym}").get_data(
        as_text=True)
    assert "participant.export" in found and "participant.create" in found
