"""Background jobs of the core."""

from __future__ import annotations

from fieldwork.extensions import db
from fieldwork.jobs import job
from fieldwork.models import Project
from fieldwork.projects.projects import refresh_statistics


@job()
def recompute_statistics(project_id: int) -> dict[str, int] | None:
    """Recount a project's figures for its dashboard."""
    project = db.session.get(Project, project_id)
    if project is None:
        return None
    stats = refresh_statistics(project)
    db.session.commit()
    return stats
