"""Load target of coding together, live: 30 coders on 10 sources (three on each), each applying
a code every 5 s, on gunicorn + PostgreSQL + Redis. Measures how long applying a code takes
(as the coder's browser would see it) and how long until each of the other coders on the
source receives the change (from the moment the coding was sent).

Creates a PostgreSQL database of its own (fw_helper_live_bench_<pid>), seeds 30 coders, 10
sources of 2,000 words and 10 codes, starts gunicorn on 127.0.0.1 and runs the coders as
threads of this process: each holds its page's event stream (or polls, as the page does when
the server tells it to) and applies a code to random words every 5 s, starting at a random
moment. --mode stream: gthread workers, whose threads hold the streams (LIVE_STREAMS each);
--mode poll: sync workers, as docs/operations.md sets them up, where every page polls;
--mode off: the same gthread server and coders with no page following the changes, the
baseline that shows what following them costs applying a code.
Prints one JSON line; drops the database and deletes the run's Redis keys at the end.

usage (from the project folder):
    python -m bench.live [--mode stream|poll] [--seconds 60] [--coders 30] [--sources 10]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from flask import Flask, session
from flask_wtf.csrf import generate_csrf
from redis import Redis

from bench.common import bench_app
from bench.load import drop_database, start, wait_until_ready
from coding.models import Code, Source
from coding.sources import document_paragraphs
from fieldwork.accounts import sessions
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User

RUN_NAME = f"fw_helper_live_bench_{os.getpid()}"
DATABASE_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{RUN_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "live-bench"
PORT = 8766
WORDS = ["miasto", "partnerstwo", "współpraca", "Chiny", "biuro", "urząd", "umowa",
         "delegacja", "inwestycje", "studenci", "wymiana", "kultura", "gospodarka", "region"]


@dataclass
class Figures:
    """What the coders measured, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    apply_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: coding id -> (the moment it was sent, its source, who sent it)
    sent: dict[int, tuple[float, int, int]] = field(default_factory=dict)
    #: (coding id, reader) -> the moment the reader received it
    received: dict[tuple[int, int], float] = field(default_factory=dict)
    readers: dict[int, list[int]] = field(default_factory=dict)
    polled: set[int] = field(default_factory=set)


def seed(app: Flask, coders: int, sources: int) -> dict[str, Any]:
    chance = random.Random(19)
    with app.app_context():
        users = [User(email=f"coder{n}@example.org", name=f"Coder {n}", password_hash="-")
                 for n in range(coders)]
        project = Project(name="Live load")
        db.session.add_all([*users, project])
        db.session.flush()
        db.session.add_all(Membership(project=project, user=u, role="coder") for u in users)
        texts = ["\n\n".join(" ".join(chance.choice(WORDS) for _ in range(100))
                             for _ in range(20)) for _ in range(sources)]
        rows = [Source(project_id=project.id, kind="document", title=f"Source {n}", text=t,
                       paragraphs=document_paragraphs(t)) for n, t in enumerate(texts)]
        codes = [Code(project_id=project.id, name=f"Code {n}", colour="#ffd700")
                 for n in range(10)]
        db.session.add_all([*rows, *codes])
        db.session.commit()
        return {"project": project.id, "users": [u.id for u in users],
                "sources": [(s.id, len(s.text)) for s in rows], "codes": [c.id for c in codes]}


def signed_in(app: Flask, user_id: int) -> requests.Session:
    """A browser-like session of the user: the cookie and CSRF token the servers accept."""
    with app.app_context():
        token = sessions.start(db.session.get(User, user_id), remember=False,
                               user_agent="Live bench", address="127.0.0.1")
        db.session.commit()
    with app.test_request_context():
        session["_user_id"], session["_fresh"] = token, True
        csrf = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    browser = requests.Session()
    browser.cookies.set("session", cookie)
    browser.headers["X-CSRFToken"] = csrf
    return browser


class Coder:
    """One coder's page: a thread that receives the source's changes and one that codes."""

    def __init__(self, number: int, browser: requests.Session, base: str, source: tuple[int, int],
                 codes: list[int], figures: Figures, until: float) -> None:
        self.number, self.browser, self.figures, self.until = number, browser, figures, until
        self.source_id, self.length = source
        self.codes = codes
        self.base = f"{base}/coding/sources/{self.source_id}"
        self.chance = random.Random(number)
        #: when the page had loaded the codings and followed the changes (its first resync)
        self.ready_at = until

    def receive(self) -> None:
        cursor = ""
        while time.monotonic() < self.until:
            cursor = self.stream(cursor)
            if cursor.startswith("poll:"):
                self.figures.polled.add(self.number)
                self.poll(cursor[len("poll:"):])
                return

    def note(self, data: dict[str, Any]) -> None:
        if data.get("kind") == "coding" and data.get("op") == "add":
            with self.figures.lock:
                self.figures.received[(data["coding"]["id"], self.number)] = time.monotonic()

    def stream(self, cursor: str) -> str:
        """Read one stream to its end; the last event id, or "poll:<id>" when told to poll."""
        headers = {"Last-Event-ID": cursor} if cursor else {}
        fields: dict[str, str] = {}
        with contextlib.suppress(requests.RequestException), self.browser.get(
                f"{self.base}/live?tab=b{self.number}", headers=headers, stream=True,
                timeout=40) as response:
            for line in response.iter_lines(decode_unicode=True):
                if line:
                    name, _, value = line.partition(": ")
                    fields[name] = value
                    continue
                cursor = fields.get("id", cursor)
                if fields.get("event") == "resync":
                    self.ready_at = min(self.ready_at, time.monotonic())
                if fields.get("event") == "poll":
                    return "poll:" + cursor
                if "data" in fields and "event" not in fields:
                    self.note(json.loads(fields["data"]))
                fields = {}
        return cursor

    def poll(self, cursor: str) -> None:
        while time.monotonic() < self.until:
            answer = self.browser.get(f"{self.base}/live/poll",
                                      params={"tab": f"b{self.number}", "after": cursor},
                                      timeout=10).json()
            for item in answer["events"]:
                self.note(item["data"])
            if answer["resync"]:
                self.ready_at = min(self.ready_at, time.monotonic())
            cursor = answer["cursor"]
            time.sleep(1.0)

    def code(self) -> None:
        time.sleep(self.chance.uniform(0, 5))
        while time.monotonic() < self.until:
            start = self.chance.randrange(0, self.length - 60)
            sent = time.monotonic()
            try:
                response = self.browser.post(f"{self.base}/codings", json={
                    "codes": [self.chance.choice(self.codes)], "start": start,
                    "end": start + self.chance.randrange(10, 60), "textVersion": 1}, timeout=10)
                took = (time.monotonic() - sent) * 1000
                if response.status_code != 200:
                    raise requests.RequestException(f"{response.status_code} {response.text}")
                with self.figures.lock:
                    self.figures.apply_ms.append(took)
                    for made in response.json()["codings"]:
                        self.figures.sent[made["id"]] = (sent, self.source_id, self.number)
            except requests.RequestException as error:
                with self.figures.lock:
                    self.figures.errors.append(str(error)[:200])
            time.sleep(max(0.0, 5 - (time.monotonic() - sent)))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def summary(figures: Figures, coders: list[Coder]) -> dict[str, Any]:
    """Delivery is counted to every other coder of the same source, for the codings sent
    after that coder's page had loaded (a page loads what came before) and early enough
    that they could arrive before the run ended (2 s)."""
    on_source: dict[int, list[int]] = {}
    for coder in coders:
        on_source.setdefault(coder.source_id, []).append(coder.number)
    end = max(coder.until for coder in coders) - 2
    delays, missed = [], 0
    for coding_id, (sent, source_id, sender) in figures.sent.items():
        if sent > end:
            continue
        for reader in [n for n in on_source[source_id]
                       if n != sender and coders[n].ready_at <= sent]:
            arrived = figures.received.get((coding_id, reader))
            if arrived is None:
                missed += 1
            elif arrived >= sent:
                delays.append((arrived - sent) * 1000)
    return {"applied": len(figures.apply_ms), "errors": len(figures.errors),
            "apply_ms": {"p50": percentile(figures.apply_ms, 0.5),
                         "p95": percentile(figures.apply_ms, 0.95),
                         "max": percentile(figures.apply_ms, 1.0)},
            "seen_by_others_ms": {"p50": percentile(delays, 0.5),
                                  "p95": percentile(delays, 0.95),
                                  "max": percentile(delays, 1.0)},
            "deliveries": len(delays), "missed": missed,
            "pages_polling": len(figures.polled),
            "mean_apply_ms": round(statistics.mean(figures.apply_ms), 1)
            if figures.apply_ms else 0.0}


def server_command(args: argparse.Namespace) -> list[str]:
    command = ["gunicorn", "--bind", f"127.0.0.1:{args.port}", "--preload", "wsgi:app",
               "--workers", str(args.workers), "--access-logfile", str(args.access_log),
               "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
    if args.mode != "poll":
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    return [sys.executable, "-m", *command]


def server_apply_ms(access_log: Path) -> dict[str, float]:
    """How long the server took to apply a code, from its access log (microseconds there):
    without the time the request waited for a free worker or the client for the CPU."""
    took = [int(line.split()[3]) / 1000 for line in access_log.read_text().splitlines()
            if line.startswith("POST ") and line.split()[1].endswith("/codings")]
    return {"p50": percentile(took, 0.5), "p95": percentile(took, 0.95),
            "max": percentile(took, 1.0)}


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    args.access_log = folder / "access.log"
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    app, _url = bench_app(str(folder), SECRET_KEY=SECRET)
    plan = seed(app, args.coders, args.sources)
    env = {**os.environ, "FIELDWORK_INSTANCE_PATH": str(folder),
           "FIELDWORK_DATABASE_URL": args.database_url, "FIELDWORK_REDIS_URL": REDIS_URL,
           "FIELDWORK_QUEUE_NAME": RUN_NAME, "FIELDWORK_SECRET_KEY": SECRET,
           "FIELDWORK_RATELIMIT_STORAGE_URL": "memory://",
           "FIELDWORK_LIVE_STREAMS": str(args.live_streams)}
    base = f"http://127.0.0.1:{args.port}"
    figures = Figures()
    with ExitStack() as stack:
        stack.callback(drop_database, args.database_url)
        stack.callback(delete_run_keys)
        start(stack, server_command(args), env, folder / "gunicorn.log")
        wait_until_ready(base)
        until = time.monotonic() + args.seconds
        coders = [Coder(n, signed_in(app, user), f"{base}/projects/{plan['project']}",
                        plan["sources"][n % len(plan["sources"])], plan["codes"], figures,
                        until) for n, user in enumerate(plan["users"])]
        with app.app_context():
            db.engine.dispose()
        threads = [threading.Thread(target=coder.code, daemon=True) for coder in coders]
        if args.mode != "off":
            threads += [threading.Thread(target=coder.receive, daemon=True) for coder in coders]
        loads = []
        for thread in threads:
            thread.start()
        while time.monotonic() < until:
            loads.append(os.getloadavg()[0])
            time.sleep(5)
        for thread in threads:
            thread.join(timeout=45)
    for error in figures.errors[:5]:
        print(error)
    return {**summary(figures, coders), "server_apply_ms": server_apply_ms(args.access_log),
            "load_average_1min": [round(min(loads), 2), round(max(loads), 2)]}


def delete_run_keys() -> None:
    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter(match=f"{RUN_NAME}*"):
        redis.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("stream", "poll", "off"), default="stream")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--coders", type=int, default=30)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: 3 gthread, or 2 x cores + 1 sync)")
    parser.add_argument("--threads", type=int, default=16, help="threads of a gthread worker")
    parser.add_argument("--live-streams", type=int, default=12, help="streams per worker")
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--database-url", default=DATABASE_URL)
    args = parser.parse_args()
    if args.workers is None:
        args.workers = 2 * (os.cpu_count() or 1) + 1 if args.mode == "poll" else 3
    with tempfile.TemporaryDirectory() as folder:
        results = run(args, Path(folder))
    print(json.dumps({
        "bench": "live", "mode": args.mode, "coders": args.coders, "sources": args.sources,
        "seconds": args.seconds, "gunicorn_workers": args.workers,
        "threads": 1 if args.mode == "poll" else args.threads,
        "live_streams_per_worker": args.live_streams, **results, "cores": os.cpu_count(),
        "python": platform.python_version(), "machine": platform.machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
