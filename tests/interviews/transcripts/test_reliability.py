"""How far a transcript can be trusted: the stored estimates of good and bad transcripts, and
what checking a segment (by a key, or by correcting it) does to them and to the audit log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import AuditEntry, User
from interviews.asr.base import Segment, Word
from interviews.asr.reliability import REVIEW_THRESHOLD
from interviews.models import InterviewSettings
from interviews.settings import settings_for
from interviews.transcripts.editing import save_version
from interviews.transcripts.models import Transcript
from interviews.transcripts.reliability import (
    Stretches,
    standing,
    store_estimates,
    threshold_for,
)


def engine_segments(transcript: Transcript, probability: float) -> list[Segment]:
    """What an engine would have given for the transcript's segments, every word with the
    same probability."""
    return [Segment(s.start, s.end, s.text, words=[
        Word(w["start"], w["end"], w["text"], probability) for w in s.words
    ], avg_logprob=-0.2) for s in transcript.segments]


def estimated(transcript: Transcript, probability: float, language: str = "en",
              model: str = "tiny.en") -> Transcript:
    store_estimates(transcript, engine_segments(transcript, probability), language,
                    1.0, model, language_chosen=True)
    save_version(transcript, None, "Transcribed")
    return transcript


@pytest.fixture
def checker(client_for: Callable[[User | None], FlaskClient],
            people: dict[str, User]) -> FlaskClient:
    return client_for(people["coder"])


def check(client: FlaskClient, transcript: Transcript, *segment_ids: int) -> dict:
    answer = client.post(f"/projects/{transcript.project_id}/transcripts/{transcript.id}/check",
                         data={"segment": [str(i) for i in segment_ids]},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    db.session.expire_all()
    return answer.get_json()


def test_a_good_transcript_is_below_the_threshold_and_a_bad_one_needs_review(
    transcript: Transcript,
) -> None:
    good = standing(estimated(transcript, 0.95))
    assert all(s.estimated_word_error < 0.12 for s in transcript.segments)
    assert not good.needs_review and good.checked_share == 0
    assert good.summary().startswith("not checked by a person yet; about ")
    assert transcript.reliability_basis[1] == "language English, chosen by a person"

    bad = standing(estimated(transcript, 0.35, language="et", model="base"))
    assert all(s.estimated_word_error > 0.5 for s in transcript.segments)
    assert bad.needs_review and bad.label == "needs review"
    assert "Estonian with base: expect many errors" in " ".join(transcript.reliability_basis)


def test_checking_segments_settles_them_and_the_audit_log_says_who(
    transcript: Transcript, checker: FlaskClient, people: dict[str, User],
) -> None:
    estimated(transcript, 0.35, language="et", model="base")
    first, second = transcript.segments
    answer = check(checker, transcript, first.id)
    share = round(len(first.text.split()) / (len(first.text.split()) + len(second.text.split())),
                  3)
    assert answer["checked_share"] == share and answer["needs_review"] is True
    assert answer["summary"] == (f"{share * 100:.0f} % checked by a person; the rest about "
                                 f"{second.estimated_word_error * 100:.0f} % words wrong")
    assert first.checked and first.checked_by_id == people["coder"].id and not second.checked
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "transcript.check"))
    assert entry.user_id == people["coder"].id and entry.details["segments"] == [first.id]
    assert "1 segment marked checked (00:00:00–00:00:03)" in entry.summary

    answer = check(checker, transcript, second.id)
    assert answer["needs_review"] is False and answer["checked_share"] == 1
    assert answer["summary"] == "every segment checked by a person"
    assert transcript.estimated_word_error is None


def test_a_correction_counts_as_checked_and_a_viewer_cannot_check(
    transcript: Transcript, client_for: Callable[[User | None], FlaskClient],
    people: dict[str, User],
) -> None:
    estimated(transcript, 0.35, language="et", model="base")
    first, second = transcript.segments
    viewer = client_for(people["viewer"])
    refused = viewer.post(f"/projects/{transcript.project_id}/transcripts/{transcript.id}/check",
                          data={"segment": str(first.id)})
    assert refused.status_code == 403
    editor = client_for(people["interviewer"])
    editor.post(f"/projects/{transcript.project_id}/transcripts/{transcript.id}/save", data={
        f"text-{second.id}": "It began with a visit of the mayor; then we signed an agreement.",
        f"speaker-{second.id}": second.speaker, "action": "save"})
    db.session.expire_all()
    assert second.checked and second.checked_by_id == people["interviewer"].id
    assert not first.checked
    assert transcript.checked_share == pytest.approx(13 / 20, abs=0.001)
    assert transcript.estimated_word_error == first.estimated_word_error
    actions = db.session.scalars(db.select(AuditEntry.summary).where(
        AuditEntry.action == "transcript.check")).all()
    assert actions == [f"Transcript {transcript.id}: 1 segment corrected (00:00:03–00:00:09)"]


def test_split_merge_and_restore_keep_estimates_and_checks(
    transcript: Transcript, client_for: Callable[[User | None], FlaskClient],
    people: dict[str, User],
) -> None:
    estimated(transcript, 0.35, language="et", model="base")
    first, second = transcript.segments
    weighted = (7 * first.estimated_word_error + 13 * second.estimated_word_error) / 20
    lead = client_for(people["lead"])
    url = f"/projects/{transcript.project_id}/transcripts/{transcript.id}"
    check(lead, transcript, second.id)
    checked_version = transcript.versions[0].number + 1
    lead.post(f"{url}/save", data={"action": "status:corrected"})  # a version with the check
    lead.post(f"{url}/save", data={"action": f"merge:{first.id}"})
    db.session.expire_all()
    (merged,) = transcript.segments
    assert merged.estimated_word_error == pytest.approx(weighted, abs=0.001)
    assert not merged.checked  # half of it was never checked
    lead.post(f"{url}/save", data={"action": f"split:{merged.id}", "split_at": "44"})
    db.session.expire_all()
    assert [s.estimated_word_error for s in transcript.segments] == [
        merged.estimated_word_error] * 2
    kept = next(v for v in transcript.versions if v.number == checked_version)
    lead.post(f"{url}/versions/{kept.id}/restore")
    db.session.expire_all()
    assert [s.checked for s in transcript.segments] == [False, True]
    assert transcript.segments[1].checked_by_id == people["lead"].id


def test_an_excerpts_stretch_finds_only_the_segments_it_overlaps() -> None:
    stretches = Stretches([(10.0, 20.0, 0.4), (0.0, 5.0, 0.6), (20.0, 30.0, 0.9)])
    assert stretches.worst(5.0, 10.0) is None  # between them: a segment's end is no overlap
    assert stretches.worst(2.0, 12.0) == 0.6
    assert stretches.worst(12.0, 20.0) == 0.4
    assert stretches.worst(19.0, 21.0) == 0.9
    assert stretches.worst(20.0, 20.0) == 0.9  # a point on a boundary: both, the worst
    assert stretches.worst(40.0, 41.0) is None and not Stretches()


def test_the_review_threshold_is_read_without_saving_anything(project) -> None:
    """An export's task reads the threshold while coders save: making the project's default
    settings then took SQLite's write lock."""
    assert db.session.scalar(db.select(InterviewSettings).where(
        InterviewSettings.project_id == project.id)) is None
    assert threshold_for(project.id) == REVIEW_THRESHOLD
    assert not db.session.new and db.session.scalar(db.select(InterviewSettings).where(
        InterviewSettings.project_id == project.id)) is None
    settings_for(project).review_threshold = 0.4
    assert threshold_for(project.id) == pytest.approx(0.4)
