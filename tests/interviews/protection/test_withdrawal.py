"""Applying a withdrawal of consent: recordings deleted, transcripts deleted or pseudonymised,
codings removed or kept anonymised, in one transaction, audited and shown."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from html import unescape

import pytest
from flask.testing import FlaskClient

from coding import refi
from coding.codebook import CodeFields, create_code
from coding.codings import Viewer, apply_codes, viewer_in
from coding.excerpts import excerpts_of
from coding.models import CodeSuggestion, Coding, Quote, Source
from coding.sources import document_paragraphs
from coding.suggestions.making import make_suggestions
from coding.suggestions.store import save_suggestions
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from interviews.participants import withdraw_consent
from interviews.protection.models import WithdrawalApplication
from interviews.recordings.models import Recording
from interviews.transcripts.models import Transcript
from tests.interviews.protection.conftest import Recorded, blob_exists

SECRETS = ("Secretname", "Claire", "claire.secret@example.org", "555 0199")


@pytest.fixture
def coded(project: Project, people: dict[str, User],
          record_interview: Callable[..., Recorded]) -> tuple[Recorded, Source]:
    """A withdrawn participant's interview, ready for coding, with a coding on their name
    and a quote in the quote bank."""
    recorded = record_interview(status="ready")
    source = db.session.scalar(
        db.select(Source).where(Source.transcript_id == recorded.transcript.id))
    code = create_code(project, CodeFields(name="Agreements"), None, people["lead"])
    start = source.text.index("I am Claire")
    end = source.text.index("Chengdu.") + len("Chengdu.")
    (coding,) = apply_codes(source, [code.id], start, end, source.text_version, people["coder"],
                            memo="Claire Secretname is frank here")
    db.session.add(Quote(project_id=project.id, coding_id=coding.id, chapter="Chapter 2"))
    withdraw_consent(recorded.participant, date(2026, 6, 1), "Asked by email")
    db.session.commit()
    return recorded, source


def apply(client: FlaskClient, recorded: Recorded, transcripts: str, codings: str) -> object:
    return client.post(f"/projects/{recorded.participant.project_id}/participants/"
                       f"{recorded.participant.id}/withdrawal",
                       data={"transcripts": transcripts, "codings": codings})


def assert_no_identity(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret.lower() not in text.lower(), (secret, text)


def test_pseudonymise_and_keep_codings_anonymised(
    project: Project, people: dict[str, User], coded: tuple[Recorded, Source],
    client_for: Callable[..., FlaskClient],
) -> None:
    recorded, source = coded
    pseudonym, blobs = recorded.participant.pseudonym, recorded.blobs
    recording_id = recorded.recording.id
    lead = client_for(people["lead"])
    assert apply(lead, recorded, "pseudonymise", "keep").status_code == 302
    db.session.expire_all()

    transcript = db.session.get(Transcript, recorded.transcript.id)
    interviewer, participant = transcript.segments
    assert interviewer.text == f"Thank you for your time, Ms {pseudonym}."
    assert interviewer.speaker == "Interviewer"
    assert participant.speaker == pseudonym
    assert participant.text == (f"I am {pseudonym}; write to {pseudonym} or call {pseudonym}. "
                                "The city signed an agreement with Chengdu.")
    assert [s.words for s in transcript.segments] == [[], []]
    assert len(transcript.versions) == 1
    assert_no_identity(str(transcript.versions[0].snapshot), source.text,
                       *(p.get("speaker", "") for p in source.paragraphs))

    (coding,) = db.session.scalars(db.select(Coding).where(Coding.source_id == source.id))
    assert source.text[coding.start:coding.end] == participant.text
    assert_no_identity(coding.quote)
    (excerpt,) = excerpts_of(project, [coding], may_see_identity=True)
    assert excerpt.citable
    assert excerpt.citation == f"{pseudonym} [00:00:03]"  # anonymous: the code only
    assert_no_identity(excerpt.memo)

    assert db.session.get(Recording, recording_id) is None
    assert not any(blob_exists(sha) for sha in blobs)
    application = db.session.scalar(db.select(WithdrawalApplication))
    assert (application.transcripts, application.codings, application.recordings_deleted,
            application.transcripts_changed, application.codings_changed) == (
        "pseudonymise", "keep", 1, 1, 1)
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"consent.withdrawal_applied", "recording.delete_withdrawal", "source.withdrawal",
            "transcript.save"} <= actions

    base = f"/projects/{project.id}"
    page = unescape(lead.get(f"{base}/participants/{recorded.participant.id}")
                    .get_data(as_text=True))
    assert "Withdrawal applied on" in page
    assert "1 recording(s) deleted; 1 transcript(s) pseudonymised; 1 coding(s) kept" in page
    page = unescape(lead.get(f"{base}/interviews/{recorded.interview.id}").get_data(as_text=True))
    assert "after the participant withdrew consent" in page

    exchange = refi.project_qdpx(project, Viewer(people["lead"], "lead", blind=False))
    assert (exchange.left_out, exchange.codings) == ([], 1)
    with zipfile.ZipFile(io.BytesIO(exchange.data)) as archive:
        assert_no_identity(*(archive.read(name).decode() for name in archive.namelist()))


def test_delete_transcripts_and_remove_codings(
    project: Project, people: dict[str, User], coded: tuple[Recorded, Source],
    client_for: Callable[..., FlaskClient],
) -> None:
    recorded, source = coded
    source_id, transcript_id = source.id, recorded.transcript.id
    assert apply(client_for(people["lead"]), recorded, "delete", "remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(Transcript, transcript_id) is None
    assert db.session.get(Source, source_id) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Coding)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Quote)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Recording)) == 0
    assert db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "transcript.delete_withdrawal")) is not None


def test_delete_transcripts_and_keep_codings_detaches_the_source(
    project: Project, people: dict[str, User], coded: tuple[Recorded, Source],
    client_for: Callable[..., FlaskClient],
) -> None:
    recorded, source = coded
    transcript_id = recorded.transcript.id
    assert apply(client_for(people["lead"]), recorded, "delete", "keep").status_code == 302
    db.session.expire_all()
    assert db.session.get(Transcript, transcript_id) is None
    assert source.transcript_id is None and source.title.endswith("(transcript deleted)")
    assert [place.name for place in source.places] == ["Brussels"]
    assert_no_identity(source.text)
    (coding,) = db.session.scalars(db.select(Coding).where(Coding.source_id == source.id))
    (excerpt,) = excerpts_of(project, [coding], may_see_identity=True)
    assert excerpt.citable and excerpt.citation == f"{source.title} [00:00:03]"


def test_pseudonymise_and_remove_codings(
    project: Project, people: dict[str, User], coded: tuple[Recorded, Source],
    client_for: Callable[..., FlaskClient],
) -> None:
    recorded, source = coded
    assert apply(client_for(people["lead"]), recorded, "pseudonymise", "remove").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Coding)) == 0
    assert source.transcript_id == recorded.transcript.id
    assert_no_identity(source.text)


@pytest.mark.parametrize(("transcripts", "codings"), [("pseudonymise", "keep"),
                                                      ("delete", "remove")])
def test_code_suggestions_forget_the_participant(
    project: Project, people: dict[str, User], coded: tuple[Recorded, Source],
    client_for: Callable[..., FlaskClient], transcripts: str, codings: str,
) -> None:
    recorded, source = coded
    text = "The city signed an agreement with Chengdu last year, said the mayor."
    other = Source(project_id=project.id, kind="document", title="Notes", text=text,
                   paragraphs=document_paragraphs(text))
    db.session.add(other)
    db.session.flush()
    lead = viewer_in(project, people["lead"], "lead")
    for suggested in (source, other):
        save_suggestions(project, make_suggestions(project, suggested, lead, "all"))
    db.session.commit()
    before = db.session.scalars(db.select(CodeSuggestion)).all()
    assert any("Claire" in s.quote for s in before)
    assert any(s.source_id == other.id and "Claire" in s.reason for s in before)

    assert apply(client_for(people["lead"]), recorded, transcripts, codings).status_code == 302
    db.session.expire_all()
    after = db.session.scalars(db.select(CodeSuggestion)).all()
    assert any(s.source_id == other.id for s in after)
    assert_no_identity(*(s.quote for s in after), *(s.reason for s in after))


def test_refusals_are_said_in_words(
    project: Project, people: dict[str, User], coded: tuple[Recorded, Source],
    record_interview: Callable[..., Recorded], client_for: Callable[..., FlaskClient],
) -> None:
    recorded, _source = coded
    lead = client_for(people["lead"])
    url = f"/projects/{project.id}/participants/{recorded.participant.id}/withdrawal"
    form = lead.get(url).get_data(as_text=True)
    assert "1 recording(s) are deleted" in form and "cannot be undone" in form
    missing = lead.post(url, data={"transcripts": "pseudonymise"})
    assert missing.status_code == 400
    text = missing.get_data(as_text=True)
    assert "Choose what happens to the codings." in text
    assert '<input checked id="transcripts-0" name="transcripts" required type="radio" ' \
           'value="pseudonymise">' in text
    assert apply(client_for(people["interviewer"]), recorded, "delete", "remove").status_code == 403

    not_withdrawn = record_interview()
    refused = apply(lead, not_withdrawn, "delete", "remove")
    assert refused.status_code == 400
    assert "has not withdrawn consent: record the withdrawal first" in unescape(
        refused.get_data(as_text=True))
    assert db.session.get(Recording, not_withdrawn.recording.id) is not None

    assert apply(lead, recorded, "delete", "remove").status_code == 302
    again = apply(lead, recorded, "delete", "remove")
    assert again.status_code == 400 and "already applied" in again.get_data(as_text=True)
