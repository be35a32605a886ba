"""The Exports page: the choices, and the download (a request with "what" in it): made at
once when small, as a background task above EXPORT_JOB_THRESHOLD rows."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from coding import tasks
from coding.codebook import code_tree, project_codes
from coding.codings import viewer_in
from coding.exports import (
    EXPORTS,
    GROUPS,
    Download,
    ExportError,
    ExportOptions,
    Selection,
    build_export,
    export_size,
    record_export,
    selection_for,
)
from coding.exports.selection import chapter_names, source_titles
from coding.forms import ExportForm
from coding.quotebank import flagged_quotes
from fieldwork.background import status, submit
from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import can, project_access
from interviews.citations import rules_for

#: background exports and imports listed under the form
RECENT = 5


def export_form(project: Project) -> ExportForm:
    form = ExportForm(request.values)
    form.what.choices = [(key, export.label) for key, export in EXPORTS.items()]
    form.group.choices = list(GROUPS.items())
    form.chapter.choices = [("", "every chapter"), *((c, c) for c in chapter_names(project))]
    form.codes.choices = [(row.code.id, "\u2003" * row.depth + row.code.name)
                          for row in code_tree(project_codes(project))]
    form.sources.choices = source_titles(project)
    return form


def options_of(form: ExportForm) -> ExportOptions:
    return ExportOptions(what=form.what.data or "", group=form.group.data or "code",
                         chapter=form.chapter.data or None, memos=bool(form.memos.data),
                         code_ids=tuple(form.codes.data or ()),
                         source_ids=tuple(form.sources.data or ()),
                         quotes=form.quotes.data or "coded",
                         context=bool(form.context.data), link_base=request.url_root)


def page(project: Project, form: ExportForm, error: str = "",
         notice: str = "") -> tuple[str, int]:
    return render_template(
        "coding/exports.html", project=project, form=form, error=error, notice=notice,
        threshold=current_app.config["EXPORT_JOB_THRESHOLD"],
        recent=status.recent_tasks(project, current_user, g.project_role, limit=RECENT),
        state_of=status.state_of, words=status.STATE_WORDS,
        may_see_identity=can("participants.identity", project),
        only_own=viewer_in(project, current_user, g.project_role).sees_only_own,
        template=rules_for(project).template,
        flagged=len(flagged_quotes(project, can("participants.identity", project))),
    ), 400 if error or form.errors else 200


def download_response(download: Download) -> Response:
    if isinstance(download.content, bytes | str):
        return Response(download.content, content_type=download.mimetype,
                        headers=attachment(download.filename))
    response = send_file(download.content, mimetype=download.mimetype)
    response.headers.update(attachment(download.filename))
    return response


def queued(selection: Selection, size: int) -> Response:
    task = tasks.queue_export(selection, current_user, size)
    db.session.commit()
    submit(task)
    return redirect(url_for("background.task_page", project_id=selection.project.id,
                            task_id=task.id))


@project_access("analysis.export")
def exports(project: Project) -> tuple[str, int] | Response:
    form = export_form(project)
    if "what" not in request.values:
        return page(project, form)
    if not form.validate():
        return page(project, form)
    try:
        selection = selection_for(project, options_of(form), current_user, g.project_role,
                                  can("participants.identity", project))
    except ExportError as error:
        return page(project, form, str(error))
    size = export_size(selection)
    if tasks.over_threshold(size):
        if request.method == "GET":
            return page(project, form, notice=f"This export holds {size:,} rows: it is made "
                                              "in the background. Press “Download” to start it.")
        return queued(selection, size)
    # the selection made above, not made again (its options were checked once)
    download = build_export(selection, current_user.name)
    record_export(project, selection.options, current_user.id, download)
    db.session.commit()
    return download_response(download)
