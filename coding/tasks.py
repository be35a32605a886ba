"""Background work of the coding feature: exports too large for a request, the REFI-QDA
project export, the .qdpx and .qdc imports, and code suggestions for a source.

Exports read everything inside `read_phase()` (no lock, however long) and write only their
audit entry, with the task's file, at the end. Imports read and check the whole file before
writing anything; a codebook is written in one transaction, a project in short ones while
the project is closed, all of it or nothing (coding.refi.staging).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from flask import current_app
from werkzeug.datastructures import FileStorage

from coding import refi
from coding.codings import viewer_in
from coding.exports import (
    ExportError,
    ExportOptions,
    Selection,
    build_export,
    export_label,
    record_export,
    selection_for,
)
from coding.exports.tables import SPOOL_BYTES
from coding.models import Source
from coding.suggestions.store import SCOPES, save_suggestions
from fieldwork.background import (
    Outcome,
    ProgressReport,
    TaskError,
    TaskInfo,
    create_task,
    read_phase,
    register_import,
    starter_in,
    task_kind,
)
from fieldwork.extensions import db
from fieldwork.models import BackgroundTask, Project, User
from fieldwork.permissions import roles_with
from fieldwork.storage import file_store, store_upload

EXPORT, QDPX_EXPORT = "coding.export", "coding.qdpx_export"
PROJECT_IMPORT, CODEBOOK_IMPORT = "coding.project_import", "coding.codebook_import"
SUGGEST = "coding.suggest"
QDPX_TYPE = "application/zip"
#: import steps, as the task's page counts them
STEPS = 2


def over_threshold(size: int) -> bool:
    return size > current_app.config["EXPORT_JOB_THRESHOLD"]


def options_of(params: dict[str, Any]) -> ExportOptions:
    return ExportOptions(what=params["what"], group=params["group"], chapter=params["chapter"],
                         memos=params["memos"], code_ids=tuple(params["code_ids"]),
                         source_ids=tuple(params["source_ids"]),
                         quotes=params.get("quotes", "coded"),
                         context=params.get("context", False),
                         link_base=params.get("link_base", ""))


def queue_export(selection: Selection, user: User, size: int) -> BackgroundTask:
    """A task making this export (flushed; the caller commits and submits it)."""
    options = selection.options
    params = {"what": options.what, "group": options.group, "chapter": options.chapter,
              "memos": options.memos, "code_ids": list(options.code_ids),
              "source_ids": list(options.source_ids), "quotes": options.quotes,
              "context": options.context, "link_base": options.link_base}
    return create_task(selection.project, user, EXPORT, export_label(selection, size),
                       "analysis.export", params)


@task_kind(EXPORT)
def run_export(info: TaskInfo, progress: ProgressReport) -> Outcome:
    with read_phase():
        project, user, role = starter_in(info, "analysis.export")
        try:
            selection = selection_for(project, options_of(info.params), user, role,
                                      role in roles_with("participants.identity"), progress)
        except ExportError as error:
            raise TaskError(str(error)) from None
        download = build_export(selection, user.name)
        options = selection.options

    def record() -> None:
        record_export(db.session.get(Project, info.project_id), options, info.user_id,
                      download)

    return Outcome(download.content, download.filename, download.mimetype,
                   [f"{download.summary}."], record=record)


def queue_qdpx_export(project: Project, user: User) -> BackgroundTask:
    return create_task(project, user, QDPX_EXPORT, "REFI-QDA project export (.qdpx)",
                       "analysis.export")


@task_kind(QDPX_EXPORT)
def run_qdpx_export(info: TaskInfo, progress: ProgressReport) -> Outcome:
    # Left open when all went well: the task closes it once it has stored it.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        with read_phase():
            project, user, role = starter_in(info, "analysis.export")
            export = refi.write_qdpx(project, viewer_in(project, user, role), out, progress)
            name = refi.file_name(project, "project", "qdpx")
    except BaseException:
        out.close()
        raise
    out.seek(0)
    left_out = (f" {len(export.left_out)} transcripts left out: withdrawn consent."
                if export.left_out else "")

    def record() -> None:
        project, user, role = starter_in(info, "analysis.export")
        refi.record_qdpx_export(project, viewer_in(project, user, role), export)

    return Outcome(out, name, QDPX_TYPE, [
        f"{export.sources:,} sources, {export.codings:,} codings and {export.memos:,} memos "
        f"exported.{left_out}"], record=record)


def queue_import(project: Project, user: User, upload: FileStorage, kind: str,
                 params: dict[str, Any] | None = None) -> BackgroundTask:
    """Keep the uploaded file and make a task importing it (flushed). An empty file, a .qdc
    at the project import, or a .qdpx for a project that already has sources, is refused at
    once (RefiError), before anything of it is stored; when the task fails, its file is
    deleted (fieldwork.background). `params`: for a project, "positions", how the file
    counts them ("" to find out)."""
    head = upload.stream.read(4096)
    upload.stream.seek(0)
    if not head:
        raise refi.RefiError("The file is empty.")
    if kind == PROJECT_IMPORT:
        if refi.is_codebook(head):
            raise refi.RefiError(refi.WRONG_PAGE_CODEBOOK)
        refi.check_empty(project)
    default = "project.qdpx" if kind == PROJECT_IMPORT else "codebook.qdc"
    stored = store_upload(upload.stream, upload.filename or default, user.id)
    what, permission = (("project", "project.manage") if kind == PROJECT_IMPORT
                        else ("codebook", "codebook.edit"))
    return create_task(project, user, kind, f"{what} import of “{stored.filename}”", permission,
                       params, input_file=stored)


@contextmanager
def uploaded_file(info: TaskInfo) -> Iterator[BinaryIO]:
    """The uploaded file, open for reading from the file store: never read whole."""
    if info.input_sha256 is None:
        raise TaskError("Nothing was imported: the uploaded file is no longer kept.")
    with file_store().blob_path(info.input_sha256).open("rb") as stream:
        yield stream


@task_kind(PROJECT_IMPORT)
def run_project_import(info: TaskInfo, progress: ProgressReport) -> Outcome:
    progress(0, STEPS, "steps done: reading the file")
    try:
        # open while the import writes: recordings are copied out of it then
        with uploaded_file(info) as stream:
            file = refi.read_project(stream, info.params.get("positions", ""))
            progress(1, STEPS, "steps done: saving what was read")
            project, user, _role = starter_in(info, "project.manage")
            writer = refi.open_import(project, file, info.input_filename, user, info.id)
            db.session.commit()
            total = writer.codings
            refi.write_in_batches(writer, lambda done: progress(done, total, "codings written"))
            report = refi.close_import(writer)
    except refi.RefiError as error:
        raise TaskError(f"Nothing was imported. {error}") from None
    return Outcome(lines=refi.project_lines(report), next=("Go to the sources",
                                                           "coding.source_list"))


register_import(PROJECT_IMPORT, refi.undo_project_import)
register_import(CODEBOOK_IMPORT)


@task_kind(CODEBOOK_IMPORT)
def run_codebook_import(info: TaskInfo, progress: ProgressReport) -> Outcome:
    progress(0, STEPS, "steps done: reading the file")
    try:
        with uploaded_file(info) as stream:
            specs, skipped = refi.read_codebook(stream)
        progress(1, STEPS, "steps done: saving what was read")
        project, user, _role = starter_in(info, "codebook.edit")
        report = refi.import_codebook_specs(project, specs, skipped, info.input_filename, user)
    except refi.RefiError as error:
        raise TaskError(f"Nothing was imported. {error}") from None
    return Outcome(lines=refi.codebook_lines(report), next=("Go to the codebook",
                                                            "coding.codebook"))


def queue_suggestions(project: Project, source: Source, user: User, scope: str) -> BackgroundTask:
    """A task suggesting codes for the source (flushed; the caller commits and submits it)."""
    return create_task(project, user, SUGGEST, f"Code suggestions for “{source.title}”",
                       "coding.edit", {"source_id": source.id, "scope": scope})


@task_kind(SUGGEST)
def run_suggestions(info: TaskInfo, progress: ProgressReport) -> Outcome:
    # the model's numpy code, in the worker only: the web process that queues this never loads it
    from coding.suggestions.making import make_suggestions
    from coding.suggestions.sentences import SentenceModelMissing, encoder_for

    with read_phase():
        project, user, role = starter_in(info, "coding.edit")
        source = db.session.get(Source, info.params["source_id"])
        if source is None or source.project_id != project.id:
            raise TaskError("the source was deleted")
        scope = info.params.get("scope", "all")
        try:
            embed = encoder_for(current_app.config["SUGGESTION_MODEL"])
        except SentenceModelMissing as error:
            raise TaskError(str(error)) from None
        made = make_suggestions(project, source, viewer_in(project, user, role), scope, embed)
        title = source.title
    progress(made.passages, made.passages, "passages read")

    def record() -> None:
        save_suggestions(db.session.get(Project, info.project_id), made)

    return Outcome(lines=[f"{len(made.suggestions):,} suggestions for {made.passages:,} "
                          f"passages of “{title}” ({SCOPES.get(scope, scope)})."],
                   record=record)
