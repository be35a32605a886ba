"""Imports: nothing of a refused file remains, and those that write in many short
transactions stay all-or-nothing.

The uploaded file of an import that fails is deleted with the failure (fieldwork.background
.work.fail).

An import too large for one short transaction closes its project first (an ImportLock,
committed with the marks that tell its rows from older ones), writes in batches, each its
own short transaction, and opens the project again in the task's final transaction. No page
of a closed project opens but its tasks' (fieldwork.permissions), so nobody sees it half
written. Should the work fail, or its worker die, the kind's `undo` deletes what it wrote,
again in short transactions, and the project opens as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, ImportLock
from fieldwork.models.tasks import RUNNING

log = logging.getLogger(__name__)

#: (project id, marks): delete the rows an import wrote, committing as it goes
Undo = Callable[[int, dict[str, int]], None]
UNDO: dict[str, Undo] = {}
#: kinds of work that import an uploaded file: when one fails, its file is deleted (nothing
#: of a refused file remains) and it is uploaded again rather than restarted
IMPORTS: set[str] = set()


def register_import(kind: str, undo: Undo | None = None) -> None:
    """Mark a kind of work as an import; `undo` deletes the rows of a failed one that wrote
    in batches (close_for_import)."""
    IMPORTS.add(kind)
    if undo is not None:
        UNDO[kind] = undo


def close_for_import(project_id: int, task_id: int, marks: dict[str, int]) -> None:
    """Close the project while the task writes into it (flushed; the caller commits before
    its first batch)."""
    db.session.add(ImportLock(project_id=project_id, task_id=task_id, marks=marks))
    db.session.flush()


def is_closed(project_id: int) -> bool:
    return db.session.scalar(db.select(ImportLock.id).where(
        ImportLock.project_id == project_id)) is not None


def reopen(project_id: int) -> None:
    """Open the project again, its import whole (flushed, in the task's final transaction)."""
    db.session.execute(db.delete(ImportLock).where(ImportLock.project_id == project_id))


def undo_import(task_id: int) -> bool:
    """Delete what the task's import wrote and open its project again (committed); False
    when it had closed no project."""
    db.session.rollback()
    lock = db.session.scalar(db.select(ImportLock).where(ImportLock.task_id == task_id))
    if lock is None:
        return False
    project_id, marks, kind = lock.project_id, dict(lock.marks), lock.task.kind
    db.session.rollback()
    UNDO[kind](project_id, marks)
    reopen(project_id)
    db.session.commit()
    return True


def undo_abandoned() -> int:
    """Undo the imports whose task is no longer running (it failed, or its worker died and
    the task was marked stopped); commits. Their count."""
    tasks = list(db.session.scalars(db.select(ImportLock.task_id).join(BackgroundTask).where(
        BackgroundTask.status != RUNNING)))
    for task_id in tasks:
        log.warning("deleting what the stopped import of task %s wrote", task_id)
        undo_import(task_id)
    return len(tasks)
