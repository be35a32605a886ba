"""The playback copy of a long recording is made with no transaction open: while a worker
converts a 20-minute recording, a coder's save on the same database answers in under a
second. (The job used to hold SQLite's write lock for the whole conversion, so every save
on the site waited for it and failed after the busy timeout.)"""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

import av
import pytest
from flask import Flask
from flask.testing import FlaskClient

from coding.codebook import CodeFields, create_code
from coding.models import Source
from coding.sources import document_paragraphs
from fieldwork.database import writing
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.storage import file_store, store_upload
from interviews.models import Interview
from interviews.recordings.media import make_playback_copy
from interviews.recordings.models import Recording
from interviews.recordings.tasks import make_playback

RATE = 16_000
MINUTES = 20
TEXT = "Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku."


@pytest.fixture(scope="module")
def twenty_minutes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 400 Hz tone, 20 minutes of 16 kHz mono (38 MB), written in a moment."""
    path = tmp_path_factory.mktemp("long") / "long.wav"
    period = bytes(bytearray().join(
        int(8000 * ((i % 40) / 20 - 1)).to_bytes(2, "little", signed=True) for i in range(40)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(period * (RATE // 40 * 60 * MINUTES))
    return path


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def run_as_a_worker(app: Flask, recording_id: int) -> None:
    """The job as a worker's thread runs it: an application context of its own, outside
    any request, its transactions taking SQLite's write lock when they begin."""
    with app.app_context(), writing():
        make_playback.call_local(recording_id)


def converting() -> bool:
    return any(path.stat().st_size for path in file_store().temp_dir().glob("*.m4a"))


@pytest.mark.committed
@pytest.mark.slow
def test_a_coding_is_saved_in_under_a_second_while_a_long_recording_is_converted(
    app: Flask, client_for: Callable[[User | None], FlaskClient], project: Project,
    people: dict[str, User], interview: Interview, twenty_minutes: Path, files_dir: Path,
) -> None:
    with twenty_minutes.open("rb") as data:
        stored = store_upload(data, "long.wav", people["interviewer"].id)
    recording = Recording(project_id=project.id, interview_id=interview.id,
                          stored_file=stored, duration_s=MINUTES * 60.0, codec="pcm_s16le")
    source = Source(project_id=project.id, kind="document", title="Notes", text=TEXT,
                    paragraphs=document_paragraphs(TEXT), created_by_id=people["lead"].id)
    db.session.add_all([recording, source])
    code = create_code(project, CodeFields(name="Cooperation"), None, people["lead"])
    db.session.commit()
    coder = client_for(people["coder"])
    url = f"/projects/{project.id}/coding/sources/{source.id}/codings"
    warm = coder.post(url, json={"codes": [code.id], "start": 0, "end": 10, "textVersion": 1})
    assert warm.status_code == 200, warm.text

    worker = threading.Thread(target=run_as_a_worker, args=(app, recording.id))
    worker.start()
    wait_until(converting, 60, "the conversion to start")
    started = time.monotonic()
    answer = coder.post(url, json={"codes": [code.id], "start": 11, "end": 20, "textVersion": 1})
    took = time.monotonic() - started
    still_converting = worker.is_alive()
    worker.join()

    assert answer.status_code == 200, answer.text
    assert took < 1.0, f"the save took {took:.1f} s"
    assert still_converting, "the conversion ended before the save: make the recording longer"
    db.session.rollback()
    made = db.session.get(Recording, recording.id)
    assert made.playback_file is not None and made.playback_file.content_type == "audio/mp4"
    assert len(made.peaks) > 1000


@pytest.mark.parametrize("samples", range(84_985, 84_997))
def test_a_playback_copy_is_made_whatever_the_length(tmp_path: Path, samples: int) -> None:
    """The encoder once gave two packets one time at the end of some lengths (84,993
    samples at 22,050 Hz among them) and the copy was refused."""
    source = tmp_path / "clip.wav"
    with wave.open(str(source), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22_050)
        out.writeframes(bytes(range(256)) * (samples * 2 // 256) + b"\0" * (samples * 2 % 256))
    target = tmp_path / "clip.m4a"
    assert make_playback_copy(source, target)
    with av.open(str(target)) as copy:
        assert copy.duration / 1e6 == pytest.approx(samples / 22_050, abs=0.03)
