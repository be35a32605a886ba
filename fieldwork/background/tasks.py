"""The background tasks' jobs: one job runs any registered kind of work, and a periodic job
fails tasks whose worker died (deleting what their import wrote) and deletes export files
past their retention period."""

from __future__ import annotations

from flask import current_app
from huey import crontab

from fieldwork.background.locks import undo_abandoned
from fieldwork.background.status import delete_old_files, recover_stopped
from fieldwork.background.work import run_task
from fieldwork.extensions import db
from fieldwork.jobs import huey, job
from fieldwork.models import BackgroundTask


@job()
def run_background_task(task_id: int) -> str:
    """Run one export or import to its end (done or failed)."""
    return run_task(task_id)


def submit(task: BackgroundTask) -> None:
    """Put a committed task in the queue (with JOBS_IMMEDIATE it runs now)."""
    run_background_task(task.id)


@job()
def tidy_background_tasks() -> dict[str, int]:
    stopped = recover_stopped()
    db.session.commit()
    undone = undo_abandoned()
    deleted = delete_old_files(current_app.config["EXPORT_RETENTION_DAYS"])
    db.session.commit()
    return {"stopped": stopped, "imports_undone": undone, "files_deleted": deleted}


@huey.periodic_task(crontab(minute="*/5"), name="fieldwork.background.tasks.every_five_minutes")
def every_five_minutes() -> None:
    tidy_background_tasks()
