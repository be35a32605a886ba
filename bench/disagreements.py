"""The disagreements page on a long transcript, and settling one disagreement.

The project of bench.coding_page (a 20,000-word transcript in segments, 20 codes, 2,000
codings by three coders) with its first coder as lead. Times, through the test client (server
time), the disagreements of the first two coders (every segment with its words, and the
figures before and after), and settling one (the decision, the consensus of the source brought
up to date, and the redirect), p95 over the runs. Prints one JSON line in milliseconds.

usage (from the project folder): python -m bench.disagreements [--runs N]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
from datetime import UTC, datetime

from sqlalchemy import make_url

from bench.agreement import CODERS
from bench.coding_page import build, p95
from bench.common import bench_app, get_ok, logged_in_client, timed
from coding.consensus import review
from fieldwork.extensions import db
from fieldwork.models import Membership, Project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app, url = bench_app(folder)
        with app.app_context():
            project_id, coders, source_id, _ = build()
            db.session.scalar(db.select(Membership).where(
                Membership.user_id == coders["ana"])).role = "lead"
            db.session.commit()
            found = review(db.session.get(Project, project_id), [source_id],
                           [coders["ana"], coders["ben"]])
            keys = [item.segment.key for item in found.items]
            kinds = {kind: sum(1 for i in found.items if i.segment.kind == kind)
                     for kind in ("a_only", "b_only", "code", "extent")}
        client = logged_in_client(app, coders["ana"])
        query = f"?sources={source_id}&coders={coders['ana']}&coders={coders['ben']}"
        page = f"/projects/{project_id}/coding/agreement/disagreements{query}"
        settled: list[str] = []

        def settle() -> None:
            key = keys[len(settled)]
            response = client.post(
                f"/projects/{project_id}/coding/agreement/disagreements/settle{query}",
                data={"source": source_id, "segment": key, "action": "drop"})
            assert response.status_code == 303, response.status_code
            settled.append(key)

        get_ok(client, page)()
        figures = {"page": timed(args.runs, get_ok(client, page)),
                   "settle": p95(args.runs, settle)}
        figures["page_after_settling"] = timed(args.runs, get_ok(client, page))
        size = len(client.get(page).data)
    print(json.dumps({
        "bench": "disagreements", "database": make_url(url).get_backend_name(),
        "words": 20_000, "codings": 2_000, "coders": len(CODERS), "runs": args.runs,
        "disagreements": len(keys), **kinds, "page_bytes": size, **figures,
        "python": platform.python_version(), "machine": platform.machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }))


if __name__ == "__main__":
    main()
