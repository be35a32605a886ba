"""Backup, restore and check as round trips on a database of their own (SQLite, or PostgreSQL
with pg_dump/pg_restore when TEST_DATABASE_URL is set), through the real commands."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import Column, ForeignKey, Integer, Table, create_engine, make_url, text

from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Membership, Project, StoredFile, User
from fieldwork.storage import delete_stored_file, file_store, store_upload

RECORDING = b"RIFF recording of an interview " * 50_000
NOTES = b"Notes: the mayor on the sister-city agreement with Wuhan."


@pytest.fixture
def own_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'backup-test.db'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_backup"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def own_app(
    make_app: Callable[..., Flask], own_database_url: str, tmp_path: Path
) -> Iterator[Flask]:
    fresh = make_app(DATABASE_URL=own_database_url, FILES_DIR=str(tmp_path / "files"))
    with fresh.app_context():
        db.create_all()
    yield fresh
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()


def run(app: Flask, *args: str) -> Result:
    with app.app_context():  # the command's app, not the test session's
        return app.test_cli_runner().invoke(args=list(args))


def add_team(app: Flask) -> dict[str, int]:
    with app.app_context():
        lead = User(email="lead@example.org", name="Lead", password_hash="x")
        coder = User(email="coder@example.org", name="Coder", password_hash="x")
        project = Project(name="EU–China cities")
        db.session.add_all([lead, coder, project])
        db.session.flush()
        db.session.add_all([
            Membership(project=project, user=lead, role="lead"),
            Membership(project=project, user=coder, role="coder"),
        ])
        recording = store_upload(io.BytesIO(RECORDING), "interview-07.m4a", lead.id)
        notes = store_upload(io.BytesIO(NOTES), "notes.txt", lead.id)
        audit.record("project.create", project, project=project, user_id=lead.id,
                     summary="Project created")
        db.session.commit()
        return {"project": project.id, "coder": coder.id, "recording": recording.id,
                "notes": notes.id}


def only_backup(folder: Path) -> Path:
    entries = list(folder.iterdir())
    assert len(entries) == 1, entries
    return entries[0]


@pytest.mark.committed
def test_backup_and_restore_bring_everything_back(own_app: Flask, tmp_path: Path) -> None:
    ids = add_team(own_app)
    result = run(own_app, "backup", "--to", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    folder = only_backup(tmp_path / "backups")
    assert folder.name.startswith("fieldwork-backup-")
    manifest = json.loads((folder / "manifest.json").read_text())
    kind = make_url(own_app.config["DATABASE_URL"]).get_backend_name()
    assert manifest["database"]["kind"] == kind
    assert manifest["database"]["dump"] in manifest["files"]
    assert manifest["created_at"].endswith("Z")
    assert "schema_revision" in manifest["database"]
    blobs = [name for name in manifest["files"] if name.startswith("files/")]
    assert len(blobs) == 2
    for name, entry in manifest["files"].items():
        assert (folder / name).stat().st_size == entry["size"]

    with own_app.app_context():
        db.session.get(Project, ids["project"]).name = "Renamed"
        coder = db.session.get(User, ids["coder"])
        db.session.execute(db.delete(Membership).where(Membership.user_id == coder.id))
        db.session.delete(coder)
        delete_stored_file(db.session.get(StoredFile, ids["recording"]))
        db.session.add(Project(name="Made after the backup"))
        db.session.commit()
        recording_path = file_store().blob_path(manifest_blob(manifest, RECORDING))
        assert not recording_path.exists()

    refused = run(own_app, "restore", str(folder))
    assert refused.exit_code != 0
    assert "not empty" in refused.output and "--yes" in refused.output
    assert "users: 1" in refused.output
    with own_app.app_context():
        assert db.session.get(Project, ids["project"]).name == "Renamed"

    restored = run(own_app, "restore", str(folder), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "1 file(s) written" in restored.output
    with own_app.app_context():
        assert db.session.get(Project, ids["project"]).name == "EU–China cities"
        assert db.session.get(User, ids["coder"]).email == "coder@example.org"
        assert db.session.scalar(db.select(db.func.count()).select_from(Membership)) == 2
        assert db.session.scalar(db.select(Project).where(Project.name.like("Made%"))) is None
        recording = db.session.get(StoredFile, ids["recording"])
        assert file_store().blob_path(recording.sha256).read_bytes() == RECORDING
        actions = set(db.session.scalars(db.select(AuditEntry.action)))
        assert {"project.create", "site.restore"} <= actions
        db.session.remove()
    assert run(own_app, "check").exit_code == 0


def manifest_blob(manifest: dict, content: bytes) -> str:
    sha = hashlib.sha256(content).hexdigest()
    assert f"files/{sha[:2]}/{sha[2:4]}/{sha}" in manifest["files"]
    return sha


@pytest.mark.committed
def test_a_backup_taken_while_people_write_is_consistent(own_app: Flask, tmp_path: Path) -> None:
    add_team(own_app)
    stop = threading.Event()

    def keep_writing(thread: int) -> None:
        number = 0
        while not stop.is_set():
            with own_app.app_context(), own_app.test_request_context(method="POST"):
                audit.record("test.write", summary=f"{thread}:{number}")
                db.session.commit()
            number += 1

    writers = [threading.Thread(target=keep_writing, args=(n,)) for n in range(3)]
    for writer in writers:
        writer.start()
    try:
        time.sleep(0.2)
        result = run(own_app, "backup", "--to", str(tmp_path / "backups"))
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert result.exit_code == 0, result.output
    restored = run(own_app, "restore", str(only_backup(tmp_path / "backups")), "--yes")
    assert restored.exit_code == 0, restored.output
    with own_app.app_context():
        written = db.session.scalars(
            db.select(AuditEntry.summary).where(AuditEntry.action == "test.write")).all()
        db.session.remove()
    assert written, "the writers had written before the backup began"
    for thread in range(3):
        numbers = sorted(int(s.split(":")[1]) for s in written if s.startswith(f"{thread}:"))
        assert numbers == list(range(len(numbers))), "a snapshot holds each writer's first n"


@pytest.mark.committed
def test_a_damaged_backup_is_refused_and_changes_nothing(own_app: Flask, tmp_path: Path) -> None:
    ids = add_team(own_app)
    assert run(own_app, "backup", "--to", str(tmp_path / "backups")).exit_code == 0
    folder = only_backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    blob = next(name for name in manifest["files"] if name.startswith("files/"))
    (folder / blob).write_bytes(b"tampered")
    dump = folder / manifest["database"]["dump"]
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    with own_app.app_context():
        db.session.get(Project, ids["project"]).name = "Changed since"
        db.session.commit()

    result = run(own_app, "restore", str(folder), "--yes")
    assert result.exit_code != 0
    assert "damaged" in result.output and "nothing was restored" in result.output
    assert f"{blob} (size" in result.output
    assert f"{dump.name} (checksum differs)" in result.output
    with own_app.app_context():
        assert db.session.get(Project, ids["project"]).name == "Changed since"
        db.session.remove()


@pytest.mark.committed
def test_a_manifest_cannot_point_outside_the_backup(own_app: Flask, tmp_path: Path) -> None:
    add_team(own_app)
    assert run(own_app, "backup", "--to", str(tmp_path / "backups")).exit_code == 0
    folder = only_backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["files/../../secret"] = {"sha256": "0" * 64, "size": 1}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = run(own_app, "restore", str(folder), "--yes")
    assert result.exit_code != 0
    assert "outside the backup" in result.output
    not_a_backup = run(own_app, "restore", str(tmp_path), "--yes")
    assert not_a_backup.exit_code != 0 and "no manifest.json" in not_a_backup.output
    manifest["files"] = ["database.sqlite"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    incomplete = run(own_app, "restore", str(folder), "--yes")
    assert incomplete.exit_code != 0 and "incomplete or damaged" in incomplete.output


@pytest.mark.committed
def test_a_store_with_a_damaged_file_is_backed_up_with_a_warning(
    own_app: Flask, tmp_path: Path
) -> None:
    ids = add_team(own_app)
    with own_app.app_context():
        good = file_store().blob_path(db.session.get(StoredFile, ids["notes"]).sha256)
        db.session.remove()
    good.write_bytes(b"bit rot")
    result = run(own_app, "backup", "--to", str(tmp_path / "backups"))
    assert result.exit_code == 1
    assert "no longer matches its checksum" in result.output and "fieldwork check" in result.output
    folder = only_backup(tmp_path / "backups")
    assert len(json.loads((folder / "manifest.json").read_text())["problems"]) == 1
    good.write_bytes(NOTES)
    assert run(own_app, "restore", str(folder), "--yes").exit_code == 0
    assert good.read_bytes() == NOTES, "a copy damaged in the backup never replaces a good one"


@pytest.mark.committed
def test_restore_into_an_empty_database_needs_no_confirmation(
    own_app: Flask, make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    add_team(own_app)
    assert run(own_app, "backup", "--to", str(tmp_path / "backups")).exit_code == 0
    folder = only_backup(tmp_path / "backups")
    with own_app.app_context():
        db.drop_all()
        db.session.remove()
        db.engine.dispose()
    result = run(own_app, "restore", str(folder))
    assert result.exit_code == 0, result.output
    with own_app.app_context():
        assert db.session.scalar(db.select(User.email).where(User.name == "Lead"))
        db.session.remove()


@pytest.mark.committed
def test_restore_refuses_a_sqlite_database_that_is_in_use(own_app: Flask, tmp_path: Path) -> None:
    if not own_app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL restores in one transaction while others wait")
    ids = add_team(own_app)
    assert run(own_app, "backup", "--to", str(tmp_path / "backups")).exit_code == 0
    other_process = sqlite3.connect(make_url(own_app.config["DATABASE_URL"]).database)
    try:
        other_process.execute("SELECT count(*) FROM users").fetchone()
        result = run(own_app, "restore", str(only_backup(tmp_path / "backups")), "--yes")
    finally:
        other_process.close()
    assert result.exit_code != 0
    assert "is in use" in result.output and "stop the web server" in result.output
    with own_app.app_context():
        assert db.session.get(Project, ids["project"]).name == "EU–China cities"
        db.session.remove()


@pytest.mark.committed
def test_backup_refuses_a_folder_inside_the_file_store(own_app: Flask) -> None:
    add_team(own_app)
    inside = Path(own_app.config["FILES_DIR"]) / "backups"
    result = run(own_app, "backup", "--to", str(inside))
    assert result.exit_code != 0
    assert "inside the file store" in result.output


@pytest.mark.committed
def test_backup_without_pg_dump_says_so_and_leaves_nothing(
    own_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not own_app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("pg_dump is used for PostgreSQL only (set TEST_DATABASE_URL)")
    add_team(own_app)
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run(own_app, "backup", "--to", str(tmp_path / "backups"))
    assert result.exit_code != 0
    assert "pg_dump is not on the PATH" in result.output
    assert list((tmp_path / "backups").iterdir()) == []


@pytest.fixture
def attachments() -> Iterator[Table]:
    """A table of another package pointing at stored files, as recordings will."""
    table = Table(
        "check_test_attachments", db.metadata,
        Column("id", Integer, primary_key=True),
        Column("project_id", Integer),
        Column("file_id", ForeignKey("stored_files.id")),
    )
    yield table
    db.metadata.remove(table)


@pytest.mark.committed
def test_check_names_missing_and_damaged_files_and_their_users(
    own_app: Flask, attachments: Table
) -> None:
    ids = add_team(own_app)
    assert run(own_app, "check").exit_code == 0
    with own_app.app_context():
        attachments.create(db.engine)
        db.session.execute(attachments.insert().values(
            id=41, project_id=ids["project"], file_id=ids["recording"]))
        db.session.commit()
        recording = db.session.get(StoredFile, ids["recording"])
        notes = db.session.get(StoredFile, ids["notes"])
        file_store().blob_path(recording.sha256).write_bytes(b"tampered")
        file_store().blob_path(notes.sha256).unlink()
        db.session.remove()
    result = run(own_app, "check")
    assert result.exit_code == 1
    assert "DAMAGED: “interview-07.m4a”" in result.output
    assert f"check_test_attachments 41 (project {ids['project']})" in result.output
    assert "MISSING: “notes.txt”" in result.output
    assert "2 of 2 stored file(s) missing or damaged" in result.output


def test_backup_commands_are_listed(app: Flask) -> None:
    help_text = app.test_cli_runner().invoke(args=["--help"]).output
    assert {"backup", "restore", "check"} <= set(help_text.split())
