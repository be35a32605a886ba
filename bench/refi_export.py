"""REFI-QDA project export (.qdpx) at the size of the study.

A fresh database (SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is
given) gets a project with three coders, a tree of 60 codes, 200 sources of about 15,000
characters each (Polish and Chinese words, so positions count code points past multi-byte
characters), each with two attributes, 100,000 codings and 2,000 memos. Times, through the
test client with the logged-in lead (server time: the whole request inside the app), the
export of the project as .qdpx (its background task run within the request, JOBS_IMMEDIATE)
and the download of its file; then imports that file once into an empty project. Prints
one JSON line with the figures.

usage (from the project folder): python -m bench.refi_export [--runs N]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import insert, make_url

from bench.common import bench_app, logged_in_client, timed
from coding.models import Code, Coding, Memo, Source
from coding.refi import import_project
from coding.sources import document_paragraphs
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User

SOURCES = 200
CODINGS = 100_000
MEMOS = 2_000
SOURCE_CHARACTERS = 15_000
WORDS = ("współpraca", "miasto", "partner", "inwestycje", "Wrocław", "Guangzhou", "urząd",
         "delegacja", "umowa", "gospodarka", "合作", "城市", "投资", "the", "agreement",
         "investors", "officials", "mayor", "region", "exchange", "students", "culture")


def source_text(rng: random.Random) -> str:
    paragraphs, length = [], 0
    while length < SOURCE_CHARACTERS:
        paragraph = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120))) + "."
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def build(rng: random.Random) -> tuple[int, int]:
    """The project's and the lead's ids."""
    project = Project(name="Bench REFI-QDA")
    users = [User(email=f"coder{n}@example.org", name=f"Coder {n}", password_hash="x")
             for n in range(3)]
    db.session.add_all([project, *users])
    db.session.flush()
    db.session.add_all([Membership(project=project, user=user, role="lead" if n == 0 else "coder")
                        for n, user in enumerate(users)])
    tops = [Code(project_id=project.id, name=f"Theme {n}", colour="#1F77B4", position=n,
                 definition=f"Definition of theme {n}.") for n in range(10)]
    db.session.add_all(tops)
    db.session.flush()
    children = [Code(project_id=project.id, parent_id=top.id, name=f"Sub-theme {n}",
                     colour="#FF7F0E", position=n) for top in tops for n in range(5)]
    sources = []
    for n in range(SOURCES):
        text = source_text(rng)
        sources.append(Source(project_id=project.id, kind="document", title=f"Interview {n:03}",
                              text=text, paragraphs=document_paragraphs(text),
                              attributes={"Partner country": rng.choice(["US", "China"]),
                                          "Level": rng.choice(["City", "Region"])},
                              created_by_id=users[0].id))
    db.session.add_all([*children, *sources])
    db.session.flush()
    code_ids = [code.id for code in (*tops, *children)]
    now = datetime.now(UTC)
    rows = []
    for n in range(CODINGS):
        source = sources[n % SOURCES]
        start = rng.randrange(0, len(source.text) - 400)
        end = start + rng.randint(20, 400)
        rows.append({"project_id": project.id, "source_id": source.id,
                     "code_id": rng.choice(code_ids), "coder_id": rng.choice(users).id,
                     "start": start, "end": end, "quote": source.text[start:end],
                     "needs_review": False, "created_at": now})
    coding_ids = list(db.session.scalars(
        insert(Coding).returning(Coding.id, sort_by_parameter_order=True), rows))
    db.session.execute(insert(Memo), [
        {"project_id": project.id, "author_id": users[0].id, "coding_id": coding_id,
         "title": "", "body": f"Memo {n} on a coding.", "created_at": now, "updated_at": now}
        for n, coding_id in enumerate(rng.sample(coding_ids, MEMOS))])
    db.session.commit()
    return project.id, users[0].id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(8)
    with tempfile.TemporaryDirectory() as folder:
        app, url = bench_app(folder, JOBS_IMMEDIATE=True)
        with app.app_context():
            project_id, lead_id = build(rng)
        client = logged_in_client(app, lead_id)
        exported: list[bytes] = []

        def export() -> None:
            task = client.post(f"/projects/{project_id}/coding/exchange/export")
            assert task.status_code == 302, task.status_code
            response = client.get(f"{task.location}/download")
            assert response.status_code == 200, response.status_code
            exported[:] = [response.data]

        figures = {"export_qdpx": timed(args.runs, export),
                   "qdpx_mb": round(len(exported[0]) / 2**20, 1)}
        with app.app_context():
            empty = Project(name="Bench REFI-QDA import")
            db.session.add(empty)
            db.session.flush()
            start, cpu = time.perf_counter(), time.process_time()
            report = import_project(empty, exported[0], "bench.qdpx",
                                    db.session.get(User, lead_id))
            db.session.commit()
            figures["import_qdpx_s"] = round(time.perf_counter() - start, 2)
            figures["import_qdpx_cpu_s"] = round(time.process_time() - cpu, 2)
            assert (report.sources, report.codings) == (SOURCES, CODINGS), report
    print(json.dumps({
        "bench": "refi_export", "database": make_url(url).get_backend_name(),
        "sources": SOURCES, "codings": CODINGS, "memos": MEMOS, "runs": args.runs, **figures,
        "python": platform.python_version(), "machine": platform.machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }))


if __name__ == "__main__":
    main()
