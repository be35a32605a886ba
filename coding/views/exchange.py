"""REFI-QDA exchange pages: the codebook as .qdc and the whole project as .qdpx, out and in."""

from __future__ import annotations

import io

from flask import flash, g, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from coding import refi
from coding.codings import viewer_in
from coding.forms import CodebookFileForm, ProjectFileForm
from coding.models import Source
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import project_access

QDC_TYPE = "application/xml"
QDPX_TYPE = "application/zip"


def download(project: Project, data: bytes, what: str, extension: str,
             mimetype: str) -> Response:
    name = f"{secure_filename(project.name) or 'project'}-{what}-{utcnow():%Y%m%d}.{extension}"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=name)


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
        upload = form.file.data
        try:
            report = refi.import_codebook(project, upload.read(), upload.filename or "codebook",
                                          current_user)
        except refi.RefiError as error:
            db.session.rollback()
            form.file.errors = [f"Nothing was imported. {error}"]
        else:
            db.session.commit()
            flash(codebook_message(report), "success")
            return redirect(url_for("coding.codebook", project_id=project.id))
    return render_template("coding/codebook_import.html", project=project,
                           form=form), 400 if form.errors else 200


def codebook_message(report: refi.ImportReport) -> str:
    message = (f"Codebook “{report.filename}” imported: {report.codes_added} codes added, "
               f"{report.codes_kept} already there and kept as they were.")
    if report.skipped:
        message += f" Not taken: {report.skipped_words}."
    return message


def render_exchange(project: Project, form: ProjectFileForm | None = None,
                    report: refi.ImportReport | None = None) -> str:
    return render_template("coding/exchange.html", project=project,
                           form=form or ProjectFileForm(formdata=None), report=report,
                           empty=project_is_empty(project))


@project_access("project.view")
def exchange(project: Project) -> str:
    return render_exchange(project)


@project_access("analysis.export")
def project_export(project: Project) -> Response:
    export = refi.project_qdpx(project, viewer_in(project, current_user, g.project_role))
    db.session.commit()
    return download(project, export.data, "project", "qdpx", QDPX_TYPE)


@project_access("project.manage")
def project_import(project: Project) -> str | tuple[str, int]:
    form = ProjectFileForm()
    if not form.validate_on_submit():
        return render_exchange(project, form), 400
    upload = form.file.data
    try:
        report = refi.import_project(project, upload.read(), upload.filename or "project.qdpx",
                                     current_user)
    except refi.RefiError as error:
        db.session.rollback()
        form.file.errors = [f"Nothing was imported. {error}"]
        return render_exchange(project, form), 400
    db.session.commit()
    return render_exchange(project, report=report)
