"""Several writers at once on one SQLite file, through the real session: WAL, the busy
timeout and BEGIN IMMEDIATE for form posts mean every write lands and none fails with
"database is locked"."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path

import pytest
from flask import Flask

from fieldwork import audit
from fieldwork.background import read_phase
from fieldwork.database import writing
from fieldwork.extensions import db
from fieldwork.models import AuditEntry

THREADS = 8
WRITES_PER_THREAD = 50


@pytest.fixture
def sqlite_app(make_app: Callable[..., Flask], tmp_path: Path) -> Iterator[Flask]:
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'concurrency.db'}")
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def read_then_write(thread: int, number: int) -> None:
    """As a form post does: load (read), check, change (write), commit."""
    seen = db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))
    audit.record("test.write", summary=f"thread {thread} write {number}", seen_before=seen)
    db.session.commit()


def write_only(thread: int, number: int) -> None:
    audit.record("test.write", summary=f"thread {thread} write {number}")
    db.session.commit()


Write = Callable[[int, int], None]
Context = Callable[[], AbstractContextManager[object]]


def run_writers(app: Flask, write: Write, context: Context) -> list[BaseException]:
    """THREADS threads, each with its own application context per write, started together."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(thread: int) -> None:
        start.wait()
        for number in range(WRITES_PER_THREAD):
            try:
                with app.app_context(), context():
                    write(thread, number)
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def summaries(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(AuditEntry.summary)))


def expected_summaries() -> set[str]:
    return {f"thread {t} write {n}" for t in range(THREADS) for n in range(WRITES_PER_THREAD)}


@pytest.mark.committed
def test_concurrent_form_posts_that_read_then_write_all_land(sqlite_app: Flask) -> None:
    """BEGIN IMMEDIATE: each post waits for the write lock before it reads."""
    post = partial(sqlite_app.test_request_context, method="POST")
    errors = run_writers(sqlite_app, read_then_write, post)
    assert [str(error) for error in errors] == []
    assert summaries(sqlite_app) == expected_summaries()


@pytest.mark.committed
def test_concurrent_plain_inserts_outside_requests_all_land(sqlite_app: Flask) -> None:
    """A deferred BEGIN whose first statement writes takes the lock at once and waits."""
    errors = run_writers(sqlite_app, write_only, nullcontext)
    assert [str(error) for error in errors] == []
    assert summaries(sqlite_app) == expected_summaries()


@pytest.mark.committed
def test_concurrent_jobs_that_read_then_write_all_land(sqlite_app: Flask) -> None:
    """Jobs run inside `writing()`: their transactions take the write lock up front."""
    errors = run_writers(sqlite_app, read_then_write, writing)
    assert [str(error) for error in errors] == []
    assert summaries(sqlite_app) == expected_summaries()


@pytest.mark.committed
def test_a_job_reading_in_its_read_phase_blocks_no_writer(sqlite_app: Flask) -> None:
    """A background export reads for minutes inside `writing()`; its `read_phase()` begins
    plain (deferred) transactions, so a coder's save lands at once instead of waiting for
    the export (the busy timeout, 15 s, would show)."""
    saved: list[float] = []

    def save() -> None:
        started = time.monotonic()
        with sqlite_app.app_context(), writing():
            write_only(0, 0)
        saved.append(time.monotonic() - started)

    with sqlite_app.app_context(), writing(), read_phase():
        db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))
        coder = threading.Thread(target=save)
        coder.start()
        coder.join(timeout=30)
        assert db.session().in_transaction()
    assert saved and saved[0] < 2
    assert summaries(sqlite_app) == {"thread 0 write 0"}
