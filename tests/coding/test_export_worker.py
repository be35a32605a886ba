"""A large export goes through the real queue to a `fieldwork worker` process, as on a team
server: the request only queues it, the worker reads without holding a write lock, writes
its progress, and stores the file; the page then offers it."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from coding.models import Code, Coding, Source
from coding.sources import document_paragraphs
from fieldwork import jobs
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Membership, Project, User
from fieldwork.processes import stop_process
from tests.conftest import log_in, start_worker

CODINGS = 3_000


@pytest.fixture
def queued_app(app: Flask, make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app on the test database with a SQLite queue in the instance folder."""
    queue_app = make_app(JOBS_IMMEDIATE=False, EXPORT_JOB_THRESHOLD=100)
    with queue_app.app_context():
        jobs.huey.flush()
    yield queue_app
    with queue_app.app_context():
        jobs.huey.flush()
        db.engine.dispose()
    jobs.configure_queue(app)


def coded_project() -> tuple[int, int]:
    """A project whose coder made CODINGS codings; returns the project's and coder's ids."""
    coder = User(email="worker-coder@example.org", name="Coder", password_hash="x")
    project = Project(name="Queued export")
    db.session.add_all([coder, project, Membership(project=project, user=coder, role="coder")])
    db.session.flush()
    text = "Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku. " * 400
    source = Source(project_id=project.id, kind="document", title="Notes", text=text,
                    paragraphs=document_paragraphs(text), created_by_id=coder.id)
    code = Code(project_id=project.id, name="Business")
    db.session.add_all([source, code])
    db.session.flush()
    db.session.execute(insert(Coding), [
        {"project_id": project.id, "source_id": source.id, "code_id": code.id,
         "coder_id": coder.id, "start": n, "end": n + 20, "quote": "", "needs_review": False}
        for n in range(CODINGS)])
    db.session.commit()
    return project.id, coder.id


def wait_for_end(task_id: int, seconds: float = 120) -> BackgroundTask:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        task = db.session.get(BackgroundTask, task_id)
        if task.finished:
            return task
        time.sleep(0.2)
    raise AssertionError(f"the task did not end within {seconds} s: {task.message}")


@pytest.mark.committed
def test_a_large_export_runs_in_a_worker_process(queued_app: Flask, files_dir: object) -> None:
    with queued_app.app_context():
        project_id, coder_id = coded_project()
        client: FlaskClient = log_in(queued_app.test_client(), db.session.get(User, coder_id))
        queued = client.post(f"/projects/{project_id}/coding/exports",
                             data={"what": "codings_csv"})
        assert queued.status_code == 302
        task = db.session.scalar(db.select(BackgroundTask))
        assert task.status == "queued" and jobs.pending_count() == 1
        assert "Waiting for a worker" in client.get(queued.location).text
        worker = start_worker(queued_app, "--no-periodic")
        try:
            task = wait_for_end(task.id)
        finally:
            stop_process(worker, timeout=20)
        assert task.status == "done", task.error
        assert task.started_at is not None and task.heartbeat_at is not None
        page = client.get(queued.location)
        assert "Ready" in page.text and "Download" in page.text
        download = client.get(f"{queued.location}/download")
        rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
        assert len(rows) == CODINGS + 1
        assert "Your CSV export of 3,000 codings is ready" not in client.get("/projects").text
        db.session.remove()
