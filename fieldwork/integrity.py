"""`fieldwork check`: every stored file against its checksum, and which rows use the
missing or damaged ones."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text

from fieldwork.extensions import db
from fieldwork.models import StoredFile
from fieldwork.storage import file_store, find_damaged_files


@dataclass
class FileProblem:
    sha256: str
    state: str
    files: list[StoredFile]
    used_by: list[str]


@dataclass
class CheckReport:
    checked: int
    problems: list[FileProblem]
    database: str = "ok"

    @property
    def ok(self) -> bool:
        return not self.problems and self.database == "ok"


def file_references(file_ids: list[int]) -> dict[int, list[str]]:
    """For each stored file id, the rows of other tables that point at it, e.g.
    "recordings 7 (project 2)"; found through the foreign keys, whatever package owns them."""
    found: dict[int, list[str]] = {file_id: [] for file_id in file_ids}
    if not file_ids:
        return found
    target = StoredFile.__table__.c.id
    for table in db.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column is not target:
                continue
            column = foreign_key.parent
            keys = list(table.primary_key.columns)
            project = [table.c.project_id] if "project_id" in table.c else []
            rows = db.session.execute(select(column, *keys, *project).where(column.in_(file_ids)))
            for row in rows:
                label = f"{table.name} {'/'.join(str(value) for value in row[1:1 + len(keys)])}"
                if project:
                    label += f" (project {row[-1]})"
                found[row[0]].append(label)
    return found


def database_verdict() -> str:
    if db.engine.dialect.name != "sqlite":
        return "ok"
    return db.session.scalar(text("PRAGMA quick_check")) or "ok"


def check_store() -> CheckReport:
    """Every stored file against its checksum, and what uses the missing or damaged ones."""
    store = file_store()
    damaged = find_damaged_files()
    references = file_references([stored.id for stored in damaged])
    by_blob: dict[str, FileProblem] = {}
    for stored in damaged:
        state = "damaged" if store.blob_path(stored.sha256).exists() else "missing"
        problem = by_blob.setdefault(stored.sha256, FileProblem(stored.sha256, state, [], []))
        problem.files.append(stored)
        problem.used_by += references[stored.id]
    checked = db.session.scalar(select(db.func.count()).select_from(StoredFile)) or 0
    return CheckReport(checked, list(by_blob.values()), database_verdict())
