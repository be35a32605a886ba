"""Coding together across web processes: two real `fieldwork serve` processes sharing a
database and Redis, as several web processes would. A coding applied through one reaches a
page streaming from the other within 2 s, a page that reconnects to the other process gets
what it missed, and the pages present through either are seen by both."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from flask import Flask, session
from flask_wtf.csrf import generate_csrf

from coding.models import Code, Source
from coding.sources import document_paragraphs
from fieldwork import jobs, live
from fieldwork.accounts import sessions
from fieldwork.app import create_app
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from fieldwork.processes import stop_process
from tests.conftest import RUN_TOKEN

pytestmark = [pytest.mark.committed, pytest.mark.slow]

TEXT = "Urząd miasta ma jedną osobę do spraw partnerstw zagranicznych."
ROOT = Path(__file__).resolve().parents[2]


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        pytest.skip("set TEST_REDIS_URL to test live updates across processes (CI does)")
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "fieldwork serve stopped"
        try:
            requests.get(f"{url}/login", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


@dataclass
class Team:
    app: Flask
    urls: list[str]
    project: int
    source: int
    code: int
    lead: int
    coder: int


def settings(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}", "SECRET_KEY": "test-secret",
            "REDIS_URL": redis_url(), "QUEUE_NAME": f"fieldwork-live-{RUN_TOKEN}",
            "FILES_DIR": str(tmp_path / "files"), "LIVE_STREAM_SECONDS": "8"}


def start_serving(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "FIELDWORK_INSTANCE_PATH": str(tmp_path),
                   **{f"FIELDWORK_{key}": value for key, value in settings(tmp_path).items()}}
    return subprocess.Popen([sys.executable, "-m", "fieldwork", "serve", "--port", str(port),
                             "--threads", "4"], cwd=ROOT, env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def seed(app: Flask) -> dict[str, object]:
    with app.app_context():
        lead = User(email="ewa@example.org", name="Ewa", password_hash="-")
        coder = User(email="jan@example.org", name="Jan", password_hash="-")
        project = Project(name="EU–China cities")
        db.session.add_all([lead, coder, project])
        db.session.flush()
        db.session.add_all([Membership(project=project, user=lead, role="lead"),
                            Membership(project=project, user=coder, role="coder")])
        source = Source(project_id=project.id, kind="document", title="Notes", text=TEXT,
                        paragraphs=document_paragraphs(TEXT))
        code = Code(project_id=project.id, name="Staff", colour="#ffd700")
        db.session.add_all([source, code])
        db.session.commit()
        return {"project": project.id, "source": source.id, "code": code.id, "lead": lead.id,
                "coder": coder.id}


@pytest.fixture
def team(tmp_path: Path, app: Flask) -> Iterator[Team]:
    """Two `fieldwork serve` processes on one SQLite database and one Redis. The app made to
    seed them points the job queue at their Redis; it points back at the tests' app after, or
    the tests that follow would queue tasks that nothing runs."""
    ports = [free_port(), free_port()]
    first = start_serving(tmp_path, ports[0])  # it migrates the new database
    processes = [first]
    try:
        wait_until_serving(f"http://127.0.0.1:{ports[0]}", first)
        processes.append(start_serving(tmp_path, ports[1]))
        wait_until_serving(f"http://127.0.0.1:{ports[1]}", processes[1])
        served = create_app(settings(tmp_path))
        yield Team(served, [f"http://127.0.0.1:{port}" for port in ports], **seed(served))
        with served.app_context():
            db.engine.dispose()
    finally:
        jobs.configure_queue(app)
        for process in processes:
            stop_process(process, timeout=20)
        forget_live_keys(settings(tmp_path))


def forget_live_keys(config: dict[str, str]) -> None:
    store = redis.Redis.from_url(config["REDIS_URL"])
    for key in store.scan_iter(f"{config['QUEUE_NAME']}:live:*"):
        store.delete(key)


def signed_in(team: Team, user_id: int) -> requests.Session:
    """A browser-like session signed in as `user`, with its CSRF token: the cookie any of the
    processes accepts, since they share the secret key and the database."""
    with team.app.app_context():
        token = sessions.start(db.session.get(User, user_id), remember=False, user_agent="Test",
                               address="127.0.0.1")
        db.session.commit()
    with team.app.test_request_context():
        session["_user_id"], session["_fresh"] = token, True
        csrf = generate_csrf()
        cookie = team.app.session_interface.get_signing_serializer(team.app).dumps(dict(session))
    browser = requests.Session()
    browser.cookies.set("session", cookie)
    browser.headers["X-CSRFToken"] = csrf
    return browser


class Stream:
    """A page's event stream, read in a thread until the server ends it: each event with the
    time it arrived."""

    def __init__(self, browser: requests.Session, url: str, last_id: str = "") -> None:
        headers = {"Last-Event-ID": last_id} if last_id else {}
        self.response = browser.get(url, headers=headers, stream=True, timeout=30)
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.events: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self) -> None:
        fields: dict = {}
        for line in self.response.iter_lines(decode_unicode=True):
            if not line:
                if fields:
                    self.events.put((time.monotonic(), fields))
                fields = {}
                continue
            name, _, value = line.partition(": ")
            if name in ("id", "event", "data"):
                fields[name] = json.loads(value) if name == "data" else value

    def next(self, wanted: str) -> tuple[float, dict]:
        """The next event of kind `wanted` ("change" for a change to the codings)."""
        while True:
            arrived, fields = self.events.get(timeout=10)
            if fields.get("event", "change") == wanted:
                return arrived, fields

    def close(self) -> None:
        """Wait for the stream's end (8 s after it opened: LIVE_STREAM_SECONDS)."""
        self.reader.join(timeout=30)
        self.response.close()


def test_a_coding_applied_through_one_process_reaches_a_page_on_the_other(team: Team) -> None:
    lead, coder = signed_in(team, team.lead), signed_in(team, team.coder)
    base = [f"{url}/projects/{team.project}/coding/sources/{team.source}" for url in team.urls]
    stream = Stream(lead, f"{base[1]}/live?tab=lead")
    try:
        _, opened = stream.next("resync")
        assert coder.get(f"{base[0]}/live/poll?tab=jan").status_code == 200
        _, present = stream.next("presence")
        while sorted(p["name"] for p in present["data"].values()) != ["Ewa", "Jan"]:
            _, present = stream.next("presence")
        start = TEXT.index("jedną osobę")
        sent = time.monotonic()
        answer = coder.post(f"{base[0]}/codings", json={
            "codes": [team.code], "start": start, "end": start + len("jedną osobę"),
            "textVersion": 1})
        assert answer.status_code == 200, answer.text
        arrived, change = stream.next("change")
    finally:
        stream.close()

    assert change["data"]["coding"]["start"] == start
    assert change["data"]["coder"] == team.coder
    assert arrived - sent < 2.0
    again = Stream(lead, f"{base[0]}/live?tab=lead", last_id=opened["id"])
    try:
        _, missed = again.next("change")
    finally:
        again.close()
    assert missed["id"] == change["id"]


def test_two_brokers_on_one_redis_share_events_presence_and_what_was_trimmed() -> None:
    config = {"REDIS_URL": redis_url(), "QUEUE_NAME": f"fieldwork-live-{RUN_TOKEN}"}
    one, other = (live.RedisBroker(config["REDIS_URL"], config["QUEUE_NAME"]) for _ in "ab")
    try:
        start = one.cursor("source:1")
        first = one.publish("source:1", {"kind": "coding", "n": 1})
        assert [e.data["n"] for e in other.wait("source:1", start, 1.0)] == [1]
        assert other.touch("source:1", "5:tab", {"name": "Ewa"}) is True
        assert one.present("source:1") == {"5:tab": {"name": "Ewa"}}
        assert one.leave("source:1", "5:tab") is True
        assert other.present("source:1") == {}
        for n in range(live.HISTORY * 3):
            one.publish("source:1", {"kind": "coding", "n": n})
        assert other.events_after("source:1", first) is None  # trimmed: the page reloads
        assert other.events_after("source:1", "not an id") is None
    finally:
        forget_live_keys(config)
