"""The daily job that deletes the audio due under each project's retention rule."""

from __future__ import annotations

from huey import crontab

from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.jobs import huey, job
from interviews.protection.retention import apply_retention, projects_with_rules


@job()
def apply_retention_rules() -> dict[int, int]:
    """Apply every project's rule, committing project by project; return the deletions made
    per project id."""
    today = utcnow().date()
    deleted = {}
    for project in projects_with_rules():
        deleted[project.id] = len(apply_retention(project, today))
        db.session.commit()
    return deleted


@huey.periodic_task(crontab(hour="3", minute="15"), name="interviews.protection.tasks.daily")
def daily() -> None:
    apply_retention_rules()
