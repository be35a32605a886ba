"""A .qdpx imported by a task in short transactions, all or nothing (fieldwork.background.locks).

The task closes the project and commits the marks below with its people and codes; then it
commits every BATCH codings (each commit holds SQLite's write lock for about a tenth of a
second, so other people's saves go on); the memos on codes and the project, the audit entry
and the opening of the project are committed with the task's result. Should anything fail,
or the worker die, `undo_project_import` deletes what it wrote, again in short transactions.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func

from coding.models import Code, CoderIdentity, Coding, Memo, Source
from coding.refi.importing import ProjectImport, check_empty, record_project_import
from coding.refi.report import ImportReport
from coding.refi.specs import ProjectFile
from coding.refi.xmlio import RefiError
from fieldwork.background.locks import close_for_import, is_closed, reopen
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User
from fieldwork.storage import delete_stored_file
from interviews.models import Interview
from interviews.recordings.models import Recording
from interviews.transcripts.models import Transcript

#: rows an import writes, by table, in the order they are deleted when it is undone
WRITTEN = (Memo, Coding, Source, Transcript, Recording, Interview, Code, CoderIdentity)
#: rows deleted in one transaction when an import is undone
DELETE_BATCH = 5_000
#: seconds between two batches on SQLite: a writer waiting for the lock retries every 0.1 s
#: at most (SQLite's busy handler) and must find it free, or an import that takes it again
#: at once keeps it waiting batch after batch
SQLITE_PAUSE = 0.1


def marks_now() -> dict[str, int]:
    """Each table's next id: the project is closed, so its rows from there on are the
    import's."""
    return {model.__tablename__: (db.session.scalar(db.select(func.max(model.id))) or 0) + 1
            for model in WRITTEN}


def open_import(project: Project, file: ProjectFile, filename: str, user: User,
                task_id: int) -> ProjectImport:
    """Close the project for the task and add the file's people and codes (flushed; the
    task commits before writing its sources)."""
    if is_closed(project.id):
        raise RefiError("Another file is being imported into this project; wait until it "
                        "has ended.")
    check_empty(project)
    close_for_import(project.id, task_id, marks_now())
    writer = ProjectImport(project, file, filename, user)
    writer.open()
    return writer


def write_in_batches(writer: ProjectImport, saved: Callable[[int], None]) -> None:
    """Sources, codings and memos, committed every BATCH codings; `saved(codings)` after
    each commit (the task's progress)."""

    pause = SQLITE_PAUSE if db.engine.dialect.name == "sqlite" else 0.0

    def commit() -> None:
        db.session.commit()
        saved(writer.report.codings)
        time.sleep(pause)

    writer.write_sources(commit)


def close_import(writer: ProjectImport) -> ImportReport:
    """The rest of the file, the import recorded and the project opened (flushed: the task
    commits it with its result)."""
    report = writer.close()
    record_project_import(db.session.get(Project, writer.project_id), report,
                          db.session.get(User, writer.user_id))
    reopen(writer.project_id)
    return report


def undo_project_import(project_id: int, marks: dict[str, int]) -> None:
    """Delete the rows the import wrote in the project and the files it stored, then
    the external coders it made who are nobody else's; commits every DELETE_BATCH rows."""
    made = list(db.session.scalars(db.select(CoderIdentity.user_id).where(
        CoderIdentity.project_id == project_id,
        CoderIdentity.id >= marks[CoderIdentity.__tablename__])))
    files = [*db.session.scalars(db.select(Recording.stored_file_id).where(
        Recording.project_id == project_id, Recording.id >= marks[Recording.__tablename__])),
        *db.session.scalars(db.select(Source.file_id).where(
            Source.project_id == project_id, Source.id >= marks[Source.__tablename__],
            Source.file_id.is_not(None)))]
    for model in WRITTEN:
        delete_in_batches(model, project_id, marks[model.__tablename__])
    for stored in db.session.scalars(db.select(StoredFile).where(StoredFile.id.in_(files))):
        delete_stored_file(stored)
    unused = [user_id for user_id in made if db.session.scalar(
        db.select(CoderIdentity.id).where(CoderIdentity.user_id == user_id).limit(1)) is None]
    db.session.execute(db.delete(User).where(User.id.in_(unused), User.external.is_(True)))
    db.session.commit()


def delete_in_batches(model: type[db.Model], project_id: int, mark: int) -> None:
    while True:
        ids = list(db.session.scalars(db.select(model.id).where(
            model.project_id == project_id, model.id >= mark).limit(DELETE_BATCH)))
        if not ids:
            return
        db.session.execute(db.delete(model).where(model.id.in_(ids)))
        db.session.commit()
