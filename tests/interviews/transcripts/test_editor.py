"""The transcript editor: corrections, split, merge, relabel, find and replace, status,
versions compared and restored, and who may do what."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.transcripts.editing import (
    clear_for_new_transcription,
    transcripts_ready_for_coding,
)
from interviews.transcripts.models import Transcript


@pytest.fixture
def editor(client_for: Callable[[User | None], FlaskClient],
           people: dict[str, User]) -> FlaskClient:
    return client_for(people["interviewer"])


def save(client: FlaskClient, transcript: Transcript, **form: str) -> FlaskClient:
    url = f"/projects/{transcript.project_id}/transcripts/{transcript.id}/save"
    answer = client.post(url, data=form)
    assert answer.status_code == 302
    db.session.expire_all()
    return answer


def texts(transcript: Transcript) -> list[tuple[str, str]]:
    return [(s.speaker, s.text) for s in transcript.segments]


def test_the_editor_shows_segments_player_and_uncertain_words(
    editor: FlaskClient, transcript: Transcript,
) -> None:
    page = editor.get(f"/projects/{transcript.project_id}/transcripts/{transcript.id}")
    assert page.status_code == 200
    assert "How did the partnership with Chengdu begin?" in page.text
    assert '<mark title="30 % sure">Chengdu</mark>' in page.text
    assert "wavesurfer.min.js" in page.text and "Ctrl</kbd>+<kbd>Space" in page.text
    assert f"/recordings/{transcript.recording_id}/audio" in page.text
    assert "<script>" not in page.text


def test_correct_a_word_and_relabel_speakers(editor: FlaskClient, transcript: Transcript,
                                             people: dict[str, User]) -> None:
    first, second = transcript.segments
    save(editor, transcript, **{f"text-{first.id}": "How did the partnership with Chengdu start?",
                                f"speaker-{first.id}": "Speaker 1", "action": "save"})
    save(editor, transcript, old_label="Speaker 1", new_label="Interviewer", action="relabel")
    save(editor, transcript, old_label="Speaker 2", new_label=" EU-COM-01 ", action="relabel")
    assert texts(transcript) == [
        ("Interviewer", "How did the partnership with Chengdu start?"),
        ("EU-COM-01", second.text),
    ]
    assert [v.summary for v in transcript.versions][:3] == [
        "Relabelled Speaker 2 as EU-COM-01 (1 segment)",
        "Relabelled Speaker 1 as Interviewer (1 segment)",
        "Corrected 1 segment",
    ]
    assert transcript.versions[0].saved_by_id == people["interviewer"].id


def test_split_at_the_cursor_and_merge_back(editor: FlaskClient, transcript: Transcript) -> None:
    second = transcript.segments[1]
    cursor = second.text.index("Then")
    save(editor, transcript, action=f"split:{second.id}", split_at=str(cursor))
    assert [s.text for s in transcript.segments][1:] == [
        "It began with a visit of the mayor.", "Then we signed an agreement."]
    left, right = transcript.segments[1:]
    assert left.end == right.start == right.words[0]["start"]
    assert right.words[0]["text"] == "Then" and left.words[-1]["text"] == "mayor."
    assert [s.position for s in transcript.segments] == [0, 1, 2]

    save(editor, transcript, action=f"merge:{left.id}")
    assert len(transcript.segments) == 2
    merged = transcript.segments[1]
    assert merged.text == second.text and merged.end == 9.0 and len(merged.words) == 13


def test_find_and_replace_and_errors_in_words(editor: FlaskClient,
                                              transcript: Transcript) -> None:
    save(editor, transcript, find="chengdu", replace_with="Chongqing", action="replace")
    assert "Chongqing" in transcript.segments[0].text
    answer = editor.post(f"/projects/{transcript.project_id}/transcripts/{transcript.id}/save",
                         data={"find": "", "action": "replace"}, follow_redirects=True)
    assert "Type the text to find. Nothing was saved." in answer.text
    last = transcript.segments[-1]
    answer = editor.post(f"/projects/{transcript.project_id}/transcripts/{transcript.id}/save",
                         data={"action": f"merge:{last.id}"}, follow_redirects=True)
    assert "no next segment" in answer.text


def test_status_and_ready_for_coding(editor: FlaskClient, transcript: Transcript,
                                     project: Project) -> None:
    save(editor, transcript, action="status:corrected")
    assert transcript.status == "corrected"
    assert transcripts_ready_for_coding(project) == []
    save(editor, transcript, action="status:ready")
    assert transcripts_ready_for_coding(project) == [transcript]


def test_versions_are_compared_and_restored(editor: FlaskClient, transcript: Transcript) -> None:
    first = transcript.segments[0]
    original = first.text
    save(editor, transcript, **{f"text-{first.id}": "Completely different words.",
                                f"speaker-{first.id}": "Speaker 1"})
    base = f"/projects/{transcript.project_id}/transcripts/{transcript.id}/versions"
    page = editor.get(f"{base}?a=1&b=2")
    assert "Version 1 compared with version 2" in page.text and "Completely" in page.text
    assert 'class="diff"' in page.text
    version_one = next(v for v in transcript.versions if v.number == 1)
    assert editor.post(f"{base}/{version_one.id}/restore").status_code == 302
    db.session.expire_all()
    assert transcript.segments[0].text == original
    assert [v.number for v in transcript.versions] == [3, 2, 1]
    assert transcript.versions[0].summary == "Restored version 1"
    assert editor.get(f"{base}/{version_one.id}").status_code == 200


def test_coders_read_but_do_not_edit(client_for: Callable[[User | None], FlaskClient],
                                     people: dict[str, User], transcript: Transcript) -> None:
    coder = client_for(people["coder"])
    page = coder.get(f"/projects/{transcript.project_id}/transcripts/{transcript.id}")
    assert page.status_code == 200 and "<textarea" not in page.text
    assert "Claire Secretname" not in page.text
    answer = coder.post(f"/projects/{transcript.project_id}/transcripts/{transcript.id}/save",
                        data={"action": "status:ready"})
    assert answer.status_code == 403
    listing = coder.get(f"/projects/{transcript.project_id}/transcripts/")
    assert f"Interview {transcript.interview_id}" in listing.text


def test_transcribing_again_keeps_no_second_copy_of_the_latest_version(
    editor: FlaskClient, transcript: Transcript,
) -> None:
    """Three runs of the same file give one version of its text, not three copies."""
    first = transcript.segments[0]
    save(editor, transcript, **{f"text-{first.id}": "How did it start?", "action": "save"})
    kept = len(transcript.versions)

    clear_for_new_transcription(transcript)
    db.session.expire(transcript, ["versions"])

    assert len(transcript.versions) == kept and not transcript.segments


def test_transcribing_again_keeps_text_changed_since_the_latest_version(
    editor: FlaskClient, transcript: Transcript,
) -> None:
    first = transcript.segments[0]
    save(editor, transcript, **{f"text-{first.id}": "How did it begin?", "action": "save"})
    kept = len(transcript.versions)
    db.session.get(type(first), first.id).text = "How did it really begin?"

    clear_for_new_transcription(transcript)
    db.session.expire(transcript, ["versions"])

    assert len(transcript.versions) == kept + 1
    assert transcript.versions[0].summary == "Kept before transcribing again"
    assert transcript.versions[0].snapshot["segments"][0]["text"] == "How did it really begin?"
