"""REFI-QDA exchange pages: the codebook as .qdc and the whole project as .qdpx, out and in.
The .qdpx export and both imports run as background tasks; their page shows the result."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from coding import refi, tasks
from coding.coders import CoderError, external_coders, join_coder, joinable_accounts
from coding.forms import CodebookFileForm, JoinCoderForm, ProjectFileForm
from coding.models import CoderIdentity, Source
from fieldwork.background import submit
from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import BackgroundTask, Project
from fieldwork.permissions import get_or_404, project_access

QDC_TYPE = "application/xml"


def download(project: Project, data: bytes, what: str, extension: str,
             mimetype: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers=attachment(refi.file_name(project, what, extension)))


def to_task(project: Project, task: BackgroundTask) -> Response:
    db.session.commit()
    submit(task)
    return redirect(url_for("background.task_page", project_id=project.id, task_id=task.id))


def project_is_empty(project: Project) -> bool:
    return db.session.scalar(db.select(Source.id).where(Source.project_id == project.id)
                             .limit(1)) is None


@project_access("analysis.export")
def codebook_export(project: Project) -> Response:
    try:
        data = refi.codebook_qdc(project, current_user)
    except refi.RefiError as error:
        flash(str(error), "error")
        return redirect(url_for("coding.codebook", project_id=project.id))
    db.session.commit()
    return download(project, data, "codebook", "qdc", QDC_TYPE)


@project_access("codebook.edit")
def codebook_import(project: Project) -> tuple[str, int] | Response:
    form = CodebookFileForm()
    if form.validate_on_submit():
        try:
            task = tasks.queue_import(project, current_user, form.file.data,
                                      tasks.CODEBOOK_IMPORT)
        except refi.RefiError as error:
            db.session.rollback()
            form.file.errors = [f"Nothing was imported. {error}"]
        else:
            return to_task(project, task)
    return render_template("coding/codebook_import.html", project=project,
                           form=form), 400 if form.errors else 200


def join_form(project: Project) -> JoinCoderForm:
    form = JoinCoderForm()
    form.account.choices = choices([(str(user.id), f"{user.name} ({user.email})")
                                    for user in joinable_accounts(project)])
    return form


def render_exchange(project: Project, form: ProjectFileForm | None = None) -> str:
    return render_template("coding/exchange.html", project=project,
                           form=form or ProjectFileForm(formdata=None),
                           empty=project_is_empty(project),
                           external=external_coders(project), join=join_form(project))


@project_access("project.manage")
def join_external_coder(project: Project, identity_id: int) -> Response:
    identity = get_or_404(CoderIdentity, identity_id, project)
    form = join_form(project)
    accounts = {user.id: user for user in joinable_accounts(project)}
    account = accounts.get(form.account.data) if form.validate_on_submit() else None
    if account is None:
        flash("Choose a member of this project to join the external coder to.", "error")
        return redirect(url_for("coding.exchange", project_id=project.id))
    name = identity.name
    try:
        moved = join_coder(identity, account, current_user)
    except CoderError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"“{name}” is now {account.name}: {moved:,} codings moved.", "success")
    return redirect(url_for("coding.exchange", project_id=project.id))


@project_access("project.view")
def exchange(project: Project) -> str:
    return render_exchange(project)


@project_access("analysis.export")
def project_export(project: Project) -> Response:
    return to_task(project, tasks.queue_qdpx_export(project, current_user))


@project_access("project.manage")
def project_import(project: Project) -> str | tuple[str, int] | Response:
    form = ProjectFileForm()
    if not form.validate_on_submit():
        return render_exchange(project, form), 400
    try:
        task = tasks.queue_import(project, current_user, form.file.data, tasks.PROJECT_IMPORT,
                                  {"positions": form.positions.data or ""})
    except refi.RefiError as error:
        db.session.rollback()
        form.file.errors = [f"Nothing was imported. {error}"]
        return render_exchange(project, form), 400
    return to_task(project, task)
