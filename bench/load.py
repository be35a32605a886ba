"""Load test: 50 team members at once on gunicorn and PostgreSQL.

Creates a PostgreSQL database of its own (`fieldwork_load_<pid>_<random>`), seeds it
with bench.load_seed's project (the demo grown to 50 members, 240 interviews over eight weeks,
6 coded interview transcripts and 40 coded documents, 32,000 codings), starts gunicorn on
127.0.0.1 (2 × cores + 1 sync workers, the app loaded once before they fork) and one
`fieldwork worker`, with the job queue in Redis under the run's own name (its keys deleted
at the end, no others), and runs locust headless (bench/locustfile.py: each simulated user logs
in as a different member and mixes calendar, coding and retrieval pages as their role does,
5–15 s apart unless --think says otherwise).
Prints one JSON line: requests per second, errors, and the median, 95th and 99th percentile
of response time per page and overall (ms, as the client saw them), with the machine's
1-minute load average during the run. Stops gunicorn and the worker and drops the database
at the end, also after an error.

All users log in from one address, so the run allows 1,000 login attempts a minute instead
of the default 10.

needs: pip install -e ".[bench]" (locust, gunicorn); PostgreSQL and Redis on 127.0.0.1
usage (from the project folder):
    python -m bench.load [--users 50] [--seconds 150] [--think MIN MAX] [--workers N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis import Redis
from sqlalchemy import create_engine, make_url, text

from bench.common import bench_app
from bench.load_seed import Plan, seed
from fieldwork.extensions import db
from fieldwork.processes import stop_process

ROOT = Path(__file__).resolve().parent.parent
#: this run's own names: a shared server's other databases and Redis keys are left alone
RUN_NAME = f"fieldwork_load_{os.getpid()}_{secrets.token_hex(3)}"
DATABASE_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{RUN_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/0"
PORT = 8765
READY_TIMEOUT_S = 180
LOAD_SAMPLE_S = 5


def seed_database(folder: str, url: str) -> Plan:
    """A fresh database at `url` with the load project; the instance folder is `folder`."""
    os.environ["BENCH_DATABASE_URL"] = url
    app, _url = bench_app(folder)
    with app.app_context():
        plan = seed(random.Random(9))
        db.engine.dispose()
    analyse(url)
    return plan


def analyse(url: str) -> None:
    """VACUUM ANALYZE, as autovacuum would have done on a server that has run for a while:
    without the statistics the planner takes 32,000 codings for a handful."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def delete_run_keys(redis: Redis) -> None:
    """The job queue's keys of this run, and no one else's."""
    for key in redis.scan_iter(match=f"*{RUN_NAME}*"):
        redis.delete(key)


def server_environment(folder: str, url: str) -> dict[str, str]:
    return {**os.environ, "FIELDWORK_INSTANCE_PATH": folder, "FIELDWORK_DATABASE_URL": url,
            "FIELDWORK_REDIS_URL": REDIS_URL, "FIELDWORK_QUEUE_NAME": RUN_NAME,
            # login attempts are counted in each process: with a limit no user reaches, the
            # Redis keys of the limiter, which are not named by the run, are not needed
            "FIELDWORK_RATELIMIT_STORAGE_URL": "memory://",
            "FIELDWORK_LOGIN_RATE_LIMIT": "1000 per minute",
            "FIELDWORK_SECRET_KEY": "load-test"}


def start(stack: ExitStack, command: list[str], env: dict[str, str], log: Path) -> None:
    """Start a process whose output goes to `log`; `stack` stops it (and waits) on exit."""
    handle = stack.enter_context(log.open("w"))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle,
                               stderr=subprocess.STDOUT)
    stack.callback(stop_process, process, timeout=30)


def wait_until_ready(base: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def run_locust(base: str, plan_file: Path, prefix: Path, args: argparse.Namespace
               ) -> list[float]:
    """Run locust to the end; return the 1-minute load averages sampled meanwhile."""
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
               "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
               "--run-time", f"{args.seconds}s", "--host", base, "--csv", str(prefix),
               "--only-summary", "--stop-timeout", "10"]
    loads = []
    with (prefix.parent / "locust.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "LOAD_PLAN": str(plan_file),
                                        "LOAD_THINK": f"{args.think[0]},{args.think[1]}"})
        while process.poll() is None:
            loads.append(os.getloadavg()[0])
            time.sleep(LOAD_SAMPLE_S)
    if not prefix.with_name(prefix.name + "_stats.csv").exists():
        sys.exit("locust wrote no figures:\n" + (prefix.parent / "locust.log").read_text())
    return loads


def figures(row: dict[str, str]) -> dict[str, Any]:
    return {"requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
            "requests_per_s": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]), "max_ms": round(float(row["Max Response Time"]))}


def read_results(prefix: Path) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Overall figures, figures per page, and the errors locust recorded."""
    with prefix.with_name(prefix.name + "_stats.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    overall = next(figures(r) for r in rows if r["Name"] == "Aggregated")
    pages = {r["Name"]: figures(r) for r in rows if r["Name"] != "Aggregated"}
    with prefix.with_name(prefix.name + "_failures.csv").open() as handle:
        errors = [f"{r['Occurrences']}× {r['Name']}: {r['Error']}"
                  for r in csv.DictReader(handle)]
    return overall, pages, errors


def load_test(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    with ExitStack() as stack:
        stack.callback(delete_run_keys, Redis.from_url(REDIS_URL))
        stack.callback(drop_database, args.database_url)
        plan = seed_database(str(folder), args.database_url)
        plan_file = folder / "plan.json"
        plan_file.write_text(json.dumps(plan.as_json()))
        env = server_environment(str(folder), args.database_url)
        base = f"http://127.0.0.1:{args.port}"
        start(stack, [sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
                      "--bind", f"127.0.0.1:{args.port}", "--preload", "wsgi:app"], env,
              folder / "gunicorn.log")
        start(stack, [sys.executable, "-m", "fieldwork", "worker"], env, folder / "worker.log")
        wait_until_ready(base)
        loads = run_locust(base, plan_file, folder / "locust", args)
        overall, pages, errors = read_results(folder / "locust")
    for error in errors:
        print(error, file=sys.stderr)
    return {"overall": overall, "pages": pages,
            "load_average_1min": [min(loads), max(loads)] if loads else [],
            "interviews": plan.interviews, "sources": len(plan.sources),
            "codings": plan.codings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--seconds", type=int, default=150, help="length of the run")
    parser.add_argument("--think", type=float, nargs=2, default=[5.0, 15.0],
                        metavar=("MIN", "MAX"), help="seconds between a user's actions")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--database-url", default=DATABASE_URL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = load_test(args, Path(folder))
    print(json.dumps({
        "bench": "load", "database": make_url(args.database_url).get_backend_name(),
        "users": args.users, "seconds": args.seconds, "think_s": args.think,
        "gunicorn_workers": args.workers,
        **results, "cores": os.cpu_count(), "python": platform.python_version(),
        "machine": platform.machine(), "date": datetime.now(UTC).date().isoformat(),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
