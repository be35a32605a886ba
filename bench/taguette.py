"""Fieldwork and Taguette 1.5.2 side by side, both as real HTTP servers on SQLite (Fieldwork on
PostgreSQL when BENCH_DATABASE_URL names a database to use), on the same work: a 20,000-word
transcript, 40 codes (Taguette's tags) and 2,000 codings (highlights) by one coder.

Each server is started on a fresh database and timed until it answers; the workload is
written into its database (Taguette's highlights straight into its tables, as its import
would, since 2,000 requests would take minutes); then a logged-in client over HTTP times
applying a code (p95 of --runs after WARM_UP left out, each followed by removing it;
Fieldwork with its bytecode cached, as pip leaves Taguette's; both clients keep their
connection open, as a browser does), the coding view (the page and
its data: Taguette's two requests, the document's highlights and its contents), and the
export of every excerpt: Fieldwork's Word file against Taguette's, which Taguette makes from its
HTML export with Calibre's `ebook-convert` (timed when Calibre is installed: `apt install
calibre`; its HTML export, a lower bound, is timed either way), and both XLSX and CSV
(Fieldwork's with 33 columns, Taguette's with 4). Then each server's peak memory (VmHWM) is
read. Prints one JSON line with both sets of figures and Taguette's time over Fieldwork's (how
many times faster Fieldwork is; memory: Taguette's over Fieldwork's).

Taguette goes in a virtual environment of its own:
    python3 -m venv /tmp/taguette-venv && /tmp/taguette-venv/bin/pip install taguette==1.5.2

usage (from the project folder): python -m bench.taguette [--taguette PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, make_url

from bench.agreement import synthetic_transcript
from bench.common import fresh_database_url
from bench.web_process import (
    PASSWORD,
    KeepAliveOpener,
    as_installed,
    fieldwork,
    free_port,
    keeping_alive,
    log_in,
    machine,
    memory_mb,
    serving,
)
from coding.models import Code, Coding, Source
from fieldwork.app import create_app
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from fieldwork.processes import stop_process

CODES = 40
CODINGS = 2_000
WARM_UP = 5
EMAIL = "lead@example.org"
TAGUETTE = Path("/tmp/taguette-venv/bin/taguette")
START_TIMEOUT_S = 120
JOIN_URL = re.compile(r"(http://\S+\?token=\S+)")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
Opener = urllib.request.OpenerDirector | KeepAliveOpener


def spans(length: int) -> list[tuple[int, int, int]]:
    """(code number, start, end) of the codings, spread over the text, 20 to 600 long."""
    step = (length - 700) // CODINGS
    return [(n % CODES, n * step, n * step + 20 + (n * 37) % 580) for n in range(CODINGS)]


def timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def p95(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {"median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1)}


def warmed_p95(runs: int, action: Callable[[int], float]) -> dict[str, float]:
    """p95 and median of `runs` timings of `action`, after WARM_UP runs left out: the first
    requests of a fresh server compile its SQL and templates, which a coder meets once."""
    for number in range(WARM_UP):
        action(runs + number)
    return p95([action(number) for number in range(runs)])


def median_of(runs: int, action: Callable[[], object]) -> float:
    return round(statistics.median(timed_ms(action) for _ in range(runs)), 1)


def read(opener: Opener, url: str, data: bytes | None = None,
         headers: dict[str, str] | None = None, method: str | None = None) -> bytes:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    with opener.open(request, timeout=600) as answer:
        return answer.read()


# Fieldwork ---------------------------------------------------------------------------------


def seed_fieldwork(instance: Path, database_url: str, text: str,
                   segments: list[tuple[int, int]]) -> tuple[int, int, list[int]]:
    """The project (led by EMAIL), its source and its codes' ids."""
    os.environ["FIELDWORK_INSTANCE_PATH"] = str(instance)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": database_url})
    with app.app_context():
        lead = db.session.scalar(db.select(User).where(User.email == EMAIL))
        project = Project(name="Side by side")
        db.session.add(project)
        db.session.flush()
        db.session.add(Membership(project=project, user=lead, role="lead"))
        codes = [Code(project_id=project.id, name=f"Code {n}", position=n)
                 for n in range(CODES)]
        source = Source(project_id=project.id, kind="transcript", title="Interview",
                        text=text, paragraphs=[{"start": s, "end": e, "speaker": "Respondent",
                                                "t0": i * 5.0, "t1": i * 5.0 + 5}
                                               for i, (s, e) in enumerate(segments)])
        db.session.add_all([*codes, source])
        db.session.flush()
        db.session.execute(insert(Coding), [
            {"project_id": project.id, "source_id": source.id, "code_id": codes[code].id,
             "coder_id": lead.id, "start": start, "end": end, "quote": text[start:end],
             "needs_review": False, "created_at": datetime.now(UTC)}
            for code, start, end in spans(len(text))])
        db.session.commit()
        ids = project.id, source.id, [code.id for code in codes]
        db.engine.dispose()
    return ids


def fieldwork_figures(runs: int, text: str,
                      segments: list[tuple[int, int]]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        database_url = fresh_database_url(instance)
        environment = as_installed({**os.environ, "FIELDWORK_INSTANCE_PATH": folder,
                                    "FIELDWORK_SECRET_KEY": "bench",
                                    "FIELDWORK_DATABASE_URL": database_url}, instance)
        subprocess.run(fieldwork("db", "upgrade"), env=environment, check=True,
                       capture_output=True)
        subprocess.run(fieldwork("create-user", EMAIL, "--name", "Lead", "--password",
                                 PASSWORD), env=environment, check=True, capture_output=True)
        project_id, source_id, code_ids = seed_fieldwork(instance, database_url, text,
                                                         segments)
        with serving(Path.cwd(), environment) as (pid, url, start_s):
            started_mb = memory_mb(pid)
            opener = keeping_alive(log_in(url, EMAIL))
            base = f"{url}/projects/{project_id}/coding"
            page = read(opener, f"{base}/sources/{source_id}").decode()
            headers = {"Content-Type": "application/json",
                       "X-CSRFToken": CSRF_META.search(page)[1]}

            def apply_and_remove(number: int) -> float:
                body = json.dumps({"codes": [code_ids[number % CODES]], "start": 11 + number,
                                   "end": 90 + number, "textVersion": 1}).encode()
                answer: dict = {}
                took = timed_ms(lambda: answer.update(json.loads(read(
                    opener, f"{base}/sources/{source_id}/codings", body, headers))))
                coding_id = answer["codings"][0]["id"]
                read(opener, f"{base}/codings/{coding_id}/remove", b"{}", headers)
                return took

            apply = warmed_p95(runs, apply_and_remove)
            exports = f"{base}/exports?sources={source_id}&what="
            source = f"{base}/sources/{source_id}"
            return {
                "start_s": round(start_s, 2), "rss_after_start_mb": started_mb,
                "apply_code": apply,
                "coding_page_ms": median_of(runs, lambda: read(opener, source)),
                "coding_data_ms": median_of(runs, lambda: read(opener, f"{source}/data")),
                "docx_export_ms": median_of(3, lambda: read(opener, exports + "excerpts_docx")),
                "xlsx_export_ms": median_of(3, lambda: read(opener, exports + "codings_xlsx")),
                "csv_export_ms": median_of(3, lambda: read(opener, exports + "codings_csv")),
                "peak_rss_mb": memory_mb(pid, "VmHWM"),
            }


# Taguette ----------------------------------------------------------------------------------


@contextmanager
def taguette_serving(program: Path, database: Path) -> Iterator[tuple[int, str, float]]:
    """Taguette (single-user mode) on a free port: its pid, its join link (which logs the
    browser in) and seconds until it printed the link and answered it."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([str(program), "--no-browser", "-p", str(port), "--database",
                               str(database)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        link = None
        for line in server.stdout:
            found = JOIN_URL.search(line)
            if found:
                link = found[1].replace("localhost", "127.0.0.1")
                break
        if link is None:
            raise RuntimeError("Taguette did not start")
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                    break
            except OSError:
                if time.perf_counter() - started > START_TIMEOUT_S:
                    raise
                time.sleep(0.05)
        yield server.pid, link, time.perf_counter() - started
    finally:
        stop_process(server, timeout=10)


def xsrf_headers(jar: http.cookiejar.CookieJar, json_body: bool = True) -> dict[str, str]:
    token = next(cookie.value for cookie in jar if cookie.name == "_xsrf")
    headers = {"X-XSRFToken": token}
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             .encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: text/html\r\n\r\n'.encode()
                 + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def taguette_project(opener: Opener, jar: http.cookiejar.CookieJar, url: str,
                     text: str) -> tuple[int, int, list[int]]:
    """A project with the transcript (as HTML, one paragraph a line) and the tags."""
    read(opener, f"{url}/project/new")
    form = urllib.parse.urlencode({"name": "Side by side", "description": "",
                                   "_xsrf": xsrf_headers(jar)["X-XSRFToken"]}).encode()
    with opener.open(f"{url}/project/new", data=form) as answer:
        project_id = int(answer.url.rstrip("/").rsplit("/", 1)[1])
    html = "".join(f"<p>{line}</p>" for line in text.split("\n")).encode()
    body, boundary = multipart({"name": "Interview", "description": "",
                                "text_direction": "LEFT_TO_RIGHT"}, "interview.html", html)
    headers = {**xsrf_headers(jar, json_body=False),
               "Content-Type": f"multipart/form-data; boundary={boundary}"}
    document_id = json.loads(read(opener, f"{url}/api/project/{project_id}/document/new", body,
                                  headers))["created"]
    tags = [json.loads(read(opener, f"{url}/api/project/{project_id}/tag/new", json.dumps(
        {"path": f"Code {n}", "description": ""}).encode(), xsrf_headers(jar)))["id"]
        for n in range(CODES)]
    return project_id, document_id, tags


def taguette_highlights(database: Path, document_id: int, tags: list[int]) -> int:
    """The 2,000 highlights written into Taguette's tables; the document's length."""
    with sqlite3.connect(database) as connection:
        contents = connection.execute("SELECT contents FROM documents WHERE id = ?",
                                      (document_id,)).fetchone()[0]
        length = len(re.sub(r"<[^>]+>", "", contents))
        for code, start, end in spans(length):
            cursor = connection.execute(
                "INSERT INTO highlights (document_id, start_offset, end_offset, snippet) "
                "VALUES (?, ?, ?, ?)", (document_id, start, end, "…"))
            connection.execute("INSERT INTO highlight_tags (highlight_id, tag_id) VALUES (?, ?)",
                               (cursor.lastrowid, tags[code]))
    return length


def taguette_figures(program: Path, runs: int, text: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "taguette.sqlite3"
        with taguette_serving(program, database) as (pid, link, start_s):
            started_mb = memory_mb(pid)
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            read(opener, link)
            url = link.split("/?", 1)[0]
            project_id, document_id, tags = taguette_project(opener, jar, url, text)
            opener = KeepAliveOpener(jar)
            taguette_highlights(database, document_id, tags)
            api = f"{url}/api/project/{project_id}/document/{document_id}"

            def apply_and_remove(number: int) -> float:
                body = json.dumps({"start_offset": 11 + number, "end_offset": 90 + number,
                                   "tags": [tags[number % CODES]]}).encode()
                answer: dict = {}
                took = timed_ms(lambda: answer.update(json.loads(read(
                    opener, f"{api}/highlight/new", body, xsrf_headers(jar)))))
                read(opener, f"{api}/highlight/{answer['id']}", None, xsrf_headers(jar),
                     method="DELETE")
                return took

            apply = warmed_p95(runs, apply_and_remove)
            exports = f"{url}/project/{project_id}/export/highlights/"
            return {
                "start_s": round(start_s, 2), "rss_after_start_mb": started_mb,
                "apply_code": apply,
                "coding_page_ms": median_of(runs, lambda: read(
                    opener, f"{url}/project/{project_id}/document/{document_id}")),
                "coding_data_ms": median_of(runs, lambda: (read(opener, api),
                                                           read(opener, f"{api}/contents"))),
                "html_export_ms": median_of(3, lambda: read(opener, exports + ".html")),
                "docx_export_ms": (median_of(3, lambda: read(opener, exports + ".docx"))
                                   if shutil.which("ebook-convert") else None),
                "xlsx_export_ms": median_of(3, lambda: read(opener, exports + ".xlsx")),
                "csv_export_ms": median_of(3, lambda: read(opener, exports + ".csv")),
                "peak_rss_mb": memory_mb(pid, "VmHWM"),
            }


def ratios(ours: dict[str, object], theirs: dict[str, object]) -> dict[str, float]:
    """Taguette's figure over Fieldwork's, for each measure both have."""
    pairs = {"apply_code_p95": (ours["apply_code"]["p95_ms"], theirs["apply_code"]["p95_ms"]),
             "coding_view": (ours["coding_page_ms"] + ours["coding_data_ms"],
                             theirs["coding_page_ms"] + theirs["coding_data_ms"]),
             "word_export": (ours["docx_export_ms"], theirs["docx_export_ms"]),
             "word_export_at_least": (ours["docx_export_ms"], theirs["html_export_ms"]),
             "xlsx_export": (ours["xlsx_export_ms"], theirs["xlsx_export_ms"]),
             "csv_export": (ours["csv_export_ms"], theirs["csv_export_ms"]),
             "start": (ours["start_s"], theirs["start_s"]),
             "peak_memory": (ours["peak_rss_mb"], theirs["peak_rss_mb"])}
    return {name: round(theirs_value / ours_value, 2)
            for name, (ours_value, theirs_value) in pairs.items() if theirs_value is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taguette", type=Path, default=TAGUETTE)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    load_before = os.getloadavg()
    text, segments = synthetic_transcript()
    ours = fieldwork_figures(args.runs, text, segments)
    theirs = taguette_figures(args.taguette, args.runs, text)
    print(json.dumps({
        "bench": "taguette", "words": 20_000, "codes": CODES, "codings": CODINGS,
        "runs": args.runs, "fieldwork_database": make_url(
            os.environ.get("BENCH_DATABASE_URL", "sqlite://")).get_backend_name(),
        "fieldwork": ours, "taguette_1_5_2": theirs,
        "taguette_over_fieldwork": ratios(ours, theirs), **machine(),
        "load_average_before": load_before,
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
    }))


if __name__ == "__main__":
    main()
