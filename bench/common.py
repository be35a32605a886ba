"""What the web benchmarks share: a fresh database, an app on it, a logged-in test client,
and timing of an action over several runs."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text

from fieldwork.accounts import sessions
from fieldwork.app import create_app
from fieldwork.extensions import db
from fieldwork.models import User


def fresh_database_url(folder: Path) -> str:
    """SQLite in `folder`, or the empty PostgreSQL database named by BENCH_DATABASE_URL."""
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{folder / 'bench.db'}"
    url = make_url(base)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return base


def bench_app(folder: str, **settings: object) -> tuple[Flask, str]:
    """The app on a fresh database with the schema made, its instance in `folder`, with
    `settings` changed (e.g. JOBS_IMMEDIATE=True)."""
    os.environ["FIELDWORK_INSTANCE_PATH"] = folder
    url = fresh_database_url(Path(folder))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, **settings})
    with app.app_context():
        db.create_all()
    return app, url


def logged_in_client(app: Flask, user_id: int) -> FlaskClient:
    """A client signed in as the user, with a sign-in session of its own."""
    with app.app_context():
        token = sessions.start(db.session.get(User, user_id), remember=False,
                               user_agent="Benchmark", address="127.0.0.1")
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    return client


def get_ok(client: FlaskClient, path: str) -> Callable[[], None]:
    """An action that asks for the page and fails unless it answers 200."""
    def run() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return run


def timed(runs: int, action: Callable[[], object]) -> dict[str, float]:
    """Median and slowest wall time, and median CPU time of this process (client and server
    both run in it): on a shared machine the CPU time shows the work, the wall time the wait."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return {"median_ms": round(statistics.median(walls), 1), "max_ms": round(max(walls), 1),
            "median_cpu_ms": round(statistics.median(cpus), 1)}


def statements_during(app: Flask, action: Callable[[], object]) -> int:
    """How many SQL statements the action runs, transaction control (BEGIN, SAVEPOINT,
    COMMIT...) left out, as tests/statements.py counts them."""
    counted: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.lstrip().upper().startswith(
                ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")):
            counted.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(counted)
