"""The coding page on a long transcript.

A fresh database (SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is
given) gets a project with three coders, a 20,000-word transcript source in segments, 20 codes
and 2,000 codings by the three coders (from bench.agreement). Times, through the test client
with a logged-in coder (server time: the whole request inside the app), the coding page, its
data request (every coding, "everyone" view), the coder-against-coder view, and applying and
removing a code (p95 over the runs), and counts the SQL statements of one apply and one
removal. Prints one JSON line with the figures in milliseconds.

usage (from the project folder): python -m bench.coding_page [--runs N]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import insert, make_url

from bench.agreement import CODERS, synthetic_codings, synthetic_transcript
from bench.common import bench_app, get_ok, logged_in_client, statements_during, timed
from coding.models import Code, Coding, Source
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User


def build() -> tuple[int, dict[str, int], int, list[int]]:
    """The project, its coders' ids, the source's id and the codes' ids."""
    text, segments = synthetic_transcript()
    project = Project(name="Bench coding")
    users = {name: User(email=f"{name}@example.org", name=name.title(), password_hash="x")
             for name in CODERS}
    db.session.add_all([project, *users.values()])
    db.session.flush()
    db.session.add_all([Membership(project=project, user=user, role="coder")
                        for user in users.values()])
    codes = [Code(project_id=project.id, name=f"Code {n}", colour="#FFE08A", position=n)
             for n in range(20)]
    source = Source(project_id=project.id, kind="transcript", title="Bench transcript",
                    text=text, paragraphs=[{"start": s, "end": e, "speaker": "Respondent",
                                            "t0": i * 5.0, "t1": i * 5.0 + 5}
                                           for i, (s, e) in enumerate(segments)])
    db.session.add_all([*codes, source])
    db.session.flush()
    code_ids = {f"code-{n}": code.id for n, code in enumerate(codes)}
    db.session.execute(insert(Coding), [
        {"project_id": project.id, "source_id": source.id, "code_id": code_ids[c.code],
         "coder_id": users[c.coder].id, "start": c.start, "end": c.end,
         "quote": text[c.start:c.end], "needs_review": False, "created_at": datetime.now(UTC)}
        for c in synthetic_codings(len(text))
    ])
    db.session.commit()
    return project.id, {n: u.id for n, u in users.items()}, source.id, list(code_ids.values())


def p95(runs: int, action: Callable[[], object]) -> dict[str, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app, url = bench_app(folder)
        with app.app_context():
            project_id, coders, source_id, code_ids = build()
        client = logged_in_client(app, coders["ana"])
        base = f"/projects/{project_id}/coding"

        def get(path: str) -> Callable[[], None]:
            return get_ok(client, path)

        made: list[int] = []

        def apply() -> None:
            start = 1000 + len(made) * 37
            response = client.post(f"{base}/sources/{source_id}/codings", json={
                "codes": [code_ids[len(made) % 20]], "start": start, "end": start + 120,
                "textVersion": 1})
            made.append(response.json["codings"][0]["id"])

        def remove() -> None:
            response = client.post(f"{base}/codings/{made.pop()}/remove")
            assert response.status_code == 200

        get(f"{base}/sources/{source_id}")()
        figures = {
            "coding_page": timed(args.runs, get(f"{base}/sources/{source_id}")),
            "coding_data_everyone": timed(args.runs, get(f"{base}/sources/{source_id}/data")),
            "coding_data_compare": timed(args.runs, get(
                f"{base}/sources/{source_id}/data?mode=compare&a={coders['ana']}"
                f"&b={coders['ben']}")),
            "apply_code": p95(args.runs, apply),
            "remove_code": p95(args.runs, remove),
            "apply_code_statements": statements_during(app, apply),
            "remove_code_statements": statements_during(app, remove),
        }
    print(json.dumps({
        "bench": "coding_page", "database": make_url(url).get_backend_name(),
        "words": 20_000, "codings": 2_000, "coders": len(CODERS), "runs": args.runs,
        **figures, "python": platform.python_version(), "machine": platform.machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }))


if __name__ == "__main__":
    main()
