"""Jobs go through the real queue to a real worker process: SQLite queue, and Redis."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from fieldwork import jobs
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from fieldwork.projects.tasks import recompute_statistics
from tests.conftest import RUN_TOKEN, start_worker

QUEUES = ["sqlite", "redis"]


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture
def queued_app(
    request: pytest.FixtureRequest, app: Flask, make_app: Callable[..., Flask], tmp_path: Path
) -> Iterator[Flask]:
    if request.param == "redis" and not redis_url():
        pytest.skip("set TEST_REDIS_URL to test the Redis queue (CI does)")
    queue_app = make_app(
        DATABASE_URL=f"sqlite:///{tmp_path / 'jobs-test.db'}",
        JOBS_IMMEDIATE=False,
        REDIS_URL=redis_url() if request.param == "redis" else "",
    )
    with queue_app.app_context():
        db.create_all()
        jobs.huey.flush()
    yield queue_app
    jobs.configure_queue(app)


@pytest.mark.committed
@pytest.mark.parametrize("queued_app", QUEUES, indirect=True)
def test_statistics_job_runs_in_a_worker_process(queued_app: Flask) -> None:
    with queued_app.app_context():
        user = User(email="worker@example.org", name="W", password_hash="x")
        project = Project(name="Queued")
        db.session.add_all([user, project, Membership(project=project, user=user, role="lead")])
        db.session.commit()
        result = recompute_statistics(project.id)
        assert jobs.pending_count() == 1
        # On Redis a team runs several workers, all but one without the scheduled jobs.
        options = ("--no-periodic",) if queued_app.config["REDIS_URL"] else ()
        worker = start_worker(queued_app, *options)
        try:
            assert result.get(blocking=True, timeout=60)["members"] == 1
        finally:
            worker.terminate()
            worker.wait(timeout=20)
        db.session.rollback()
        assert db.session.get(Project, project.id).stats_computed_at is not None
        db.session.remove()
        db.engine.dispose()


@pytest.mark.committed
def test_instances_sharing_a_redis_database_keep_their_jobs_apart(
    app: Flask, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    if not redis_url():
        pytest.skip("set TEST_REDIS_URL to test the Redis queue (CI does)")
    apps = {name: make_app(DATABASE_URL=f"sqlite:///{tmp_path / name}.db", JOBS_IMMEDIATE=False,
                           REDIS_URL=redis_url(), QUEUE_NAME=f"fieldwork-test-{name}-{RUN_TOKEN}")
            for name in ("krakow", "brno")}
    try:
        jobs.configure_queue(apps["krakow"])
        jobs.huey.flush()
        recompute_statistics(1)
        assert jobs.pending_count() == 1
        jobs.configure_queue(apps["brno"])
        jobs.huey.flush()
        assert jobs.pending_count() == 0
        jobs.configure_queue(apps["krakow"])
        assert jobs.pending_count() == 1
        jobs.huey.flush()
    finally:
        jobs.configure_queue(app)
