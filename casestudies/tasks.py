"""Background work of places and partnerships: the partnership import, committed by a task.

The file is read whole before the one transaction that checks every row against the
gazetteer and writes them all, or nothing when any row is bad (each one is then listed on
the task's page).
"""

from __future__ import annotations

from casestudies import importing
from fieldwork.background import (
    Outcome,
    ProgressReport,
    TaskError,
    TaskInfo,
    create_task,
    starter_in,
    task_kind,
)
from fieldwork.models import BackgroundTask, Project, StoredFile, User

PARTNERSHIP_IMPORT = "places.partnership_import"
#: import steps, as the task's page counts them
STEPS = 2


def queue_partnership_import(project: Project, user: User, stored: StoredFile) -> BackgroundTask:
    """A task importing an uploaded file already previewed (flushed)."""
    return create_task(project, user, PARTNERSHIP_IMPORT,
                       f"partnership import of “{stored.filename}”", "casestudies.edit",
                       input_file=stored)


@task_kind(PARTNERSHIP_IMPORT)
def run_partnership_import(info: TaskInfo, progress: ProgressReport) -> Outcome:
    if info.input_sha256 is None:
        raise TaskError("Nothing was imported: the uploaded file is no longer kept.")
    progress(0, STEPS, "steps done: reading the file")
    try:
        header, rows = importing.rows_of(importing.stored_file_bytes(info.input_sha256),
                                         info.input_filename)
    except importing.ImportFileError as error:
        raise TaskError(f"Nothing was imported. {error}") from None
    progress(1, STEPS, "steps done: checking and saving the rows")
    project, user, _role = starter_in(info, "casestudies.edit")
    report = importing.check_rows(project, header, rows)
    if not report.ok:
        raise TaskError("Nothing was imported: the file has rows to correct (listed below).",
                        importing.problem_lines(report) or ["The file has no rows."])
    created = importing.commit_import(project, report, user, info.input_filename)
    count = f"{len(created)} partnership{'' if len(created) == 1 else 's'}"
    return Outcome(lines=[f"{count} imported from {info.input_filename}."],
                   next=("Go to the partnerships", "places.partnership_list"))
