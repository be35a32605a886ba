"""Faults, with real processes: a worker killed (SIGKILL) in the middle of a transcription,
and the server killed in the middle of an upload. Neither loses data nor leaves anything
stuck: the job is put back in the queue once, then failed with its reason, and the upload
resumes in a new server from the bytes the first one stored, with the right checksum.
"""

from __future__ import annotations

import hashlib
import http.client
import http.cookiejar
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project, User
from fieldwork.storage import file_store, store_upload
from interviews.models import Interview
from interviews.recordings import transcription
from interviews.recordings.media import probe
from interviews.recordings.models import Recording, TranscriptionJob
from interviews.recordings.tasks import check_transcriptions, transcribe_recording
from interviews.transcripts.models import TranscriptSegment
from tests.audio import speak
from tests.conftest import TEST_PASSWORD
from tests.interviews.recordings.conftest import SPOKEN

RUN_JOB = """
import json, sys
from pathlib import Path
from fieldwork.app import create_app
from fieldwork.database import writing
from interviews.recordings.running import run_job

settings = json.loads(sys.argv[1])
with create_app(settings).app_context(), writing():
    run_job(int(sys.argv[2]), Path(settings["ASR_MODELS_DIR"]))
"""
SERVE = """
import json, sys
from werkzeug.serving import make_server
from fieldwork.app import create_app

server = make_server("127.0.0.1", 0, create_app(json.loads(sys.argv[1])), threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""
SETTINGS = ("DATABASE_URL", "SECRET_KEY", "FILES_DIR", "ASR_MODELS_DIR", "TESTING",
            "WTF_CSRF_ENABLED", "RATELIMIT_ENABLED", "JOBS_IMMEDIATE", "QUEUE_NAME")


def child_settings(app: Flask, **overrides: object) -> str:
    return json.dumps({**{key: app.config[key] for key in SETTINGS}, **overrides})


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


#: Sentences that differ: one sentence said twelve times compresses so well that Whisper
#: takes it for a loop and decodes again at a temperature, which samples at random.
LONG_SPEECH = (
    SPOKEN,
    "Our mayor travelled to Chengdu to meet the provincial government.",
    "We opened a small office in Washington two years ago.",
    "The cooperation covers health care, tourism and urban transport.",
    "Every spring a delegation of students visits the twin city.",
    "The budget line for international relations is very modest.",
    "National ministries rarely ask what the cities are doing abroad.",
    "Business people expected more investment than they received.",
    "The memorandum was renewed last year for another five years.",
    "Most of the work is done by one person in the mayor's office.",
    "The European Commission funds some of our joint projects.",
    "We learned a great deal about spatial planning from our partners.",
)


@pytest.fixture(scope="module")
def long_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sentences twice, about a minute and a half: Whisper saves its first segments
    seconds before the last, so the worker can be killed between them."""
    return speak(" ".join(LONG_SPEECH * 2), tmp_path_factory.mktemp("long") / "long.wav")


def fresh_job(job_id: int) -> TranscriptionJob:
    """The job as another process left it (a new transaction sees its commits)."""
    db.session.rollback()
    return db.session.get(TranscriptionJob, job_id)


def kill_mid_job(app: Flask, job_id: int, after_a_segment: bool) -> TranscriptionJob:
    """Run the job in a worker process and SIGKILL it as soon as it runs, or once it saved a
    first segment (the engine saves segments as it goes)."""
    worker = subprocess.Popen([sys.executable, "-c", RUN_JOB, child_settings(app), str(job_id)])
    try:
        wait_until(lambda: fresh_job(job_id).state == "running", 120, "the job to start")
        if after_a_segment:
            wait_until(lambda: fresh_job(job_id).progress > 0, 120, "a first segment")
    finally:
        kill(worker)
    killed = fresh_job(job_id)
    assert killed.state == "running", "the worker finished before it could be killed"
    return killed


def pretend_minutes_passed(job: TranscriptionJob) -> None:
    """The heartbeat as old as it is after the check's wait (STALE_AFTER)."""
    job.heartbeat_at = utcnow() - transcription.STALE_AFTER - timedelta(seconds=30)
    db.session.commit()


@pytest.mark.committed
@pytest.mark.slow
def test_a_worker_killed_mid_transcription_is_requeued_then_failed_never_stuck(
    app: Flask, project: Project, people: dict[str, User], interview: Interview,
    long_speech: Path, files_dir: Path,
) -> None:
    stored = store_upload(io.BytesIO(long_speech.read_bytes()), "long.wav",
                          people["interviewer"].id)
    recording = Recording(project_id=project.id, interview_id=interview.id, stored_file=stored,
                          duration_s=probe(file_store().blob_path(stored.sha256)).duration_s,
                          codec="pcm_s16le")
    db.session.add(recording)
    db.session.flush()
    options = {**transcription.default_options(interview), "speakers": "1"}
    job = transcription.queue_job(recording, options, people["lead"])
    db.session.commit()

    killed = kill_mid_job(app, job.id, after_a_segment=True)
    assert 0 < killed.progress < 1 and killed.heartbeat_at is not None
    assert transcription.recover_stale_jobs() == [], "a fresh heartbeat is left alone"
    pretend_minutes_passed(killed)
    assert transcription.recover_stale_jobs() == [job.id]
    db.session.commit()
    assert fresh_job(job.id).state == "queued" and fresh_job(job.id).requeued == 1

    killed = kill_mid_job(app, job.id, after_a_segment=False)
    pretend_minutes_passed(killed)
    check_transcriptions()
    failed = fresh_job(job.id)
    assert failed.state == "failed" and failed.error == transcription.WORKER_DIED
    assert failed.finished_at is not None
    actions = set(db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.object_type == "TranscriptionJob", AuditEntry.object_id == job.id)))
    assert {"transcription.requeue", "transcription.failed"} <= actions

    again = transcription.retry_job(failed, people["lead"])
    db.session.commit()
    transcribe_recording(again.id)
    assert fresh_job(again.id).state == "done"
    words = " ".join(db.session.scalars(db.select(TranscriptSegment.text))).lower()
    assert "partnership agreement with brussels" in words
    assert "spatial planning from our partners" in words


class Server:
    """The app served by a process of its own, which a test may kill."""

    def __init__(self, app: Flask) -> None:
        # Jobs go to the queue (no worker runs here): finishing the upload answers at once.
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, child_settings(app, JOBS_IMMEDIATE=False)],
            stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())

    def stop(self) -> None:
        if self.process.poll() is None:
            kill(self.process)
        self.process.stdout.close()


@pytest.fixture
def start_server(app: Flask) -> Iterator[Callable[[], Server]]:
    servers: list[Server] = []

    def start() -> Server:
        servers.append(Server(app))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


class Browser:
    """Cookies kept across servers, as a browser keeps them across a restart."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.port = 0

    def send(self, path: str, data: bytes | None = None, kind: str = "") -> dict:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         headers={"Content-Type": kind} if kind else {})
        with self.opener.open(request, timeout=120) as response:
            body = response.read()
        return json.loads(body) if response.headers.get_content_type() == "application/json" \
            else {"page": body.decode()}

    def log_in(self, user: User) -> None:
        form = f"email={user.email}&password={TEST_PASSWORD.replace(' ', '+')}".encode()
        self.send("/login", form, "application/x-www-form-urlencoded")

    def start_chunk_and_drop(self, path: str, data: bytes,
                             sent: int) -> http.client.HTTPConnection:
        """Begin posting `data`, send only `sent` bytes of it, and leave it hanging."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest("POST", path)
        connection.putheader("Cookie", "; ".join(f"{c.name}={c.value}" for c in self.cookies))
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(len(data)))
        connection.endheaders()
        connection.send(data[:sent])
        time.sleep(0.5)
        return connection


@pytest.mark.committed
def test_an_upload_resumes_in_a_new_server_after_the_first_was_killed(
    app: Flask, project: Project, people: dict[str, User], interview: Interview, speech: Path,
    files_dir: Path, start_server: Callable[[], Server],
) -> None:
    db.session.commit()
    project_id, interview_id = project.id, interview.id
    data = speech.read_bytes()
    chunk = 16 * 1024
    browser = Browser()
    first = start_server()
    browser.port = first.port
    browser.log_in(people["interviewer"])
    state = browser.send(f"/projects/{project_id}/interviews/{interview_id}/uploads",
                         json.dumps({"filename": "call.wav", "size": len(data),
                                     "type": "audio/wav"}).encode(), "application/json")
    for offset in (0, chunk):
        browser.send(f"{state['url']}?offset={offset}", data[offset:offset + chunk],
                     "application/octet-stream")
    hanging = browser.start_chunk_and_drop(f"{state['url']}?offset={2 * chunk}",
                                           data[2 * chunk:3 * chunk], 5000)
    first.stop()
    hanging.close()

    browser.port = start_server().port
    stored = browser.send(state["url"])["offset"]
    assert 2 * chunk <= stored <= 2 * chunk + 5000
    for offset in range(stored, len(data), chunk):
        browser.send(f"{state['url']}?offset={offset}", data[offset:offset + chunk],
                     "application/octet-stream")
    finished = browser.send(state["finish_url"], b"")
    assert finished["sha256"] == hashlib.sha256(data).hexdigest()
    db.session.rollback()
    recording = db.session.get(Recording, finished["recording_id"])
    assert recording.stored_file.size == len(data)
    assert file_store().checksum_of(finished["sha256"]) == finished["sha256"]
    assert os.path.getsize(file_store().blob_path(finished["sha256"])) == len(data)
