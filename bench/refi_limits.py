"""What refusing hostile REFI-QDA files costs, what reading the largest honest ones costs,
and how long another writer waits on SQLite while an import runs (issue 16).

1. Bombs (tests/zipbombs.py): each is read by `read_project` in a fresh process, which
   reports the time and how far its peak resident memory (VmHWM, reset once the modules
   are loaded) rose above what it held before. "zipfile" rows read the same archive as the
   reader before issue 16 did (`ZipFile.read`), for comparison.
2. Honest files at the default caps: a project.qde of 190 MB (≈560,000 codings), XML of
   3,000,000 elements (the element cap) and texts of 2 × 190 MB, read the same way: the
   bound of the reading phase of an import.
3. Writers: a coder saves a coding every 100 ms (test client, its own request and commit)
   while a process of its own runs a queued task as a worker would: the import of a refused
   5 KB bomb, then of an honest .qdpx of 100,000 codings on 200 ASCII sources, the same
   file imported as before issue 16's batches (read whole, one transaction) for comparison
   in the same run, then the export of that project. Longest wait of a save, the task's
   time, the worker's peak memory; on SQLite, or on PostgreSQL when BENCH_DATABASE_URL
   names a database to make.

usage (from the project folder): python -m bench.refi_limits [--parts bombs,honest,writers]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.datastructures import FileStorage

from bench.common import bench_app, logged_in_client
from coding import tasks
from coding.codebook import CodeFields, create_code
from coding.models import Source
from coding.refi import RefiError, import_project, read_project
from coding.sources import document_paragraphs
from fieldwork.app import create_app
from fieldwork.background.work import run_task
from fieldwork.database import writing
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Membership, Project, User
from tests.zipbombs import (
    BZIP2_BLOCK_ZEROS,
    Entry,
    archive_of,
    bzip2_bomb,
    deflate_bomb,
    deflate_repeated,
)

MB = 2**20
LOREM = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 10_000
GUID = "{:08x}-0000-4000-8000-{:012x}"
WORDS = ("cooperation", "city", "partner", "investment", "delegation", "agreement", "economy",
         "mayor", "region", "exchange", "students", "culture", "officials", "Wroclaw",
         "Guangzhou", "the", "and", "with", "for", "of")


def text_deflated(count: int, declared: int | None = None) -> Entry:
    data, crc = deflate_repeated(LOREM, count)
    size = len(LOREM) * count
    return Entry("project.qde", data, zipfile.ZIP_DEFLATED,
                 size if declared is None else declared, crc)


def bombs() -> dict[str, bytes]:
    blocks_1g = 1 + 2**30 // BZIP2_BLOCK_ZEROS
    many = Entry.stored("project.qde", b"<Project/>")
    return {
        "5 KB bzip2, 6.8 GiB, declaring 1,000 bytes": bzip2_bomb("project.qde", 160, 1_000),
        "5 KB bzip2, 6.8 GiB, declared honestly": bzip2_bomb("project.qde", 160),
        "5 KB bzip2, 6.8 GiB, declaring 150 MB": bzip2_bomb("project.qde", 160, 150 * MB),
        "1.1 KB bzip2, 1.0 GiB, declaring 1,000 bytes": bzip2_bomb("project.qde", blocks_1g,
                                                                   1_000),
        "400 MiB of text (deflate), declared honestly": archive_of(
            [text_deflated(400 * MB // len(LOREM))]),
        "400 MiB of text (deflate), declaring 150 MB": archive_of(
            [text_deflated(400 * MB // len(LOREM), 150 * MB)]),
        "2 GiB of zeros (deflate), declaring 150 MB": deflate_bomb("project.qde", 2 * 2**30,
                                                                   150 * MB),
        "10,000 directory entries on one member": archive_of(
            [many], [(Entry.stored(f"s/{n}.txt", b"<Project/>"), 0) for n in range(10_000)]),
    }


def project_xml(sources: int, codings: int, text_length: int, rng: random.Random) -> tuple[
        bytes, dict[str, bytes]]:
    """A .qde with a code tree of 60, `sources` ASCII texts and `codings` codings by 3
    users, and the texts' files."""
    codes = [GUID.format(1, n) for n in range(60)]
    users = [GUID.format(2, n) for n in range(3)]
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
             'name="Bench" origin="Bench"><Users>',
             *(f'<User guid="{user}" name="Coder {n}"/>' for n, user in enumerate(users)),
             "</Users><CodeBook><Codes>"]
    for top in range(10):
        parts.append(f'<Code guid="{codes[top]}" name="Theme {top}" isCodable="true">')
        parts += [f'<Code guid="{codes[10 + top * 5 + n]}" name="Sub-theme {n}" '
                  'isCodable="true"/>' for n in range(5)]
        parts.append("</Code>")
    parts.append("</Codes></CodeBook><Sources>")
    files = {}
    per_source = codings // sources
    for number in range(sources):
        guid = GUID.format(3, number)
        words = []
        while sum(len(word) + 1 for word in words) < text_length:
            words.append(rng.choice(WORDS))
        text = " ".join(words)
        files[f"sources/{guid}.txt"] = text.encode()
        parts.append(f'<TextSource guid="{guid}" name="Interview {number:04}" '
                     f'plainTextPath="internal://{guid}.txt">')
        for n in range(per_source):
            start = rng.randrange(0, len(text) - 400)
            parts.append(
                f'<PlainTextSelection guid="{GUID.format(4, number * per_source + n)}" '
                f'startPosition="{start}" endPosition="{start + rng.randint(20, 400)}">'
                f'<Coding guid="{GUID.format(5, number * per_source + n)}" '
                f'creatingUser="{rng.choice(users)}"><CodeRef targetGUID="{rng.choice(codes)}"/>'
                "</Coding></PlainTextSelection>")
        parts.append("</TextSource>")
    parts.append("</Sources></Project>")
    return "".join(parts).encode(), files


def qdpx(qde: bytes, files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def honest(rng: random.Random) -> dict[str, bytes]:
    """Files at the default caps, each read whole."""
    qde, files = project_xml(400, 560_000, 15_000, rng)
    elements = (b"<Project><Sets>" + b"<Set/>" * (3_000_000 - 3) + b"</Sets></Project>")
    block = " ".join(rng.choice(WORDS) for _ in range(150_000)).encode()[:MB]
    big_text = block * 190
    two_texts = ('<Project xmlns="urn:QDA-XML:project:1.0" name="Big"><Sources>' + "".join(
        f'<TextSource guid="{GUID.format(3, n)}" name="Text {n}" plainTextPath='
        f'"internal://{GUID.format(3, n)}.txt"/>' for n in range(2)) + "</Sources></Project>")
    return {
        f"project.qde of {len(qde) / MB:.0f} MB (560,000 codings)": qdpx(qde, files),
        "XML of 3,000,000 elements (the cap)": qdpx(elements, {}),
        "two texts of 190 MB": qdpx(two_texts.encode(), {
            f"sources/{GUID.format(3, n)}.txt": big_text for n in range(2)}),
    }


# --- one read in a process of its own ---------------------------------------------------------


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def child(path: str, how: str) -> None:
    """Read the archive at `path` as the reader does (`refi`) or as zipfile does, and print
    what it said, the time and the rise of peak memory."""

    data = Path(path).read_bytes()
    before = status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    began = time.perf_counter()
    try:
        if how == "zipfile":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.read(archive.infolist()[0])
        else:
            read_project(data)
        said = "read"
    except (RefiError, zipfile.BadZipFile) as error:
        said = str(error)
    took = time.perf_counter() - began
    print(json.dumps({"said": said[:160], "seconds": round(took, 3),
                      "peak_rise_mb": round((status_kb("VmHWM") - before) / 1024, 1)}))


def in_a_process(data: bytes, how: str = "refi") -> dict[str, object]:
    with tempfile.NamedTemporaryFile(suffix=".qdpx") as file:
        file.write(data)
        file.flush()
        done = subprocess.run([sys.executable, "-m", "bench.refi_limits", "--child", file.name,
                               how], capture_output=True, text=True, check=True)
    return {"archive_bytes": len(data), **json.loads(done.stdout.strip().splitlines()[-1])}


# --- writers ----------------------------------------------------------------------------------


def run_task_child(task_id: str, whole: bool) -> None:
    """Run one queued task as a worker's thread does; print its time and peak memory. With
    `whole`, import the task's file instead as imports did before issue 16's batches: read
    whole, written in one transaction."""

    app = create_app({"SECRET_KEY": "bench"})
    with app.app_context(), writing():
        began = time.perf_counter()
        if whole:
            task = db.session.get(BackgroundTask, int(task_id))
            data = Path(app.config["FILES_DIR"], task.input_file.sha256[:2],
                        task.input_file.sha256[2:4], task.input_file.sha256).read_bytes()
            import_project(db.session.get(Project, task.project_id), data, "bench.qdpx",
                           db.session.get(User, task.user_id))
            db.session.commit()
            status = "imported in one transaction"
        else:
            status = run_task(int(task_id))
        took = time.perf_counter() - began
    print(json.dumps({"status": status, "task_seconds": round(took, 2),
                      "worker_peak_mb": round(status_kb("VmHWM") / 1024)}))


def writers(folder: str, files: dict[str, bytes]) -> dict[str, dict[str, object]]:
    """Each file imported by a task in a process of its own while a coder saves a coding every
    100 ms; then the largest project imported exported again the same way: the longest wait
    of a save."""

    app, url = bench_app(folder, JOBS_IMMEDIATE=False)
    with app.app_context():
        lead = User(email="lead@example.org", name="Lead", password_hash="x")
        coder = User(email="coder@example.org", name="Coder", password_hash="x")
        coding = Project(name="Coding goes on")
        db.session.add_all([lead, coder, coding, Membership(project=coding, user=coder,
                                                            role="coder")])
        db.session.flush()
        text = "Cooperation between Wroclaw and Guangzhou began in 2015. " * 200
        source = Source(project_id=coding.id, kind="document", title="Notes", text=text,
                        paragraphs=document_paragraphs(text), created_by_id=lead.id)
        db.session.add(source)
        code = create_code(coding, CodeFields(name="Cooperation"), None, lead)
        db.session.commit()
        ids = {"lead": lead.id, "coder": coder.id, "project": coding.id, "source": source.id,
               "code": code.id}
    saver = logged_in_client(app, ids["coder"])
    save_url = f"/projects/{ids['project']}/coding/sources/{ids['source']}/codings"
    environment = {**os.environ, "FIELDWORK_INSTANCE_PATH": folder,
                   "FIELDWORK_DATABASE_URL": url, "FIELDWORK_FILES_DIR": app.config["FILES_DIR"]}

    def import_task(name: str, data: bytes) -> int:
        empty = Project(name=name[:60])
        db.session.add_all([empty, Membership(project=empty, user_id=ids["lead"], role="lead")])
        db.session.flush()
        task = tasks.queue_import(empty, db.session.get(User, ids["lead"]),
                                  FileStorage(io.BytesIO(data), "bench.qdpx"),
                                  tasks.PROJECT_IMPORT)
        return task.id

    def export_task(_name: str, _data: bytes) -> int:
        largest = db.session.scalar(db.select(Source.project_id).group_by(Source.project_id)
                                    .order_by(db.func.count().desc()).limit(1))
        return tasks.queue_qdpx_export(db.session.get(Project, largest),
                                       db.session.get(User, ids["lead"])).id

    jobs = [(f"import: {name}", import_task, data, False) for name, data in files.items()]
    largest = list(files)[-1]
    jobs.append((f"before: {largest} read whole, in one transaction", import_task,
                 files[largest], True))
    jobs.append(("export of the largest project imported", export_task, b"", False))
    results = {}
    for name, make_task, data, whole in jobs:
        with app.app_context():
            task_id = make_task(name, data)
            db.session.commit()
        waits: list[float] = []
        failures: list[str] = []
        stop = threading.Event()

        def save(waits: list[float] = waits, failures: list[str] = failures,
                 stop: threading.Event = stop) -> None:
            start = 0
            while not stop.is_set():
                began = time.perf_counter()
                try:
                    response = saver.post(save_url, json={
                        "codes": [ids["code"]], "start": start, "end": start + 10,
                        "textVersion": 1})
                    if response.status_code != 200:
                        failures.append(f"{response.status_code}")
                except Exception as error:
                    failures.append(f"{type(error).__name__}: {str(error)[:60]}")
                waits.append(time.perf_counter() - began)
                start = (start + 7) % 1_000
                time.sleep(0.1)

        thread = threading.Thread(target=save)
        thread.start()
        time.sleep(0.5)
        done = subprocess.run([sys.executable, "-m", "bench.refi_limits", "--run-task",
                               str(task_id), *(["--whole"] if whole else [])],
                              capture_output=True, text=True, env=environment, check=False)
        time.sleep(0.5)
        stop.set()
        thread.join()
        if done.returncode:
            raise RuntimeError(f"the task's process failed: {done.stderr[-3000:]}")
        with app.app_context():
            task = db.session.get(BackgroundTask, task_id)
            outcome = task.error or " ".join((task.report or {}).get("lines", [])[:2])
        results[name] = {**json.loads(done.stdout.strip().splitlines()[-1]),
                         "saves": len(waits), "longest_save_s": round(max(waits), 2),
                         "saves_over_2_s": sum(wait > 2 for wait in waits),
                         "failed_saves": len(failures), "first_failure": failures[:1],
                         "outcome": outcome[:160]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--run-task", help=argparse.SUPPRESS)
    parser.add_argument("--whole", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--parts", default="bombs,honest,writers",
                        help="which parts to run, of bombs, honest and writers")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.run_task:
        run_task_child(args.run_task, args.whole)
        return
    parts = args.parts.split(",")
    rng = random.Random(16)
    figures: dict[str, object] = {}
    hostile = bombs()
    if "bombs" in parts:
        figures["bombs"] = {name: in_a_process(data) for name, data in hostile.items()}
        figures["bombs_read_by_zipfile"] = {
            name: in_a_process(hostile[name], "zipfile")
            for name in ("1.1 KB bzip2, 1.0 GiB, declaring 1,000 bytes",
                         "400 MiB of text (deflate), declared honestly")}
    if "honest" in parts:
        figures["honest_at_the_caps"] = {name: in_a_process(data)
                                         for name, data in honest(rng).items()}
    if "writers" in parts:
        qde, files = project_xml(200, 100_000, 15_000, rng)
        database = "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite"
        with tempfile.TemporaryDirectory() as folder:
            figures[f"writers_{database}"] = writers(folder, {
                "5 KB bzip2 bomb": hostile["5 KB bzip2, 6.8 GiB, declaring 1,000 bytes"],
                "100,000 codings": qdpx(qde, files)})
    print(json.dumps({"bench": "refi_limits", **figures, "python": platform.python_version(),
                      "machine": platform.machine(), "cpus": os.cpu_count(),
                      "load": [round(load, 1) for load in os.getloadavg()],
                      "date": datetime.now(UTC).date().isoformat()}, indent=1))


if __name__ == "__main__":
    main()
