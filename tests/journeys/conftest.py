"""What the journeys share: a real job worker beside the live server, and a browser tab for
each person of the team.

The live server of tests/conftest.py runs jobs inside the request (immediate mode). A
journey runs them as `fieldwork serve` does: the queue is a SQLite file in the instance
folder and a `fieldwork worker` process consumes it, on the test database. The queue stays
SQLite on PostgreSQL too: a Redis queue would be shared by every pytest-xdist worker of the
run (and by the Redis queue tests, which empty it), so one worker's jobs could be taken by
another's consumer, on another database.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page

from fieldwork import jobs
from fieldwork.extensions import db
from fieldwork.models import User
from fieldwork.processes import stop_process
from tests.conftest import LiveServer, start_worker


@pytest.fixture
def job_worker(app: Flask, make_app: Callable[..., Flask], database_url: str,
               instance_path: Path, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A `fieldwork worker` process consuming the queue the live server's jobs go to."""
    queue_app = make_app(JOBS_IMMEDIATE=False, REDIS_URL="")
    jobs.configure_queue(queue_app)
    jobs.huey.flush()
    log = (tmp_path / "worker.log").open("wb")
    worker = start_worker(queue_app, output=log)
    try:
        yield worker
    finally:
        stop_process(worker, timeout=20)
        log.close()
        jobs.huey.flush()
        jobs.configure_queue(app)
        with queue_app.app_context():
            db.engine.dispose()


class Tabs:
    """One browser context per person, as if each sat at their own computer. A script error
    or a Content-Security-Policy refusal on any of their pages fails the test."""

    def __init__(self, browser: Browser, live_server: LiveServer) -> None:
        self.browser = browser
        self.live_server = live_server
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []

    def open(self, user: User, **options: object) -> Page:
        context = self.browser.new_context(base_url=self.live_server.url, **options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        tab.on("console", lambda message: self.problems.append(f"{tab.url}: {message.text}")
               if "Content Security Policy" in message.text else None)
        self.live_server.log_in(tab, user)
        return tab

    def describe(self) -> str:
        """Where each tab is and what it shows, for the report of a failed journey."""
        lines = []
        for context in self.contexts:
            for tab in context.pages:
                lines.append(f"--- {tab.url}")
                try:
                    lines.append(tab.locator("main").aria_snapshot(timeout=2_000))
                except Exception as error:
                    lines.append(f"(no snapshot: {error})")
        return "\n".join(lines)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def tabs(browser: Browser, live_server: LiveServer,
         request: pytest.FixtureRequest) -> Iterator[Tabs]:
    opened = Tabs(browser, live_server)
    yield opened
    if request.node.stash.get(CALL_FAILED, False):
        print(opened.describe())
    opened.close()
    assert opened.problems == []
