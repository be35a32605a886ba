"""A large .qdpx imported in short transactions (issue 16): another coder's saves never wait
2 s, the project stays closed until the import is whole, and a failed import, or one whose
worker died, leaves nothing behind."""

from __future__ import annotations

import io
import random
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage

from coding import refi, tasks
from coding.codings import apply_codes
from coding.models import Code, CoderIdentity, Coding, Memo, Source
from coding.refi.importing import BATCH
from fieldwork.background import submit
from fieldwork.background.status import STALE_AFTER
from fieldwork.background.tasks import tidy_background_tasks
from fieldwork.background.work import run_task, start
from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, ImportLock, Project, StoredFile, User
from fieldwork.processes import stop_process
from tests.coding.test_refi_limits import (
    finished_tasks,
    queued_app,  # noqa: F401 (a fixture)
    two_projects,
)
from tests.conftest import log_in, start_worker

GUID = "{:08x}-0000-4000-8000-{:012x}"
WORDS = ("cooperation", "Wrocław", "Guangzhou", "partner", "investment", "delegation", "合作",
         "城市", "agreement", "mayor", "region", "students")


def big_qdpx(sources: int, codings: int, seed: int = 16) -> bytes:
    """A project of two coders (one with no account here), 20 codes and `codings` codings
    spread over `sources` texts, every tenth with a memo."""
    rng = random.Random(seed)
    codes = "".join(f'<Code guid="{GUID.format(1, n)}" name="Theme {n}" isCodable="true"/>'
                    for n in range(20))
    files, parts, number = {}, [], 0
    for s in range(sources):
        text = " ".join(rng.choice(WORDS) for _ in range(2_000))
        files[f"sources/{GUID.format(2, s)}.txt"] = text.encode()
        selections = []
        for _ in range(codings // sources):
            start = rng.randrange(0, len(text) - 200)
            number += 1
            note = (f'<NoteRef targetGUID="{GUID.format(5, number)}"/>'
                    if number % 10 == 0 else "")
            selections.append(
                f'<PlainTextSelection guid="{GUID.format(3, number)}" startPosition="{start}" '
                f'endPosition="{start + rng.randint(5, 150)}" creatingUser="'
                f'{GUID.format(9, number % 2)}"><Coding guid="{GUID.format(4, number)}">'
                f'<CodeRef targetGUID="{GUID.format(1, rng.randrange(20))}"/></Coding>{note}'
                "</PlainTextSelection>")
        parts.append(f'<TextSource guid="{GUID.format(2, s)}" name="Interview {s}" '
                     f'plainTextPath="internal://{GUID.format(2, s)}.txt">'
                     f'{"".join(selections)}</TextSource>')
    notes = "".join(f'<Note guid="{GUID.format(5, n)}" name="Memo {n}"><PlainTextContent>'
                    f"Why this was coded ({n}).</PlainTextContent></Note>"
                    for n in range(10, number + 1, 10))
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           'name="Big" origin="Fieldwork tests"><Users>'
           f'<User guid="{GUID.format(9, 0)}" name="Lead"/>'
           f'<User guid="{GUID.format(9, 1)}" name="Gergő"/></Users>'
           f'<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{"".join(parts)}</Sources>'
           f"<Notes>{notes}</Notes></Project>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def written(project_id: int) -> list[int]:
    """The project's sources, codes, codings and memos, and the coder identities it has."""
    return [db.session.scalar(db.select(db.func.count()).select_from(model).where(
        model.project_id == project_id)) for model in (Source, Code, Coding, Memo,
                                                       CoderIdentity)]


@pytest.mark.committed
def test_a_coder_never_waits_2_s_while_a_large_project_imports(
        queued_app: Flask, files_dir: Path) -> None:  # noqa: F811
    """A `fieldwork worker` process imports 30,000 codings while another user saves a
    coding every 50 ms in another project of the same database (a transaction that takes
    the write lock first, as a form post does): no save waits 2 s, the project answers
    “being imported” until the import is whole, then holds all of it."""
    data = big_qdpx(60, 30_000)
    with queued_app.app_context():
        lead_id, coder_id, empty_id, _coding_id, source_id, code_id = two_projects()
        lead = log_in(queued_app.test_client(), db.session.get(User, lead_id))
        worker = start_worker(queued_app, "--no-periodic")
        try:
            task = tasks.queue_import(db.session.get(Project, empty_id),
                                      db.session.get(User, lead_id),
                                      FileStorage(io.BytesIO(data), "big.qdpx"),
                                      tasks.PROJECT_IMPORT)
            db.session.commit()
            submit(task)
            waits, start, closed = [], 0, set()
            while not finished_tasks():
                waits.append(save_coding(source_id, code_id, coder_id, start))
                closed.add(lead.get(f"/projects/{empty_id}/coding/sources/").status_code)
                start = (start + 7) % 1_000
                time.sleep(0.05)
                assert len(waits) < 4_000, "the import did not end"
        finally:
            stop_process(worker, timeout=20)
        task = finished_tasks()[-1]
        assert task.status == "done", task.error
        assert max(waits) < 2.0, f"a save waited {max(waits):.2f} s"
        assert 423 in closed
        assert written(empty_id) == [60, 20, 30_000, 3_000, 2]
        assert lead.get(f"/projects/{empty_id}/coding/sources/").status_code == 200
        db.session.remove()


def save_coding(source_id: int, code_id: int, coder_id: int, start: int) -> float:
    """A coder codes ten characters; the seconds it took."""
    db.session.rollback()
    began = time.monotonic()
    with writing():
        apply_codes(db.session.get(Source, source_id), [code_id], start, start + 10, 1,
                    db.session.get(User, coder_id))
        db.session.commit()
    return time.monotonic() - began


FAIL_AFTER = BATCH + 500
SQLITE_FAILURE = (
    "CREATE TRIGGER disk_full BEFORE INSERT ON codings WHEN (SELECT count(*) FROM codings "
    f"WHERE project_id = NEW.project_id) >= {FAIL_AFTER} "
    "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END")
POSTGRES_FAILURE = (
    "CREATE FUNCTION disk_full() RETURNS trigger AS $$ BEGIN IF (SELECT count(*) FROM codings "
    f"WHERE project_id = NEW.project_id) >= {FAIL_AFTER} THEN RAISE EXCEPTION "
    "'the disk is full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
    "CREATE TRIGGER disk_full BEFORE INSERT ON codings FOR EACH ROW EXECUTE FUNCTION "
    "disk_full()")


def test_an_import_failing_half_way_leaves_nothing_behind(
        project: Project, people: dict[str, User],
        client_for: Callable[[User | None], FlaskClient]) -> None:
    """The database refuses the codings after the first batch was committed (a trigger, as
    a full disk would): the task fails, and the rows already written are deleted."""
    dialect = db.engine.dialect.name
    db.session.execute(db.text(SQLITE_FAILURE if dialect == "sqlite" else POSTGRES_FAILURE))
    before = written(project.id)
    client = client_for(people["lead"])
    page = client.post(f"/projects/{project.id}/coding/exchange/import", data={
        "file": (io.BytesIO(big_qdpx(10, 5_000)), "big.qdpx")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Failed" in page.text and "the disk is full" in page.text
    assert written(project.id) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(
        User.external.is_(True))) == 0
    assert db.session.scalar(db.select(ImportLock.id)) is None
    assert client.get(f"/projects/{project.id}/coding/sources/").status_code == 200


def test_an_import_whose_worker_died_is_undone_by_the_tidying(
        project: Project, people: dict[str, User],
        client_for: Callable[[User | None], FlaskClient]) -> None:
    """The worker stops after two batches: the project stays closed (its tasks page
    open), and the periodic tidying, once the task is found stopped, deletes what the
    import wrote and opens the project as it was."""
    before = written(project.id)
    task = tasks.queue_import(project, people["lead"], FileStorage(
        io.BytesIO(big_qdpx(10, 5_000)), "big.qdpx"), tasks.PROJECT_IMPORT)
    db.session.commit()
    info = start(task)
    with tasks.uploaded_file(info) as stream:
        file = refi.read_project(stream)
    writer = refi.open_import(project, file, "big.qdpx", people["lead"], info.id)
    db.session.commit()

    class WorkerDied(Exception):
        pass

    def die_after_two_batches(done: int) -> None:
        if done >= 2 * BATCH:
            raise WorkerDied

    with pytest.raises(WorkerDied):
        refi.write_in_batches(writer, die_after_two_batches)
    assert written(project.id)[2] == 2 * BATCH
    client = client_for(people["lead"])
    closed = client.get(f"/projects/{project.id}/coding/sources/")
    assert closed.status_code == 423 and "This project is being imported" in closed.text
    assert client.get(f"/projects/{project.id}/tasks/{task.id}").status_code == 200
    db.session.get(BackgroundTask, task.id).heartbeat_at = (
        utcnow() - STALE_AFTER - timedelta(seconds=1))
    db.session.commit()
    assert tidy_background_tasks.call_local() == {"stopped": 1, "imports_undone": 1,
                                                  "files_deleted": 0}
    assert written(project.id) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(
        User.external.is_(True))) == 0
    assert client.get(f"/projects/{project.id}/coding/sources/").status_code == 200


def test_a_large_import_commits_in_batches_and_keeps_every_row(
        project: Project, people: dict[str, User],
        client_for: Callable[[User | None], FlaskClient]) -> None:
    """Through the page (the task run at once): every coding, memo and coder is there, and
    the codings landed on the same words as a one-transaction import puts them."""
    data = big_qdpx(10, 5_000)
    page = client_for(people["lead"]).post(
        f"/projects/{project.id}/coding/exchange/import",
        data={"file": (io.BytesIO(data), "big.qdpx")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "5,000 codings, 500 memos" in page.text
    assert written(project.id)[:4] == [10, 20, 5_000, 500]
    quotes = sorted(db.session.scalars(db.select(Coding.quote).where(
        Coding.project_id == project.id)))
    whole = Project(name="In one transaction")
    db.session.add(whole)
    db.session.flush()
    refi.import_project(whole, data, "big.qdpx", people["lead"])
    assert quotes == sorted(db.session.scalars(db.select(Coding.quote).where(
        Coding.project_id == whole.id)))


# --- the uploaded file: streamed from the store, deleted once refused ----------------------


def blobs(files_dir: Path) -> list[Path]:
    return sorted(path for path in files_dir.rglob("*") if path.is_file()
                  and path.parent.name != "tmp")


def with_recording(data: bytes, megabytes: int) -> bytes:
    """The .qdpx with a recording of `megabytes` MB stored beside its sources (not coded)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as small, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name in small.namelist():
            archive.writestr(name, small.read(name))
        archive.writestr("sources/interview.mp3", random.Random(3).randbytes(megabytes * 2**20))
    return out.getvalue()


def test_the_worker_reads_the_upload_from_the_store_without_holding_it_whole(
        project: Project, people: dict[str, User], files_dir: Path) -> None:
    """A .qdpx of 40 MB (most of it a recording): the task's peak of memory allocated by
    Python stays under a quarter of the file."""
    upload = FileStorage(io.BytesIO(with_recording(big_qdpx(2, 20), 40)), "recorded.qdpx")
    task = tasks.queue_import(project, people["lead"], upload, tasks.PROJECT_IMPORT)
    db.session.commit()
    upload.close()
    tracemalloc.start()
    status = run_task(task.id)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert status == "done", db.session.get(BackgroundTask, task.id).error
    assert written(project.id)[2] == 20
    assert peak < 10 * 2**20, f"the task held {peak / 2**20:.0f} MB"


@pytest.mark.parametrize(("content", "said"), [
    (b"not a zip at all", "This is not a .qdpx file"),
    (b"PK\x03\x04" + bytes(200), "not a .qdpx file"),
])
def test_a_refused_file_leaves_nothing_in_the_file_store(
        project: Project, people: dict[str, User], files_dir: Path,
        client_for: Callable[[User | None], FlaskClient], content: bytes, said: str) -> None:
    before, files = blobs(files_dir), db.session.scalar(
        db.select(db.func.count()).select_from(StoredFile))
    page = client_for(people["lead"]).post(
        f"/projects/{project.id}/coding/exchange/import",
        data={"file": (io.BytesIO(content), "bad.qdpx")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "Failed: Nothing was imported." in page.text and said in page.text
    assert blobs(files_dir) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == files
    task = db.session.scalar(db.select(BackgroundTask).order_by(BackgroundTask.id.desc()))
    assert task.input_file_id is None and "Start it again" not in page.text


@pytest.mark.parametrize(("content", "said"), [
    (b"", "The file is empty."),
    (b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
     "This is a codebook (.qdc)"),
])
def test_a_file_refused_at_once_is_never_stored(
        project: Project, people: dict[str, User], files_dir: Path,
        client_for: Callable[[User | None], FlaskClient], content: bytes, said: str) -> None:
    before = blobs(files_dir)
    page = client_for(people["lead"]).post(
        f"/projects/{project.id}/coding/exchange/import",
        data={"file": (io.BytesIO(content), "bad.qdpx")}, content_type="multipart/form-data")
    assert page.status_code == 400 and said in page.text
    assert blobs(files_dir) == before
