"""Background work of places and partnerships: checking a large partnership file, and the
import that commits a checked file.

The file is read whole first. A check reads the database only (its rows against the
gazetteer, the project's areas and partnerships) and lists each bad row; the import checks
and writes every row in one transaction, or nothing when any row is bad.
"""

from __future__ import annotations

from casestudies import importing
from casestudies.partnerships import ensure_areas
from fieldwork.background import (
    Outcome,
    ProgressReport,
    TaskError,
    TaskInfo,
    create_task,
    read_phase,
    starter_in,
    task_kind,
)
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Project, StoredFile, User

PARTNERSHIP_CHECK = "places.partnership_check"
PARTNERSHIP_IMPORT = "places.partnership_import"
#: import steps, as the task's page counts them
STEPS = 2
Rows = tuple[list[str], list[tuple[int, dict[str, str]]]]


def partnerships(count: int) -> str:
    return f"{count:,} partnership{'' if count == 1 else 's'}"


def queue_partnership_check(project: Project, user: User, stored: StoredFile,
                            rows: int) -> BackgroundTask:
    """A task checking every row of an uploaded file too large to check in a request."""
    return create_task(project, user, PARTNERSHIP_CHECK,
                       f"check of “{stored.filename}” ({rows:,} rows)", "casestudies.edit",
                       input_file=stored)


def queue_partnership_import(project: Project, user: User, stored: StoredFile) -> BackgroundTask:
    """A task importing an uploaded file already checked (flushed)."""
    return create_task(project, user, PARTNERSHIP_IMPORT,
                       f"partnership import of “{stored.filename}”", "casestudies.edit",
                       input_file=stored)


def read_rows(info: TaskInfo) -> Rows:
    if info.input_sha256 is None:
        raise TaskError("Nothing was imported: the uploaded file is no longer kept.")
    try:
        return importing.rows_of(importing.stored_file_bytes(info.input_sha256),
                                 info.input_filename)
    except importing.ImportFileError as error:
        raise TaskError(f"Nothing was imported. {error}") from None


@task_kind(PARTNERSHIP_CHECK)
def run_partnership_check(info: TaskInfo, progress: ProgressReport) -> Outcome:
    header, rows = read_rows(info)
    project, _user, _role = starter_in(info, "casestudies.edit")
    ensure_areas(project)
    db.session.commit()  # the default areas, in a short transaction: the check only reads
    with read_phase():
        report = importing.check_rows(db.session.get(Project, info.project_id), header, rows,
                                      progress)
        problems, bad, ok = importing.problem_lines(report), len(report.bad_rows), report.ok
    if not ok:
        return Outcome(lines=[f"{bad:,} of {len(rows):,} rows to correct; nothing was imported. "
                              "Correct the file and upload it again."],
                       problems=problems or ["The file has no rows."])
    return Outcome(lines=[f"All {len(rows):,} rows are fine. Import them?"],
                   action=(f"Import {partnerships(len(rows))}", "places.import_commit",
                           {"file_id": str(info.input_file_id)}))


@task_kind(PARTNERSHIP_IMPORT)
def run_partnership_import(info: TaskInfo, progress: ProgressReport) -> Outcome:
    progress(0, STEPS, "steps done: reading the file")
    header, rows = read_rows(info)
    progress(1, STEPS, "steps done: checking and saving the rows")
    project, user, _role = starter_in(info, "casestudies.edit")
    report = importing.check_rows(project, header, rows)
    if not report.ok:
        raise TaskError("Nothing was imported: the file has rows to correct (listed below).",
                        importing.problem_lines(report) or ["The file has no rows."])
    created = importing.commit_import(project, report, user, info.input_filename)
    return Outcome(lines=[f"{partnerships(len(created))} imported from {info.input_filename}."],
                   next=("Go to the partnerships", "places.partnership_list"))
