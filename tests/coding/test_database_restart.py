"""The database dropping every connection under load, as a PostgreSQL restart or failover
does: coders keep posting codings while every backend of the test database is terminated.
Requests caught mid-way may fail, the next ones succeed (the pool tests each connection
before use), and every coding whose save was answered is there.

PostgreSQL only: SQLite has no server to lose; its equivalent, many writers waiting on one
file's lock, is tests/fieldwork/test_concurrency.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from coding.models import Code, Coding, Source
from fieldwork.extensions import db
from fieldwork.models import Project, User

THREADS = 4
POSTS_PER_THREAD = 30
TERMINATIONS = 3
WORDS = " ".join(f"word{number}" for number in range(THREADS * POSTS_PER_THREAD + 20))
TERMINATE = text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                 "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def word_range(number: int) -> tuple[int, int]:
    start = WORDS.index(f"word{number} ") if number else 0
    return start, start + len(f"word{number}")


class Coder:
    """One coder's client posting codings, keeping what each answer said."""

    def __init__(self, client: FlaskClient, url: str, code_id: int) -> None:
        self.client, self.url, self.code_id = client, url, code_id
        self.saved: list[int] = []
        self.failed: list[str] = []

    def post(self, number: int) -> bool:
        start, end = word_range(number)
        try:
            answer = self.client.post(self.url, json={"codes": [self.code_id], "start": start,
                                                      "end": end, "textVersion": 1})
        except Exception as error:  # a request whose connection was cut under it
            self.failed.append(type(error).__name__)
            return False
        if answer.status_code != 200:
            self.failed.append(str(answer.status_code))
            return False
        self.saved += [coding["id"] for coding in answer.get_json()["codings"]]
        return True


def terminate_backends(app: Flask, killed: list[int], stop: threading.Event) -> None:
    with app.app_context():
        for _ in range(TERMINATIONS):
            time.sleep(0.3)
            with db.engine.connect() as connection:
                killed.append(connection.execute(TERMINATE).scalar_one())
            if stop.is_set():
                return


@pytest.mark.committed
def test_codings_survive_every_connection_being_dropped_under_load(
    app: Flask, project: Project, people: dict[str, User],
    client_for: Callable[[User | None], FlaskClient],
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only; SQLite's locked database is test_concurrency's")
    source = Source(project_id=project.id, kind="document", title="Notes", text=WORDS,
                    paragraphs=[{"start": 0, "end": len(WORDS)}], created_by_id=people["lead"].id)
    code = Code(project_id=project.id, name="Goals")
    db.session.add_all([source, code])
    db.session.commit()
    url = f"/projects/{project.id}/coding/sources/{source.id}/codings"
    source_id, code_id, coder = source.id, code.id, people["coder"]
    coders = [Coder(client_for(coder), url, code_id) for _ in range(THREADS)]
    # As a request ends: the test's connection goes back to the pool, no transaction open.
    db.session.close()
    killed: list[int] = []
    done = threading.Event()

    def code_words(thread: int) -> None:
        for number in range(POSTS_PER_THREAD):
            coders[thread].post(thread * POSTS_PER_THREAD + number)

    workers = [threading.Thread(target=code_words, args=(n,)) for n in range(THREADS)]
    terminator = threading.Thread(target=terminate_backends, args=(app, killed, done))
    for thread in [*workers, terminator]:
        thread.start()
    for thread in workers:
        thread.join()
    done.set()
    terminator.join()

    assert sum(killed) > 0, "no connection was terminated: the test proved nothing"
    after = Coder(client_for(db.session.merge(coder)), url, code_id)
    assert all(after.post(THREADS * POSTS_PER_THREAD + n) for n in range(10)), after.failed
    saved = {coding_id for coder in [*coders, after] for coding_id in coder.saved}
    stored = set(db.session.scalars(db.select(Coding.id).where(Coding.source_id == source_id)))
    assert saved <= stored
    assert len(saved) >= THREADS * POSTS_PER_THREAD // 2
