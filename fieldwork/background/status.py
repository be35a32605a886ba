"""What the pages say of background tasks: each task's state in words, who may download its
file, the notice its starter gets once on their next page, the project's recent tasks, and
the tidying of tasks whose worker stopped and of files kept past their retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, update

from fieldwork.background.locks import IMPORTS
from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Project, User
from fieldwork.models.tasks import DONE, FAILED, FINISHED, QUEUED, RUNNING
from fieldwork.permissions import LEAD, roles_with
from fieldwork.storage import discard_stored_file

#: a running task whose progress was not written for this long has lost its worker
STALE_AFTER = timedelta(minutes=5)
WORKER_STOPPED = ("the worker stopped while working on it (it was restarted, or ran out of "
                  "memory); nothing was saved")
#: tasks listed on the project's page
RECENT = 50


@dataclass(frozen=True)
class Notice:
    """One line on the starter's next page: `words`, then a link to the task's page or to
    its download."""

    words: str
    link_text: str
    project_id: int
    task_id: int
    download: bool
    failed: bool


def is_stopped(task: BackgroundTask, now: datetime | None = None) -> bool:
    """Running, but its worker has not written for STALE_AFTER: it died."""
    if task.status != RUNNING:
        return False
    last = task.heartbeat_at or task.started_at or task.created_at
    return last < (now or utcnow()) - STALE_AFTER


def state_of(task: BackgroundTask) -> str:
    """queued, running, stopped, done, expired (its file deleted) or failed."""
    if is_stopped(task):
        return "stopped"
    if task.status == DONE and task.expired_at is not None:
        return "expired"
    return task.status


STATE_WORDS = {QUEUED: "Waiting for a worker", RUNNING: "Running", "stopped": "Stopped",
               DONE: "Ready", "expired": "File deleted", FAILED: "Failed"}


def may_download(task: BackgroundTask, user: User, role: str | None) -> bool:
    """The starter and the leads, while they hold the permission the export needs."""
    if task.result_file_id is None or role not in roles_with(task.permission):
        return False
    return task.user_id == user.id or role == LEAD


def may_restart(task: BackgroundTask, user: User, role: str | None) -> bool:
    """A failed or stopped export may be made again by whoever may make it; an import is
    uploaded again instead."""
    return (state_of(task) in (FAILED, "stopped") and task.input_file_id is None
            and task.kind not in IMPORTS and role in roles_with(task.permission))


def visible_tasks(project: Project, user: User,
                  role: str | None) -> Select[tuple[BackgroundTask]]:
    """The query of the tasks a member sees: a lead every task, others their own."""
    query = db.select(BackgroundTask).where(BackgroundTask.project_id == project.id)
    if role != LEAD:
        query = query.where(BackgroundTask.user_id == user.id)
    return query


def recent_tasks(project: Project, user: User, role: str | None,
                 limit: int = RECENT) -> list[BackgroundTask]:
    query = visible_tasks(project, user, role).order_by(BackgroundTask.created_at.desc(),
                                                        BackgroundTask.id.desc())
    return list(db.session.scalars(query.options(
        db.joinedload(BackgroundTask.user)).limit(limit)))


def notice_of(task: BackgroundTask) -> Notice:
    where = (task.project_id, task.id)
    if task.status == DONE and task.result_file_id is not None:
        return Notice(f"Your {task.label} is ready", "download", *where, download=True,
                      failed=False)
    if task.status == DONE:
        return Notice(f"Your {task.label} is done", "see the report", *where, download=False,
                      failed=False)
    return Notice(f"Your {task.label} failed: {task.error}", "see the details", *where,
                  download=False, failed=True)


def mark_seen(task_ids: list[int]) -> bool:
    """Record that the starter was told. A page's own transaction only reads: it is ended
    (objects loaded in it are reloaded when next used), and the mark is written in a short
    transaction that takes the write lock up front. False, and nothing marked, when the
    session holds changes of its own (the page is not a plain read)."""
    session = db.session
    if not task_ids or session.new or session.dirty or session.deleted:
        return False
    session.commit()
    with writing():
        session.execute(update(BackgroundTask).where(
            BackgroundTask.id.in_(task_ids), BackgroundTask.seen_at.is_(None))
            .values(seen_at=utcnow()))
        session.commit()
    return True


def unseen_notices(user: User) -> list[Notice]:
    """The user's tasks that ended since they were last told; mark_seen() once shown."""
    tasks = db.session.scalars(db.select(BackgroundTask).where(
        BackgroundTask.user_id == user.id, BackgroundTask.seen_at.is_(None),
        BackgroundTask.status.in_(FINISHED)).order_by(BackgroundTask.finished_at))
    return [notice_of(task) for task in tasks]


def recover_stopped(now: datetime | None = None) -> int:
    """Fail running tasks whose worker died, so their starter is told, and delete the files
    of imports among them (their bytes once the caller commits); flushes."""
    now = now or utcnow()
    stopped = [task for task in db.session.scalars(db.select(BackgroundTask).where(
        BackgroundTask.status == RUNNING)) if is_stopped(task, now)]
    for task in stopped:
        task.status, task.error, task.finished_at = FAILED, WORKER_STOPPED, now
        task.message = "Stopped"
        if task.kind in IMPORTS and task.input_file is not None:
            stored, task.input_file = task.input_file, None
            discard_stored_file(stored)
    db.session.flush()
    return len(stopped)


def delete_old_files(days: int, now: datetime | None = None) -> int:
    """Delete the files of exports ready more than `days` ago (their rows stay, saying so);
    flushes, and the bytes go once the caller commits."""
    limit = (now or utcnow()) - timedelta(days=days)
    old = list(db.session.scalars(db.select(BackgroundTask).where(
        BackgroundTask.result_file_id.is_not(None), BackgroundTask.finished_at < limit)))
    for task in old:
        stored = task.result_file
        task.result_file, task.expired_at = None, now or utcnow()
        if stored is not None:
            discard_stored_file(stored)
    db.session.flush()
    return len(old)
