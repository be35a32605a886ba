"""Backups and restores.

A backup is a folder: a consistent snapshot of the database, a copy of the file store and a
manifest with the sha256 and size of every file in it. It is written under a temporary name
and renamed at the end, so a folder with a final name is always complete. A restore checks
every checksum before it changes anything, copies the files back first (extra files are
harmless; missing ones are not) and then replaces the database in one step.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import make_url

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.dumps import (
    DUMP_NAMES,
    OperationError,
    checksum,
    copy_file,
    database_contents,
    database_kind,
    database_url,
    release_connections,
    restore_postgres,
    restore_sqlite,
    snapshot_postgres,
    snapshot_sqlite,
    sync_folder,
)
from fieldwork.extensions import db
from fieldwork.storage import file_store

MANIFEST = "manifest.json"
FORMAT = "fieldwork-backup"
FORMAT_VERSION = 1
FILES = "files"
BLOB_PATH = re.compile(r"^files/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    @property
    def problems(self) -> list[str]:
        return self.manifest["problems"]


def code_revision() -> str | None:
    """The newest migration this version of Fieldwork knows."""
    directory = current_app.extensions["migrate"].directory
    return ScriptDirectory(directory).get_current_head()


def store_files(root: Path) -> Iterator[Path]:
    """Every file under the store, except unfinished uploads in tmp/."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.relative_to(root).parts[0] != "tmp":
            yield path


def copy_store(work: Path, blobs: set[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Copy the file store into `work`/files; report referenced blobs missing or damaged."""
    root = file_store().root
    entries: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for path in store_files(root):
        name = f"{FILES}/{path.relative_to(root).as_posix()}"
        entries[name] = copy_file(path, work / name)
        match = BLOB_PATH.match(name)
        if match and entries[name]["sha256"] != match.group(3):
            problems.append(f"{name}: its content no longer matches its checksum (damaged)")
    copied = {BLOB_PATH.match(name).group(3) for name in entries if BLOB_PATH.match(name)}
    problems += [
        f"{FILES}/{sha[:2]}/{sha[2:4]}/{sha}: used by the database but missing from the store"
        for sha in sorted(blobs - copied)
    ]
    return entries, problems


def new_backup_name(destination: Path, stamp: datetime) -> Path:
    base = f"fieldwork-backup-{stamp:%Y%m%dT%H%M%SZ}"
    candidate, number = destination / base, 1
    while candidate.exists():
        number += 1
        candidate = destination / f"{base}-{number}"
    return candidate


def check_destination(destination: Path) -> None:
    store = file_store().root.resolve()
    if destination.resolve().is_relative_to(store):
        raise OperationError(f"{destination} is inside the file store ({store}): choose another.")


def create_backup(destination: Path) -> BackupResult:
    """Write a complete backup folder under `destination` and return it."""
    check_destination(destination)
    url = database_url()
    kind = database_kind(url)
    destination.mkdir(parents=True, exist_ok=True)
    stamp = utcnow()
    final = new_backup_name(destination, stamp)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=destination))
    try:
        dump = work / DUMP_NAMES[kind]
        snapshot = snapshot_sqlite(url, dump) if kind == "sqlite" else snapshot_postgres(url, dump)
        entries, problems = copy_store(work, snapshot.blobs)
        entries = {dump.name: checksum(dump), **entries}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "fieldwork_version": metadata.version("fieldwork"),
            "database": {"kind": kind, "dump": dump.name, "schema_revision": snapshot.revision},
            "files": entries,
            "problems": problems,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        sync_folder(work)
        os.rename(work, final)
        sync_folder(destination)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(final, manifest)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise OperationError(f"{folder} is not a Fieldwork backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OperationError(f"{path} is damaged and cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise OperationError(f"{path} is not the manifest of a Fieldwork backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise OperationError(
            f"The backup has format version {manifest.get('format_version')}; this version of "
            f"Fieldwork reads version {FORMAT_VERSION}."
        )
    if not well_formed(manifest):
        raise OperationError(f"{path} is incomplete or damaged: it cannot be trusted.")
    return manifest


def well_formed(manifest: dict[str, Any]) -> bool:
    database, files = manifest.get("database"), manifest.get("files")
    return (
        isinstance(database, dict)
        and database.get("kind") in DUMP_NAMES
        and database.get("dump") == DUMP_NAMES[database["kind"]]
        and isinstance(manifest.get("created_at"), str)
        and isinstance(files, dict)
        and all(
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("size"), int)
            for entry in files.values()
        )
    )


def safe_member(folder: Path, name: str) -> Path:
    """The backup's file called `name`, refusing names that point outside the backup."""
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()) or not (
        name in DUMP_NAMES.values() or name.startswith(f"{FILES}/")
    ):
        raise OperationError(f"The manifest names a file outside the backup: {name!r}")
    return path


def verify_backup(folder: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is present with its size and checksum."""
    manifest = read_manifest(folder)
    damaged = []
    for name, expected in sorted(manifest["files"].items()):
        path = safe_member(folder, name)
        if not path.is_file():
            damaged.append(f"{name} (missing)")
        elif path.stat().st_size != expected["size"]:
            damaged.append(f"{name} (size {path.stat().st_size}, expected {expected['size']})")
        elif checksum(path)["sha256"] != expected["sha256"]:
            damaged.append(f"{name} (checksum differs)")
    dump = manifest["database"]["dump"]
    if dump not in manifest["files"]:
        damaged.append(f"{dump} (not listed in the manifest)")
    if damaged:
        raise OperationError(
            f"The backup {folder} is damaged; nothing was restored. Damaged files:\n  "
            + "\n  ".join(damaged)
        )
    return manifest


def describe_contents(contents: dict[str, int]) -> str:
    return ", ".join(f"{table.replace('_', ' ')}: {rows}" for table, rows in contents.items())


def damaged_in_backup(name: str, entry: dict[str, Any]) -> bool:
    """Whether a blob was already damaged when backed up: it must not replace a good copy."""
    match = BLOB_PATH.match(name)
    return bool(match) and entry["sha256"] != match.group(3)


def restore_files(folder: Path, manifest: dict[str, Any]) -> int:
    """Put the backup's files into the store; return how many had to be written."""
    store = file_store()
    written = 0
    for name, expected in manifest["files"].items():
        if not name.startswith(f"{FILES}/"):
            continue
        target = store.root / name.removeprefix(f"{FILES}/")
        if target.is_file() and (
            checksum(target) == expected or damaged_in_backup(name, expected)
        ):
            continue
        handle, temp_name = tempfile.mkstemp(dir=store.temp_dir())
        os.close(handle)
        try:
            copy_file(folder / name, Path(temp_name))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        written += 1
    return written


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    files_written: int
    notes: list[str] = field(default_factory=list)


def restore_backup(folder: Path, *, overwrite: bool) -> RestoreResult:
    """Check the backup, then bring back its files and its database."""
    manifest = verify_backup(folder)
    url = database_url()
    kind = database_kind(url)
    if manifest["database"]["kind"] != kind:
        raise OperationError(
            f"The backup holds a {manifest['database']['kind']} database but Fieldwork is "
            f"configured for {kind}; nothing was restored."
        )
    contents = database_contents()
    if contents and not overwrite:
        raise OperationError(
            f"The database {make_url(url).render_as_string(hide_password=True)} is not empty: "
            f"it holds rows of {describe_contents(contents)}. Restoring replaces all of it with "
            f"the backup of {manifest['created_at']}. Nothing was changed; run again with "
            "--yes to replace it."
        )
    release_connections()
    written = restore_files(folder, manifest)
    dump = folder / manifest["database"]["dump"]
    if kind == "sqlite":
        restore_sqlite(dump, url)
    else:
        restore_postgres(dump, url)
    release_connections()
    result = RestoreResult(manifest, written, revision_notes(manifest))
    audit.record(
        "site.restore", summary=f"Restored the backup of {manifest['created_at']}",
        backup=folder.name, files_written=written,
    )
    db.session.commit()
    return result


def revision_notes(manifest: dict[str, Any]) -> list[str]:
    backup_revision = manifest["database"]["schema_revision"]
    current = code_revision()
    if backup_revision is None or backup_revision == current:
        return []
    return [
        f"The backup's schema revision is {backup_revision}; this version of Fieldwork expects "
        f"{current}. If the backup is older, run `fieldwork db upgrade` before starting the "
        "app; if it comes from a newer Fieldwork, install that version."
    ]
