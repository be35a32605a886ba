"""The database part of a backup: SQLite's backup API or pg_dump to take a consistent
snapshot, and an atomic file swap or pg_restore in one transaction to bring it back."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Connection, inspect, make_url, select, text

from fieldwork.extensions import db
from fieldwork.models import StoredFile
from fieldwork.storage import CHUNK_SIZE

DUMP_NAMES = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}


class OperationError(Exception):
    """A backup, restore or check that cannot go on, in words for the operator."""


@dataclass
class Snapshot:
    """What the database snapshot says: its schema revision and the blobs its rows use."""

    revision: str | None
    blobs: set[str]


def database_url() -> str:
    return current_app.config["DATABASE_URL"]


def database_kind(url: str) -> str:
    kind = make_url(url).get_backend_name()
    if kind not in DUMP_NAMES:
        raise OperationError(f"Backups support SQLite and PostgreSQL, not {kind}.")
    return kind


def sqlite_file(url: str) -> Path:
    name = make_url(url).database
    if not name or name == ":memory:":
        raise OperationError("The database is in memory: there is nothing on disk to back up.")
    return Path(name)


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A connection URI for pg_dump/pg_restore, and the environment holding the password
    (kept off the command line, where other users of the machine could read it)."""
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None)
    return uri.render_as_string(hide_password=False), environment


def postgres_program(name: str, connection: Connection) -> str:
    """The path of pg_dump or pg_restore, refused when it is older than the server."""
    path = shutil.which(name)
    if path is None:
        raise OperationError(
            f"{name} is not on the PATH. Install the PostgreSQL client programs of the "
            "server's version (e.g. `apt-get install postgresql-client`) and try again."
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
    tool_major = int(re.search(r"(\d+)", output.stdout).group(1))  # type: ignore[union-attr]
    server_major = int(connection.scalar(text("SHOW server_version_num"))) // 10000
    if tool_major < server_major:
        raise OperationError(
            f"{path} is version {tool_major} but the server runs PostgreSQL {server_major}: "
            f"install the version {server_major} client programs (e.g. "
            f"`apt-get install postgresql-client-{server_major}`) and put them first on the PATH."
        )
    return path


def schema_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def database_contents() -> dict[str, int]:
    """Rows per table in the configured database, only for tables that hold some."""
    with db.engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        counts = {
            table.name: connection.scalar(select(db.func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
            if table.name in present
        }
    return {name: rows for name, rows in counts.items() if rows}


def release_connections() -> None:
    """Close this process's connections so the database can be read or replaced whole."""
    db.session.remove()
    db.engine.dispose()


def checksum(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}


def copy_file(source: Path, target: Path) -> dict[str, Any]:
    """Copy in chunks, flushed to disk; return the copy's sha256 and size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK_SIZE):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return {"sha256": digest.hexdigest(), "size": size}


def sync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def snapshot_sqlite(url: str, dump: Path) -> Snapshot:
    """Copy the database with SQLite's backup API: one read transaction, so a consistent
    picture even while the app writes (WAL)."""
    source_path = sqlite_file(url)
    if not source_path.exists():
        raise OperationError(f"There is no database at {source_path}.")
    source = sqlite3.connect(source_path, timeout=15)
    target = sqlite3.connect(dump)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
        verdict = target.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise OperationError(f"The database copy fails SQLite's check: {verdict}")
        return sqlite_snapshot_facts(target)
    finally:
        target.close()
        source.close()


def sqlite_snapshot_facts(connection: sqlite3.Connection) -> Snapshot:
    has_revision = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()[0]
    revision = (
        connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if has_revision else None
    )
    blobs = connection.execute(f"SELECT DISTINCT sha256 FROM {StoredFile.__tablename__}")
    return Snapshot(revision[0] if revision else None, {row[0] for row in blobs})


def snapshot_postgres(url: str, dump: Path) -> Snapshot:
    """pg_dump inside an exported snapshot, so the list of files read here is the list the
    dump refers to."""
    uri, environment = libpq_target(url)
    with db.engine.connect() as connection:
        pg_dump = postgres_program("pg_dump", connection)
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot_id = connection.scalar(text("SELECT pg_export_snapshot()"))
            result = subprocess.run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot_id}",
                 f"--file={dump}", f"--dbname={uri}"],
                env=environment, capture_output=True, text=True,
            )
            if result.returncode != 0:
                raise OperationError(f"pg_dump failed: {result.stderr.strip()}")
            return Snapshot(schema_revision(connection), referenced_blobs(connection))


def referenced_blobs(connection: Connection) -> set[str]:
    return set(connection.scalars(select(StoredFile.sha256).distinct()))


def restore_sqlite(dump: Path, url: str) -> None:
    """Copy the dump next to the database, then swap it in with one rename."""
    target = sqlite_file(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restore-")
    os.close(handle)
    try:
        copy_file(dump, Path(temp_name))
        if target.exists():
            leave_wal_mode(target)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def leave_wal_mode(target: Path) -> None:
    """Fold the write-ahead log into the old file and remove it, so no stale log is applied
    to the restored file. SQLite allows this only when no other process has the database
    open, which is also what makes the swap safe."""
    connection = sqlite3.connect(target, timeout=15)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError as error:
        mode = str(error)
    finally:
        connection.close()
    if mode != "delete":
        raise OperationError(
            f"The database {target} is in use ({mode}): stop the web server and the job "
            "workers, then restore. The file store may already hold the backup's files; the "
            "database was not changed."
        )


def restore_postgres(dump: Path, url: str) -> None:
    uri, environment = libpq_target(url)
    with db.engine.connect() as connection:
        pg_restore = postgres_program("pg_restore", connection)
    release_connections()
    result = subprocess.run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", f"--dbname={uri}", str(dump)],
        env=environment, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise OperationError(
            f"pg_restore failed and changed nothing (one transaction): {result.stderr.strip()}"
        )
