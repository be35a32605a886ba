"""A 100,000-coding XLSX export as a background task, while the pages are used.

A fresh database (SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is
given) gets the project of bench.excerpts_export: 200 sources of about 9,000 words, 25 codes,
100,000 codings by two coders, 5,000 with a memo. A `fieldwork worker` process consumes the
SQLite queue in the instance folder, as under `fieldwork serve`. The coder asks for the XLSX
of every coding through the Exports page (the request only queues the task); while the
worker makes the file, this process opens the coding page of a source and the task's status
fragment (as the page's poll does) over and over, and saves a memo in a short transaction of
its own (as a coder saving would), timing each. Prints one JSON line: the request that
queued the task, the task's time and rows per second, the worker's peak memory (VmHWM) and
its memory before the task (VmRSS), how often the progress moved, and the median, p95 and
slowest page and save times during the export.

usage (from the project folder): python -m bench.export_job
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url

from bench.common import bench_app, logged_in_client
from bench.excerpts_export import SOURCES, build
from coding.models import Memo, Source
from fieldwork.database import writing
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask
from fieldwork.processes import stop_process

#: seconds between two rounds of page requests while the export runs
PAUSE = 0.25


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def start_worker(app: Flask) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "FIELDWORK_INSTANCE_PATH": app.instance_path,
                   "FIELDWORK_DATABASE_URL": app.config["DATABASE_URL"],
                   "FIELDWORK_FILES_DIR": app.config["FILES_DIR"]}
    return subprocess.Popen([sys.executable, "-m", "fieldwork", "worker"], env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed_ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
            "max_ms": round(ordered[-1], 1)}


def save_memo(app: Flask, project_id: int, user_id: int) -> Callable[[], None]:
    """A coder's save: one small write, in a transaction taking the write lock up front."""
    def run() -> None:
        with app.app_context(), writing():
            db.session.add(Memo(project_id=project_id, author_id=user_id, title="",
                                body="Saved while the export runs.",
                                created_at=datetime.now(UTC), updated_at=datetime.now(UTC)))
            db.session.commit()
    return run


def get_ok(client: FlaskClient, path: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return run


def task_row(app: Flask, task_id: int) -> tuple[str, float, str]:
    with app.app_context():
        task = db.session.get(BackgroundTask, task_id)
        return task.status, task.progress, task.error


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app, url = bench_app(folder)
        with app.app_context():
            project_id, coder_id, _codes = build(random.Random(8))
            source_id = db.session.scalar(db.select(Source.id).where(
                Source.project_id == project_id).order_by(Source.id).limit(1))
        client = logged_in_client(app, coder_id)
        worker = start_worker(app)
        try:
            time.sleep(3)
            rss_before_kb = memory_kb(worker.pid, "VmRSS")
            started = time.perf_counter()
            queued = client.post(f"/projects/{project_id}/coding/exports",
                                 data={"what": "codings_xlsx"})
            queue_ms = (time.perf_counter() - started) * 1000
            assert queued.status_code == 302, queued.status_code
            task_id = int(queued.location.rstrip("/").rsplit("/", 1)[1])
            pages = {"coding_page": get_ok(client, f"/projects/{project_id}/coding/sources/"
                                                   f"{source_id}"),
                     "status_poll": get_ok(client, f"{queued.location}/status"),
                     "save": save_memo(app, project_id, coder_id)}
            samples: dict[str, list[float]] = {name: [] for name in pages}
            progress_seen: list[float] = []
            while True:
                status, progress, error = task_row(app, task_id)
                if status in ("done", "failed"):
                    break
                progress_seen.append(progress)
                for name, action in pages.items():
                    samples[name].append(timed_ms(action))
                time.sleep(PAUSE)
            task_s = time.perf_counter() - started
            peak_kb = memory_kb(worker.pid, "VmHWM")
        finally:
            stop_process(worker, timeout=20)
        assert status == "done", error
        with app.app_context():
            task = db.session.get(BackgroundTask, task_id)
            size = task.result_file.size
            took = (task.finished_at - task.started_at).total_seconds()
    load = os.getloadavg()
    print(json.dumps({
        "bench": "export_job", "database": make_url(url).get_backend_name(),
        "sources": SOURCES, "codings": 100_000, "queue_request_ms": round(queue_ms, 1),
        "task_s": round(took, 1), "until_seen_done_s": round(task_s, 1),
        "rows_per_s": round(100_000 / took), "xlsx_mb": round(size / 2**20, 1),
        "worker_rss_before_mb": round(rss_before_kb / 1024), "worker_peak_mb":
        round(peak_kb / 1024), "progress_updates_seen": len(set(progress_seen)),
        **{name: summary(values) for name, values in samples.items()},
        "loadavg": [round(value, 2) for value in load], "nproc": os.cpu_count(),
        "python": platform.python_version(), "machine": platform.machine(),
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
    }))


if __name__ == "__main__":
    main()
