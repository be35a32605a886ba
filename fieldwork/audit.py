"""The one helper that writes the audit log, and the queries that read it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from fieldwork.extensions import db
from fieldwork.models import AuditEntry, Project


def record(
    action: str,
    obj: Any = None,
    *,
    project: Project | None = None,
    summary: str = "",
    user_id: int | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry for `action` on `obj` by the logged-in user (or `user_id`)."""
    if user_id is None and current_user and current_user.is_authenticated:
        user_id = current_user.id
    entry = AuditEntry(
        user_id=user_id,
        project_id=project.id if project is not None else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        summary=summary,
        details=details,
    )
    db.session.add(entry)
    return entry


def audit_query(project: Project | None = None, text: str = "") -> Select[tuple[AuditEntry]]:
    """Newest first; restricted to a project when given; `text` searches action and summary."""
    query = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if project is not None:
        query = query.where(AuditEntry.project_id == project.id)
    if text:
        pattern = f"%{text}%"
        query = query.where(AuditEntry.action.ilike(pattern) | AuditEntry.summary.ilike(pattern))
    return query


CSV_COLUMNS = (
    "time_utc", "user_email", "project_id", "action", "object_type", "object_id", "summary"
)
#: a spreadsheet would run a cell starting with one of these as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_cell(value) for value in values])
    return buffer.getvalue()


def audit_csv(query: Select[tuple[AuditEntry]]) -> Iterator[str]:
    """The entries of `query` as CSV lines, UTF-8 with a byte-order mark so that spreadsheets
    read accented names correctly; times in UTC, ISO 8601."""
    yield "\ufeff" + csv_line(CSV_COLUMNS)
    entries = db.session.scalars(query.options(joinedload(AuditEntry.user)))
    for entry in entries:
        yield csv_line((
            entry.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            entry.user.email if entry.user else "", entry.project_id, entry.action,
            entry.object_type, entry.object_id, entry.summary,
        ))
