from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from fieldwork.accounts.accounts import find_user, password_matches
from fieldwork.demo import DEMO_PROJECT
from fieldwork.extensions import db
from fieldwork.models import Membership, Project


def test_create_user_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "Lead@Example.org", "--name", "Lead",
                                 "--password", "a long password", "--admin"])
    assert result.exit_code == 0, result.output
    user = find_user("lead@example.org")
    assert user.is_admin and password_matches(user, "a long password")
    again = runner.invoke(args=["create-user", "lead@example.org", "--password", "a long password"])
    assert again.exit_code != 0
    assert "already an account" in again.output


def test_demo_is_idempotent_and_prints_a_working_login(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    password = re.search(r"Password:\s+(\S+)", second.output).group(1)
    assert password in first.output
    projects = db.session.scalars(db.select(Project).where(Project.name == DEMO_PROJECT)).all()
    assert len(projects) == 1
    roles = sorted(m.role for m in db.session.scalars(
        db.select(Membership).where(Membership.project_id == projects[0].id)))
    assert roles == ["coder", "coder", "interviewer", "lead", "viewer"]
    assert password_matches(find_user("lead@fieldwork.example"), password)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, and the CSRF token of the last page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            page = response.read().decode()
        found = re.search(r'name="csrf-token" content="([^"]+)"', page)
        self.token = found.group(1) if found else self.token
        return page

    def post(self, path: str, **fields: str) -> str:
        data = urllib.parse.urlencode({"csrf_token": self.token, **fields}).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.read().decode()


def fresh_instance_environment(tmp_path: Path) -> dict[str, str]:
    """The environment without any FIELDWORK_ setting but a new instance folder."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("FIELDWORK_")}
    environment["FIELDWORK_INSTANCE_PATH"] = str(tmp_path / "instance")
    return environment


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`fieldwork serve --demo` on a fresh instance folder, as the README starts it."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "fieldwork", "serve", "--demo", "--port", str(port)],
            env=fresh_instance_environment(tmp_path), stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: f"http://127.0.0.1:{port}/" in log.read_text(), 60, log)
        yield f"http://127.0.0.1:{port}", str(log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition: object, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out; server log:\n{log.read_text()}")


def test_serve_starts_with_demo_login_and_its_own_worker(served: tuple[str, str]) -> None:
    base, log_name = served
    log = Path(log_name)
    output = log.read_text()
    password = re.search(r"Password:\s+(\S+)", output).group(1)
    browser = Browser(base)
    browser.get("/login")
    projects = browser.post("/login", email="lead@fieldwork.example", password=password)
    assert DEMO_PROJECT in projects
    project_path = re.search(r'href="(/projects/\d+/)"', projects).group(1)
    browser.get(project_path)
    browser.post(project_path + "statistics")

    def counted() -> bool:
        return "Counted" in browser.get(project_path)

    wait_for(counted, 30, log)
    worker_pid = int(re.search(r"Job worker started \(process (\d+)\)", output).group(1))
    os.kill(worker_pid, signal.SIGKILL)
    wait_for(lambda: log.read_text().count("Job worker started") >= 2, 30, log)
    assert "Log in" not in browser.get(project_path)


def test_serve_on_a_port_in_use_says_so_and_which_to_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "fieldwork", "serve", "--port", str(port)],
            env=fresh_instance_environment(tmp_path), capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert f"Fieldwork cannot listen on 127.0.0.1:{port}" in result.stderr
    assert f"--port {port + 1}" in result.stderr
    assert "Traceback" not in result.stderr
