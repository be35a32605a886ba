"""The one helper that writes the audit log, and the queries that read it."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import Select

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
