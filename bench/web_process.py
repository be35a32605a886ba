"""The web process's weight and start-up, measured on real processes.

`fieldwork serve` is started on a fresh instance (SQLite, migrated beforehand) and timed
until GET /login answers 200; then the web process's resident memory (VmRSS) is read, with
the size of the shared libraries it mapped (read from disk on a first start after a
reboot). `fieldwork create-user` is timed from start to exit. Then a project of --codings
codings (the sources and codes of bench.excerpts_export, fewer of them) is written into the
instance's database, a new `fieldwork serve` is started, a lead logs in through the login
form and downloads the largest export, the XLSX of every coding, and the web process's
memory is read again (VmRSS, and VmHWM: its peak).

Every process runs the code of the checkout given by --root (default: this one), so an
older commit checked out elsewhere (`git worktree add`) is measured the same way, and with
Python's bytecode cache on, as an installed Fieldwork runs (the cache is kept in the
temporary folder, so the checkout is not written to; the migration run fills it). Prints
one JSON line: medians of --runs starts and accounts, memory in MB, wall and CPU times in
seconds (on a shared machine the CPU time shows the work, the wall time the wait too).

usage (from the project folder): python -m bench.web_process [--root DIR] [--runs N]
       [--codings N]
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import platform
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bench.agreement import vocabulary
from bench.excerpts_export import source_text
from coding.models import Code, Coding, Source
from fieldwork.app import create_app
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from fieldwork.processes import stop_process

PASSWORD = "bench password 2026"
CODINGS_PER_SOURCE = 500
SUB_CODES = 20
START_TIMEOUT_S = 120
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise ValueError(f"{field} not found for process {pid}")


def libraries_mb(pid: int) -> float:
    """Size of the shared libraries the process has mapped: what a first start after a
    reboot reads from disk besides Python's own files."""
    paths = {line.split(maxsplit=5)[5] for line in
             Path(f"/proc/{pid}/maps").read_text().splitlines()
             if line.count(" ") >= 5 and ".so" in line.rsplit("/", 1)[-1]}
    return round(sum(os.path.getsize(path) for path in paths if os.path.exists(path)) / 2**20,
                 1)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def children_of(pid: int) -> list[int]:
    return [int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def as_installed(environment: dict[str, str], folder: Path) -> dict[str, str]:
    """`environment` with Python's bytecode cache on, kept in `folder`: an installed
    Fieldwork's modules are compiled once, as pip compiles those of the packages it installs
    (this machine sets PYTHONDONTWRITEBYTECODE, which would compile ours at every start)."""
    cached = {**environment, "PYTHONPYCACHEPREFIX": str(folder / "bytecode")}
    cached.pop("PYTHONDONTWRITEBYTECODE", None)
    return cached


def fieldwork(*args: str) -> list[str]:
    """The command line of `fieldwork ARGS`; run in a checkout's folder, it runs its code."""
    return [sys.executable, "-m", "fieldwork", *args]


@contextmanager
def serving(root: Path, environment: dict[str, str]) -> Iterator[tuple[int, str, float]]:
    """`fieldwork serve` on a free port: its pid, address, and seconds until /login answered
    (wall time)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(fieldwork("serve", "--port", str(port)),
                              cwd=root, env=environment, stdout=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.perf_counter() - started > START_TIMEOUT_S or server.poll() is not None:
                    raise RuntimeError("fieldwork serve did not answer /login") from None
                time.sleep(0.05)
        yield server.pid, url, time.perf_counter() - started
    finally:
        workers = children_of(server.pid) if server.poll() is None else []
        stop_process(server, timeout=10)
        for pid in workers:
            stop_worker(pid)


def stop_worker(pid: int) -> None:
    """The worker serve started exits with its parent; make sure of it."""
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def create_user_seconds(root: Path, environment: dict[str, str],
                        number: int) -> tuple[float, float]:
    """Wall and CPU seconds of one `fieldwork create-user`."""
    started, cpu = time.perf_counter(), children_cpu_seconds()
    subprocess.run(fieldwork("create-user", f"lead{number}@example.org",
                             "--name", f"Lead {number}", "--password", PASSWORD),
                   cwd=root, env=environment, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu_seconds() - cpu


def seed(instance: Path, email: str, codings: int) -> int:
    """A project led by the account `email` with `codings` codings; its id."""
    os.environ["FIELDWORK_INSTANCE_PATH"] = str(instance)
    app = create_app({"SECRET_KEY": "bench"})
    rng = random.Random(8)
    words = vocabulary()
    with app.app_context():
        lead = db.session.scalar(db.select(User).where(User.email == email))
        project = Project(name="Bench web process")
        db.session.add(project)
        db.session.flush()
        db.session.add(Membership(project=project, user=lead, role="lead"))
        codes = [Code(project_id=project.id, name=f"Code {n}", position=n)
                 for n in range(SUB_CODES)]
        sources = []
        for number in range(max(codings // CODINGS_PER_SOURCE, 1)):
            text, paragraphs = source_text(rng, words)
            sources.append(Source(project_id=project.id, kind="document",
                                  title=f"Source {number:03}", text=text,
                                  paragraphs=paragraphs, attributes={"Partner country": "US"}))
        db.session.add_all(codes + sources)
        db.session.flush()
        db.session.execute(insert(Coding), [
            {"project_id": project.id, "source_id": source.id,
             "code_id": codes[n % SUB_CODES].id, "coder_id": lead.id,
             "start": n * 10, "end": n * 10 + rng.randint(60, 380), "quote": "",
             "needs_review": False, "created_at": datetime.now(UTC)}
            for source in sources for n in range(CODINGS_PER_SOURCE)][:codings])
        db.session.commit()
        project_id = project.id
        db.engine.dispose()
    return project_id


class KeepAliveOpener:
    """Opens requests as urllib's opener does, with its cookies, but over one connection kept
    open to each server, as a browser does (urllib's opener makes a new connection for every
    request, which a page's scripts never do). Redirects are not followed."""

    def __init__(self, jar: http.cookiejar.CookieJar) -> None:
        self.jar = jar
        self.connections: dict[str, http.client.HTTPConnection] = {}

    def open(self, request: urllib.request.Request | str,
             timeout: float = 600) -> http.client.HTTPResponse:
        if isinstance(request, str):
            request = urllib.request.Request(request)
        self.jar.add_cookie_header(request)
        connection = self.connections.setdefault(
            request.host, http.client.HTTPConnection(request.host, timeout=timeout))
        connection.request(request.get_method(), request.selector, body=request.data,
                           headers=dict(request.header_items()))
        answer = connection.getresponse()
        self.jar.extract_cookies(answer, request)
        if answer.status >= 400:
            raise urllib.error.HTTPError(request.full_url, answer.status, answer.reason,
                                         answer.msg, answer)
        return answer


def keeping_alive(opener: urllib.request.OpenerDirector) -> KeepAliveOpener:
    """A KeepAliveOpener with the cookies of `opener` (a login's session)."""
    processor = next(handler for handler in opener.handlers
                     if isinstance(handler, urllib.request.HTTPCookieProcessor))
    return KeepAliveOpener(processor.cookiejar)


def log_in(url: str, email: str) -> urllib.request.OpenerDirector:
    """A browser-like client logged in through the login form (CSRF token included)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{url}/login") as answer:
        token = CSRF.search(answer.read().decode())[1]
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    with opener.open(f"{url}/login", data=form.encode()) as answer:
        assert "/login" not in answer.url, "the login failed"
    return opener


def export_memory(root: Path, environment: dict[str, str], email: str,
                  project_id: int) -> dict[str, float | int]:
    # the web process builds the file itself, as it does for any export under the threshold
    built_in_the_request = {**environment, "FIELDWORK_EXPORT_JOB_THRESHOLD": "1000000"}
    with serving(root, built_in_the_request) as (pid, url, _):
        opener = log_in(url, email)
        started = time.perf_counter()
        with opener.open(f"{url}/projects/{project_id}/coding/exports?what=codings_xlsx",
                         timeout=600) as answer:
            size = len(answer.read())
            assert answer.headers.get_content_type().endswith("spreadsheetml.sheet")
        return {"export_s": round(time.perf_counter() - started, 2), "export_bytes": size,
                "rss_after_export_mb": memory_mb(pid), "peak_rss_mb": memory_mb(pid, "VmHWM")}


def machine() -> dict[str, object]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": cpu, "load_average": os.getloadavg(),
            "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--codings", type=int, default=20_000)
    args = parser.parse_args()
    root = args.root.resolve()
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        environment = as_installed({**os.environ, "FIELDWORK_INSTANCE_PATH": folder,
                                    "FIELDWORK_SECRET_KEY": "bench"}, instance)
        subprocess.run(fieldwork("db", "upgrade"), cwd=root,
                       env=environment, check=True, capture_output=True)
        starts, start_cpu, start_rss, libraries = [], [], [], []
        for _ in range(args.runs):
            with serving(root, environment) as (pid, _, seconds):
                starts.append(seconds)
                start_cpu.append(cpu_seconds(pid))
                start_rss.append(memory_mb(pid))
                libraries.append(libraries_mb(pid))
        accounts = [create_user_seconds(root, environment, n) for n in range(args.runs)]
        project_id = seed(instance, "lead0@example.org", args.codings)
        exported = export_memory(root, environment, "lead0@example.org", project_id)
    print(json.dumps({
        "bench": "web_process", "commit": commit, "runs": args.runs, "codings": args.codings,
        "serve_until_login_s": round(statistics.median(starts), 2),
        "serve_until_login_max_s": round(max(starts), 2),
        "serve_until_login_cpu_s": round(statistics.median(start_cpu), 2),
        "rss_after_start_mb": statistics.median(start_rss),
        "libraries_mapped_mb": statistics.median(libraries),
        "create_user_s": round(statistics.median(wall for wall, _ in accounts), 2),
        "create_user_max_s": round(max(wall for wall, _ in accounts), 2),
        "create_user_cpu_s": round(statistics.median(cpu for _, cpu in accounts), 2),
        **exported, **machine(), "load_average_before": load_before,
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
    }))


if __name__ == "__main__":
    main()
