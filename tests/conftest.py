"""Shared fixtures: an app on SQLite or PostgreSQL, a rolled-back transaction per test,
factories for users and projects, and logged-in clients for each role.

TEST_DATABASE_URL selects PostgreSQL (e.g. postgresql+psycopg://postgres@127.0.0.1/fieldwork);
each pytest-xdist worker of each run gets a database of its own, named after the URL's with
the worker and a token of the run, and drops it at the end; the job queue's Redis keys
(TEST_REDIS_URL) carry the same token. Two runs on one server never touch each other's data.

The schema is made once per session and every test runs inside a transaction that is rolled
back (SAVEPOINTs inside it), except tests marked `committed`, whose rows are deleted after
them.

Browser tests: `live_server` serves the app over HTTP in a thread, on the test database;
`page` is a fresh Chromium tab on it (one browser per module). Mark them `committed` so
the server sees the data they commit.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest
from argon2 import PasswordHasher, profiles
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import settings
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from fieldwork import jobs, live
from fieldwork.accounts import passwords, sessions
from fieldwork.app import create_app
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

# CI draws the same examples on every run, so that a landing never waits on a new random
# draw; a developer's runs draw new ones and find what CI would not.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

TEST_PASSWORD = "correct horse battery"
ROLES_AND_OUTSIDERS = ("lead", "interviewer", "coder", "viewer", "outsider")
CHROMIUM = Path("/usr/bin/chromium")
#: names this test process's databases and queue keys apart from any other run's
RUN_TOKEN = f"{os.getpid()}_{secrets.token_hex(3)}"


def worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_database(url: str, action: str) -> None:
    """CREATE or DROP the database that `url` names, on its server."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        suffix = " WITH (FORCE)" if action == "DROP" else ""
        connection.execute(text(f'{action} DATABASE "{parsed.database}"{suffix}'))
    admin.dispose()


def postgres_url_for_worker(base_url: str) -> str:
    """The URL of a database of this run's xdist worker's own, on the same server."""
    url = make_url(base_url)
    name = f"{url.database or 'fieldwork_test'}_{worker_suffix()}_{RUN_TOKEN}"
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = postgres_url_for_worker(base)
    postgres_database(url, "CREATE")
    yield url
    postgres_database(url, "DROP")


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("instance")
    previous = os.environ.get("FIELDWORK_INSTANCE_PATH")
    os.environ["FIELDWORK_INSTANCE_PATH"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("FIELDWORK_INSTANCE_PATH", None)
    else:
        os.environ["FIELDWORK_INSTANCE_PATH"] = previous


def test_settings(database_url: str, instance_path: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "JOBS_IMMEDIATE": True,
        "FILES_DIR": str(instance_path / "files"),
        "QUEUE_NAME": f"fieldwork-test-{RUN_TOKEN}",
    }


class FreshContextClient(FlaskClient):
    """Each request gets its own application context (its own `g` and database session),
    as in production, although the test itself runs inside one."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url: str, instance_path: Path) -> Iterator[Flask]:
    # Fast password hashing in tests; production keeps argon2's defaults.
    passwords.hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    app = create_app(test_settings(database_url, instance_path))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def make_app(database_url: str, instance_path: Path) -> Callable[..., Flask]:
    """Another app on the test database with some settings changed (e.g. CSRF on)."""

    def make(**overrides: object) -> Flask:
        return create_app({**test_settings(database_url, instance_path), **overrides})

    return make


def delete_all_rows() -> None:
    """Empty every table: what a `committed` test left in the test database."""
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(autouse=True)
def transaction(app: Flask, request: pytest.FixtureRequest) -> Iterator[Connection | None]:
    """Run the test in a transaction rolled back at its end; commits become SAVEPOINTs.

    Tests marked `committed` (other processes or threads must see their data) get no
    transaction: their commits land, and every row is deleted after the test.
    """
    if request.node.get_closest_marker("committed"):
        with app.app_context():
            try:
                yield None
            finally:
                delete_all_rows()
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                         class_=Session),
            scopefunc=_app_ctx_id,
        )
        try:
            yield connection
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


def start_worker(queue_app: Flask, *options: str,
                 output: IO[bytes] | int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """A `fieldwork worker` process on `queue_app`'s database, files and queue (its Redis, or
    the SQLite queue in its instance folder), under this run's queue name."""
    environment = {
        **os.environ,
        "FIELDWORK_INSTANCE_PATH": queue_app.instance_path,
        "FIELDWORK_DATABASE_URL": queue_app.config["DATABASE_URL"],
        "FIELDWORK_FILES_DIR": queue_app.config["FILES_DIR"],
        "FIELDWORK_REDIS_URL": queue_app.config["REDIS_URL"],
        "FIELDWORK_QUEUE_NAME": queue_app.config["QUEUE_NAME"],
    }
    return subprocess.Popen([sys.executable, "-m", "fieldwork", "worker", *options],
                            env=environment, stdout=output, stderr=subprocess.STDOUT)


@pytest.fixture(autouse=True)
def long_job_transactions() -> Iterator[list[logging.LogRecord]]:
    """Fail any test during which a job held a database transaction open longer than
    JOB_TRANSACTION_WARN_SECONDS (fieldwork.database warns): on SQLite it blocks every save.
    A test that provokes one on purpose takes this list and empties it."""
    caught: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = caught.append  # type: ignore[method-assign]
    logger = logging.getLogger("fieldwork.database")
    logger.addHandler(handler)
    try:
        yield caught
    finally:
        logger.removeHandler(handler)
    assert not caught, [record.getMessage() for record in caught]


@pytest.fixture
def files_dir(app: Flask) -> Iterator[Path]:
    path = Path(app.config["FILES_DIR"])
    yield path
    shutil.rmtree(path, ignore_errors=True)


_sequence = count(1)


@pytest.fixture
def make_user() -> Callable[..., User]:
    def make(name: str | None = None, *, is_admin: bool = False, active: bool = True) -> User:
        number = next(_sequence)
        user = User(
            email=f"user{number}@example.org",
            name=name or f"User {number}",
            password_hash=passwords.hasher.hash(TEST_PASSWORD),
            is_admin=is_admin,
            active=active,
        )
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def make_project() -> Callable[..., Project]:
    def make(name: str | None = None, **members: User) -> Project:
        project = Project(name=name or f"Project {next(_sequence)}")
        db.session.add(project)
        db.session.flush()
        for role, user in members.items():
            db.session.add(Membership(project=project, user=user, role=role.rstrip("0123456789")))
        db.session.flush()
        return project

    return make


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    """One user per project role, an outsider (member of another project) and an admin."""
    return {role: make_user(role.title()) for role in (*ROLES_AND_OUTSIDERS, "admin")}


@pytest.fixture
def project(make_project: Callable[..., Project], people: dict[str, User]) -> Project:
    make_project("Elsewhere", lead=people["outsider"])
    people["admin"].is_admin = True
    return make_project(
        "EU–China cities", lead=people["lead"], interviewer=people["interviewer"],
        coder=people["coder"], viewer=people["viewer"],
    )


def log_in(client: FlaskClient, user: User) -> FlaskClient:
    """Sign `user` in on `client` with a new sign-in session, as the login page would. The
    session row is committed (inside a test's rolled-back transaction, a SAVEPOINT): a
    `committed` test's requests run on connections of their own, and on SQLite the row
    left uncommitted would hold the write lock they wait for."""
    token = sessions.start(user, remember=False, user_agent="Test client", address="127.0.0.1")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


@pytest.fixture
def client_for(app: Flask) -> Callable[[User | None], FlaskClient]:
    """A test client logged in as `user` (or anonymous for None)."""

    def make(user: User | None) -> FlaskClient:
        client = app.test_client()
        return log_in(client, user) if user is not None else client

    return make


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class LiveServer:
    """The app served over HTTP: `url` to open in a browser, `app` to read its settings."""

    app: Flask
    url: str

    def log_in(self, page: Page, user: User) -> None:
        """Log `user` in through the login page, as a person would."""
        page.goto(f"{self.url}/login")
        page.fill("#email", user.email)
        page.fill("#password", TEST_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)


def bodies_read_before_sending(app: WSGIApplication) -> WSGIApplication:
    """`app` with each response read whole, and its file closed, before werkzeug writes it.

    A browser that leaves a page drops the connections still loading scripts or audio, and
    werkzeug's dev server then skips closing the response (its tidy-up read raises first):
    the open file surfaced as a ResourceWarning in whichever test came next. Event streams
    (live coding) pass through as they are, since they never end.
    """

    def read_whole(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        streamed: list[bool] = []

        def note_streaming(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            streamed.append(any(value.startswith("text/event-stream") for _, value in headers))
            return start_response(status, headers, *args)

        body = app(environ, note_streaming)
        if streamed and streamed[0]:
            return body
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return read_whole


@pytest.fixture(scope="session")
def live_server(app: Flask, make_app: Callable[..., Flask]) -> Iterator[LiveServer]:
    """The app on the test database, served by werkzeug in a thread on a free port.

    CSRF protection is on, as in production, so the pages' scripts are tested with it.
    Tests that use it are marked `committed` and commit their data before the browser asks.
    """
    served = make_app(WTF_CSRF_ENABLED=True)
    jobs.configure_queue(app)
    server = make_server("127.0.0.1", 0, bodies_read_before_sending(served), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(served, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    with served.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (Debian's), one per test module."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is needed in CI for the browser tests ({CHROMIUM})")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"],
        )
        yield chromium
        chromium.close()


def forget_live_coding(app: Flask) -> None:
    """Who is coding what, and the events of live coding, left by earlier tests: each test's
    database gives its sources the same ids, so the same live channels."""
    broker = app.extensions["fieldwork.live"]
    if isinstance(broker, live.RedisBroker):
        for key in broker.redis.scan_iter(f"{broker.prefix}*"):
            broker.redis.delete(key)
    live.init_app(app)


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A new tab with its own cookies and storage on the live server. A script error or a
    Content-Security-Policy refusal on any page it opens fails the test."""
    forget_live_coding(live_server.app)
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on("console", lambda message: problems.append(f"{tab.url}: {message.text}")
           if "Content Security Policy" in message.text else None)
    yield tab
    context.close()
    assert problems == []
