"""Running one background task: the kinds of work features register, the task's row from
queued to done or failed, its progress, and its result.

A task's transactions stay short. The work reads inside `read_phase()` (no lock on SQLite,
however long it takes), progress goes through a transaction of its own beside it, the file
it made is put in the store outside any transaction, and what the work writes (an import's
rows, an export's audit entry) is committed at the end together with the task's result, in
one transaction that takes the write lock up front.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from fieldwork.background.locks import IMPORTS, undo_import
from fieldwork.database import reading, writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Project, StoredFile, User
from fieldwork.models.tasks import DONE, FAILED, QUEUED, RUNNING
from fieldwork.permissions import role_in, roles_with
from fieldwork.storage import discard_stored_file, file_store

log = logging.getLogger(__name__)

#: progress is written at most this often (seconds); each write is also the heartbeat
PROGRESS_EVERY = 0.5

#: (done, total, what is counted in words, e.g. "codings written")
ProgressReport = Callable[[int, int, str], None]


def no_progress(_done: int, _total: int, _words: str) -> None:
    """For work done outside a task (a direct download): nobody watches."""


class TaskError(Exception):
    """Work that cannot be done, said in words for its page; `problems` lists each bad row."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class TaskInfo:
    """What the work is given: plain values, so that no ORM object starts a transaction."""

    id: int
    project_id: int
    user_id: int
    params: dict[str, Any]
    #: id, sha256 and name of the uploaded file an import reads
    input_file_id: int | None
    input_sha256: str | None
    input_filename: str


@dataclass
class Outcome:
    """What finished work leaves: a file to download, and/or a report in words."""

    content: bytes | str | IO[bytes] | None = None
    filename: str = ""
    content_type: str = "application/octet-stream"
    lines: list[str] = field(default_factory=list)
    #: what the work found wrong, each in words (e.g. each bad row of a file it checked)
    problems: list[str] = field(default_factory=list)
    #: (link text, endpoint taking project_id) of the page to go on to
    next: tuple[str, str] | None = None
    #: (button text, endpoint taking project_id, hidden fields) of a form its starter may
    #: post next, e.g. to import a file the task checked
    action: tuple[str, str, dict[str, str]] | None = None
    #: what the work writes with its result (e.g. an export's audit entry), called in the
    #: task's final transaction
    record: Callable[[], None] | None = None


Work = Callable[[TaskInfo, ProgressReport], Outcome]
KINDS: dict[str, Work] = {}


def task_kind(name: str) -> Callable[[Work], Work]:
    """Register a feature's work under `name` (e.g. "coding.export")."""

    def decorator(work: Work) -> Work:
        KINDS[name] = work
        return work

    return decorator


@contextmanager
def side_transaction() -> Iterator[Session]:
    """A short transaction of its own beside the session's (which may be reading), taking
    the write lock up front; committed at the end."""
    with writing(), Session(bind=db.session.get_bind(),
                            join_transaction_mode="create_savepoint") as session, \
            session.begin():
        yield session


@contextmanager
def read_phase() -> Iterator[None]:
    """Reads that take no lock however long they last; the transaction they opened is ended
    with the phase (ORM objects loaded in it are expired)."""
    with reading():
        try:
            yield
        finally:
            db.session.rollback()


class Progress:
    """Writes a task's progress and heartbeat, at most every PROGRESS_EVERY seconds, in a
    transaction of its own. Work reports progress while it reads, never inside its final
    write transaction: on SQLite the progress would wait for the lock the work holds."""

    def __init__(self, task_id: int, every: float = PROGRESS_EVERY) -> None:
        self.task_id = task_id
        self.every = every
        self.last = 0.0

    def __call__(self, done: int, total: int, words: str) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.every:
            return
        self.last = now
        fraction = min(1.0, done / total) if total else 1.0
        with side_transaction() as session:
            session.execute(update(BackgroundTask).where(BackgroundTask.id == self.task_id)
                            .values(progress=fraction, message=f"{done:,} of {total:,} {words}",
                                    heartbeat_at=utcnow()))


def starter_in(info: TaskInfo, permission: str) -> tuple[Project, User, str]:
    """The task's project, its starter and their role, while they hold `permission`."""
    project = db.session.get(Project, info.project_id)
    user = db.session.get(User, info.user_id)
    role = role_in(project, user) if project is not None and user is not None else None
    if project is None or user is None or role not in roles_with(permission):
        raise TaskError("the person who started it may no longer do this in the project")
    return project, user, role


def create_task(project: Project, user: User, kind: str, label: str, permission: str,
                params: dict[str, Any] | None = None,
                input_file: StoredFile | None = None) -> BackgroundTask:
    """A queued task (flushed); the caller commits, then submits it."""
    if kind not in KINDS:
        raise KeyError(f"no background work registered as {kind!r}")
    task = BackgroundTask(project_id=project.id, user_id=user.id, kind=kind, label=label[:200],
                          permission=permission, params=params or {},
                          input_file_id=input_file.id if input_file else None,
                          message="Waiting for a worker")
    db.session.add(task)
    db.session.flush()
    return task


def start(task: BackgroundTask) -> TaskInfo:
    """Mark the task running (committed) and return what its work needs."""
    stored = task.input_file
    info = TaskInfo(task.id, task.project_id, task.user_id, dict(task.params),
                    task.input_file_id, stored.sha256 if stored else None,
                    stored.filename if stored else "")
    task.status, task.started_at, task.heartbeat_at = RUNNING, utcnow(), utcnow()
    task.message = "Started"
    db.session.commit()
    return info


def stored_content(outcome: Outcome) -> tuple[str, int] | None:
    """The file's bytes put in the store, before any transaction: (sha256, size)."""
    content = outcome.content
    if content is None:
        return None
    if isinstance(content, str):
        content = content.encode("utf-8")
    with io.BytesIO(content) if isinstance(content, bytes) else content as stream:
        return file_store().put_stream(stream)


def finish(task_id: int, outcome: Outcome, stored: tuple[str, int] | None) -> None:
    """Record the result with what the work writes, in one transaction, and commit."""
    if outcome.record is not None:
        outcome.record()
    task = db.session.get(BackgroundTask, task_id)
    if stored is not None:
        sha256, size = stored
        task.result_file = StoredFile(filename=outcome.filename[:255], sha256=sha256,
                                      size=size, content_type=outcome.content_type,
                                      uploaded_by_id=task.user_id)
    task.report = {"lines": outcome.lines, "problems": outcome.problems,
                   "next": list(outcome.next) if outcome.next else None,
                   "action": list(outcome.action) if outcome.action else None}
    task.status, task.progress, task.finished_at = DONE, 1.0, utcnow()
    task.message = "Done"
    db.session.commit()


def fail(task_id: int, error: str, problems: list[str] | None = None) -> None:
    """Mark the task failed, saying why; nothing the work wrote is kept (an import that
    wrote in batches is undone first), nor the file an import was given."""
    undo_import(task_id)
    task = db.session.get(BackgroundTask, task_id)
    if task.kind in IMPORTS and task.input_file is not None:
        stored, task.input_file = task.input_file, None
        discard_stored_file(stored)
    task.status, task.error, task.finished_at = FAILED, error, utcnow()
    task.report = {"lines": [], "problems": problems or [], "next": None}
    task.message = "Failed"
    db.session.commit()


def run_task(task_id: int) -> str:
    """Run a queued task's work to its end; returns its final status."""
    task = db.session.get(BackgroundTask, task_id)
    if task is None or task.status != QUEUED:
        return task.status if task is not None else "missing"
    work = KINDS.get(task.kind)
    if work is None:
        fail(task_id, f"this version of Fieldwork cannot do “{task.kind}”")
        return FAILED
    info = start(task)
    try:
        outcome = work(info, Progress(task_id))
        finish(task_id, outcome, stored_content(outcome))
    except TaskError as error:
        fail(task_id, str(error), error.problems)
        return FAILED
    except Exception as error:
        log.exception("background task %s (%s) failed", task_id, info.params)
        fail(task_id, f"it stopped with an unexpected error ({type(error).__name__}: {error})")
        return FAILED
    return DONE
