"""Open pages against the embedded server (`fieldwork serve`, waitress, SQLite): do pages
still answer while many coding pages hold live-update streams?

Starts `fieldwork serve` on a fresh SQLite instance with --threads N and LIVE_STREAMS S, opens
`--pages` coding pages' streams (those beyond S are told to poll and let go of their thread,
as the page does), then times 40 requests for another page (the source list) while they are
open. Prints one JSON line with the median and slowest time and the streams held.

usage (from the project folder):
    python -m bench.live_embedded [--threads 16] [--live-streams 8] [--pages 20]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench.live import SECRET, seed, signed_in
from fieldwork.app import create_app
from fieldwork.extensions import db
from fieldwork.processes import stop_process

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(folder: Path, port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FIELDWORK_INSTANCE_PATH": str(folder), "FIELDWORK_SECRET_KEY": SECRET,
           "FIELDWORK_LIVE_STREAMS": str(args.live_streams)}
    process = subprocess.Popen([sys.executable, "-m", "fieldwork", "serve", "--port", str(port),
                                "--threads", str(args.threads)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return process
        except requests.ConnectionError:
            time.sleep(0.3)
    raise SystemExit("fieldwork serve did not answer")


def hold_stream(browser: requests.Session, url: str, held: list[int], stop: threading.Event
                ) -> None:
    with contextlib.suppress(requests.RequestException), browser.get(
            url, stream=True, timeout=60) as response:
        for line in response.iter_lines(decode_unicode=True):
            if line == "event: poll":
                return
            if line.startswith("event: resync"):
                held.append(1)
            if stop.is_set():
                return


def run(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    port = free_port()
    process = serve(folder, port, args)
    try:
        os.environ["FIELDWORK_INSTANCE_PATH"] = str(folder)
        app = create_app({"SECRET_KEY": SECRET})
        plan = seed(app, args.pages + 1, 1)
        base = f"http://127.0.0.1:{port}/projects/{plan['project']}/coding"
        source = plan["sources"][0][0]
        held: list[int] = []
        stop = threading.Event()
        for n, user in enumerate(plan["users"][:args.pages]):
            threading.Thread(target=hold_stream, daemon=True, args=(
                signed_in(app, user), f"{base}/sources/{source}/live?tab=p{n}", held,
                stop)).start()
        time.sleep(3)
        reader = signed_in(app, plan["users"][-1])
        times = []
        for _ in range(40):
            started = time.perf_counter()
            assert reader.get(f"{base}/sources/", timeout=60).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        stop.set()
        with app.app_context():
            db.engine.dispose()
    finally:
        stop_process(process, timeout=30)
    return {"streams_held": len(held), "page_median_ms": round(statistics.median(times), 1),
            "page_max_ms": round(max(times), 1), "load_average_1min": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--live-streams", type=int, default=8)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = run(args, Path(folder))
    print(json.dumps({"bench": "live_embedded", "threads": args.threads,
                      "live_streams": args.live_streams, "pages": args.pages, **results,
                      "cores": os.cpu_count(), "python": platform.python_version(),
                      "date": datetime.now(UTC).date().isoformat()}))


if __name__ == "__main__":
    main()
