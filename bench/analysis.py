"""Retrieval, matrices and full-text search at the size of the study.

A fresh database (SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is
given) gets a project with 200 sources (text from bench.agreement's vocabulary, each linked
to a partnership between one of 40 EU cities and a US or Chinese city), 40 codes and 100,000
codings by three coders. Times, through the test client with a logged-in lead (server time),
a filtered retrieval (a code with its sub-codes, Chinese partners, CEE cities), a retrieval
of all 40 codes, a code × city
matrix, a code × partner country matrix, the co-occurrence table and a full-text search.
Prints one JSON line with the median and slowest of the runs in milliseconds.

usage (from the project folder): python -m bench.analysis [--runs N] [--codings N]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import insert, make_url

from bench.agreement import vocabulary
from bench.common import bench_app, get_ok, logged_in_client, timed
from casestudies.models import Partnership, Place
from coding.models import Code, Coding, Source, source_partnerships
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User

SOURCES = 200
CODINGS = 100_000
CODES = 40


def cities(rng: random.Random) -> tuple[list[Place], list[Place]]:
    eu = [Place(key=f"bench:eu:{n}", kind="city", name=f"EU city {n}", name_local=f"EU city {n}",
                country_code=("PL", "CZ", "FR", "DE")[n % 4], is_eu=True, is_cee=n % 4 < 2,
                population=rng.randint(50_000, 2_000_000)) for n in range(40)]
    partners = [Place(key=f"bench:p:{n}", kind="city", name=f"Partner {n}",
                      name_local=f"Partner {n}", country_code=("US", "CN")[n % 2],
                      population=1_000_000) for n in range(40)]
    db.session.add_all(eu + partners)
    db.session.flush()
    return eu, partners


def build(rng: random.Random, codings: int = CODINGS) -> tuple[int, int, list[int]]:
    project = Project(name="Bench analysis")
    users = [User(email=f"c{n}@example.org", name=f"Coder {n}", password_hash="x")
             for n in range(3)]
    db.session.add_all([project, *users])
    db.session.flush()
    db.session.add_all([Membership(project=project, user=u, role="lead" if i == 0 else "coder")
                        for i, u in enumerate(users)])
    eu, partners = cities(rng)
    words = vocabulary()
    top = [Code(project_id=project.id, name=f"Theme {n}", position=n) for n in range(CODES // 4)]
    db.session.add_all(top)
    db.session.flush()
    children = [Code(project_id=project.id, name=f"Sub {n}", parent_id=top[n % len(top)].id,
                     position=n) for n in range(CODES - len(top))]
    db.session.add_all(children)
    db.session.flush()
    codes = [c.id for c in top + children]
    sources = []
    for n in range(SOURCES):
        text = " ".join(rng.choice(words) for _ in range(3000))
        partnership = Partnership(project_id=project.id, eu_place=eu[n % 40],
                                  partner_place=partners[n % 40], kind="sister_city")
        source = Source(project_id=project.id, kind="document", title=f"Source {n}", text=text,
                        paragraphs=[{"start": 0, "end": len(text)}])
        db.session.add_all([partnership, source])
        db.session.flush()
        db.session.execute(insert(source_partnerships), [
            {"source_id": source.id, "partnership_id": partnership.id}])
        sources.append((source.id, len(text)))
    rows = []
    for _ in range(codings):
        source_id, length = rng.choice(sources)
        start = rng.randrange(length - 400)
        rows.append({"project_id": project.id, "source_id": source_id, "code_id": rng.choice(codes),
                     "coder_id": rng.choice(users).id, "start": start,
                     "end": start + rng.randint(20, 400), "quote": "", "needs_review": False,
                     "created_at": datetime.now(UTC)})
    db.session.execute(insert(Coding), rows)
    db.session.commit()
    return project.id, users[0].id, [code.id for code in top + children]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--codings", type=int, default=CODINGS)
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        app, url = bench_app(folder)
        with app.app_context():
            project_id, lead_id, code_ids = build(rng, args.codings)
        client = logged_in_client(app, lead_id)
        base = f"/projects/{project_id}/coding"

        def get(path: str) -> Callable[[], None]:
            return get_ok(client, path)

        word = vocabulary()[3]
        every_code = "&".join(f"codes={code_id}" for code_id in code_ids)
        figures = {
            "retrieval_filtered": timed(args.runs, get(
                f"{base}/retrieve?codes={code_ids[0]}&with_subcodes=y&partner_country=CN"
                "&cee=yes")),
            "retrieval_all_codes": timed(args.runs, get(f"{base}/retrieve?{every_code}")),
            "matrix_code_by_city": timed(args.runs, get(f"{base}/matrix?dimension=city")),
            "matrix_code_by_partner_country": timed(args.runs, get(
                f"{base}/matrix?dimension=partner_country")),
            "co_occurrence": timed(args.runs, get(f"{base}/overlaps")),
            "full_text_search": timed(args.runs, get(f"{base}/search?q={word}+cooperation")),
        }
    print(json.dumps({
        "bench": "analysis", "database": make_url(url).get_backend_name(), "sources": SOURCES,
        "codings": args.codings, "codes": CODES, "runs": args.runs, **figures,
        "python": platform.python_version(), "machine": platform.machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }))


if __name__ == "__main__":
    main()
