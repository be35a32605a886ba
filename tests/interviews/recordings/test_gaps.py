"""A recording with speech that Whisper cannot make out, through the real upload and job:
the job is "done, with gaps" on the interview page and the queue, the editor lists the gap
and jumps to it, and a person's text for it settles the gap."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview
from interviews.recordings.models import Recording
from interviews.settings import settings_for
from interviews.transcripts.models import GAP, Transcript
from tests.audio import faint_then_clear
from tests.interviews.asr.conftest import LONG_TEXT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def faint_start(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return faint_then_clear(" ".join(LONG_TEXT[:5]), " ".join(LONG_TEXT[5:]),
                            tmp_path_factory.mktemp("gaps") / "faint-start.wav")


def test_speech_without_text_is_said_everywhere_and_settled_by_a_person(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, project: Project,
    people: dict[str, User], client_for: Callable[[User | None], FlaskClient],
    faint_start: Path, files_dir: Path,
) -> None:
    # English-only tiny.en, as an English-speaking team may choose: base sometimes finds
    # words in the faint half, depending on the threads it runs with
    settings_for(project).transcription_model = "tiny.en"
    status, answer = upload_as(interview, faint_start.read_bytes(), filename="faint.wav")
    assert status == 201, answer
    job = db.session.get(Recording, answer["recording_id"]).latest_job
    assert job.state == "done" and job.phase == "Done, with gaps"
    assert job.gap_count >= 1 and 0.4 < job.coverage < 0.7

    client = client_for(people["interviewer"])
    panel = client.get(f"/projects/{project.id}/interviews/{interview.id}/recordings").text
    assert "Done, with gaps" in panel and "of speech without text" in panel
    assert "Done, with gaps" in client.get(f"/projects/{project.id}/transcription/").text

    transcript = db.session.scalar(db.select(Transcript).where(
        Transcript.recording_id == job.recording_id))
    gap = next(segment for segment in transcript.segments if segment.is_gap)
    assert gap.text.startswith("[no text 00:00:0") and gap.start < 3 < 20 < gap.end
    assert transcript.segments[0] == gap and "public transport" in transcript.segments[-1].text
    editor = client.get(f"/projects/{project.id}/transcripts/{transcript.id}").text
    assert f'<a href="#seg-{gap.id}">{gap.text}</a>' in editor
    assert "no text found: listen" in editor

    form = {f"text-{s.id}": s.text for s in transcript.segments}
    form |= {f"speaker-{s.id}": s.speaker for s in transcript.segments}
    form[f"text-{gap.id}"] = "Our city has had a partner city in the United States."
    # tiny.en also drops "now export machines and food to China": a short gap of its own
    for later in transcript.segments[1:]:
        if later.is_gap:
            form[f"text-{later.id}"] = "now export machines and food to China"
    saved = client.post(f"/projects/{project.id}/transcripts/{transcript.id}/save",
                        data={**form, "action": "save"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert GAP not in db.session.get(type(gap), gap.id).flags
    assert 'aria-label="Speech without text"' not in client.get(
        f"/projects/{project.id}/transcripts/{transcript.id}").text
