"""Codebook pages: the tree, a code's page, new and edit, move, merge, split, archive and
restore, the starter codebook, the history and the blind-coding setting."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from coding import codebook as logic
from coding import omissions
from coding.codings import set_blind, settings_of, visible_coder
from coding.forms import BlindForm, CodeForm, MergeForm, MoveForm, SplitForm
from coding.models import Code, Coding
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.leftout import LeftOut
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access

TOP = ""


def back_to(project: Project, code: Code | None = None) -> Response:
    if code is None:
        return redirect(url_for("coding.codebook", project_id=project.id))
    return redirect(url_for("coding.code_page", project_id=project.id, code_id=code.id))


def parent_choices(project: Project, excluded: Code | None = None) -> list[tuple[str, str]]:
    """Top level and every code except `excluded` and what is under it."""
    rows = logic.code_tree(logic.project_codes(project, include_archived=False))
    choices, skipping_below = [(TOP, "— the top level —")], None
    for row in rows:
        if skipping_below is not None and row.depth > skipping_below:
            continue
        skipping_below = None
        if excluded is not None and row.code.id == excluded.id:
            skipping_below = row.depth
            continue
        choices.append((str(row.code.id), "\u2003" * row.depth + row.code.name))
    return choices


def fields_of(form: CodeForm) -> logic.CodeFields:
    return logic.CodeFields(
        name=form.name.data or "", definition=form.definition.data or "",
        when_to_use=form.when_to_use.data or "", when_not_to_use=form.when_not_to_use.data or "",
        example=form.example.data or "", colour=form.colour.data or "",
        shortcut=form.shortcut.data or "")


def parent_id_of(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def counts_of(project: Project, rows: list[logic.TreeRow]) -> tuple[dict, LeftOut]:
    """Every code's codings, own and with sub-codes, as the reader may count them: under
    blind coding a coder counts only their own, and the page says so."""
    coder = visible_coder(project, current_user, g.project_role)
    return (logic.code_counts(project, coder, rows),
            LeftOut([omissions.BLIND] if coder else []))


@project_access("project.view")
def codebook(project: Project) -> str:
    rows = logic.code_tree(logic.project_codes(project))
    counts, left_out = counts_of(project, rows)
    return render_template("coding/codebook.html", project=project, rows=rows,
                           counts=counts, left_out=left_out,
                           blind_form=BlindForm(blind=settings_of(project).blind))


@project_access("project.view")
def code_page(project: Project, code_id: int) -> str:
    code = get_or_404(Code, code_id, project)
    rows = logic.code_tree(logic.project_codes(project))
    counts, left_out = counts_of(project, rows)
    return render_template("coding/code_page.html", project=project, code=code,
                           path=next((r.path for r in rows if r.code.id == code.id), code.name),
                           count=counts.get(code.id, logic.CodeCount()), left_out=left_out,
                           history=logic.codebook_history(project, code),
                           move_form=MoveForm(parent=str(code.parent_id or TOP)),
                           merge_form=merge_form(project, code),
                           parents=parent_choices(project, code))


def merge_form(project: Project, code: Code) -> MergeForm:
    form = MergeForm()
    form.into.choices = choices([(row.code.id, row.path) for row in
                         logic.code_tree(logic.project_codes(project, include_archived=False))
                         if row.code.id != code.id])
    return form


@project_access("codebook.edit")
def code_new(project: Project) -> tuple[str, int] | Response:
    form = CodeForm()
    form.parent.choices = choices(parent_choices(project))
    if not form.is_submitted():
        form.parent.data = request.args.get("parent", TOP)
    if form.validate_on_submit():
        try:
            code = logic.create_code(project, fields_of(form), parent_id_of(form.parent.data),
                                     current_user)
        except logic.CodebookError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            flash(f"Code “{code.name}” added.", "success")
            return back_to(project)
    return render_template("coding/code_form.html", project=project, form=form,
                           code=None), 400 if form.errors else 200


@project_access("codebook.edit")
def code_edit(project: Project, code_id: int) -> tuple[str, int] | Response:
    code = get_or_404(Code, code_id, project)
    form = CodeForm(obj=code)
    # The edit page has no parent field (a code moves with its own form): without this,
    # the missing parent failed validation and every edit was refused with no field marked.
    del form.parent
    if form.validate_on_submit():
        try:
            logic.update_code(code, fields_of(form), current_user)
        except logic.CodebookError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            flash(f"Code “{code.name}” saved.", "success")
            return back_to(project, code)
    return render_template("coding/code_form.html", project=project, form=form,
                           code=code), 400 if form.errors else 200


@project_access("codebook.edit")
def code_move(project: Project, code_id: int) -> Response:
    code = get_or_404(Code, code_id, project)
    try:
        logic.move_code(code, parent_id_of(request.form.get("parent")), current_user)
    except logic.CodebookError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"“{code.name}” moved.", "success")
    return back_to(project, code)


@project_access("codebook.edit")
def code_merge(project: Project, code_id: int) -> Response:
    code = get_or_404(Code, code_id, project)
    into = db.session.get(Code, request.form.get("into", type=int) or 0)
    name = code.name
    try:
        if into is None or into.project_id != project.id:
            raise logic.CodebookError("Choose the code to merge into.")
        moved = logic.merge_codes(code, into, current_user)
    except logic.CodebookError as error:
        flash(str(error), "error")
        return back_to(project, code)
    db.session.commit()
    flash(f"“{name}” merged into “{into.name}”: {moved} codings moved.", "success")
    return back_to(project, into)


@project_access("codebook.edit")
def code_split(project: Project, code_id: int) -> tuple[str, int] | Response:
    code = get_or_404(Code, code_id, project)
    form = SplitForm()
    form.parent.choices = choices([(TOP, "beside the code")])
    codings = list(db.session.scalars(db.select(Coding).where(Coding.code_id == code.id)
                                      .order_by(Coding.source_id, Coding.start)))
    if form.validate_on_submit():
        try:
            new = logic.split_code(code, fields_of(form), form.codings.data or [], current_user)
        except logic.CodebookError as error:
            form.codings.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"“{new.name}” split from “{code.name}”.", "success")
            return back_to(project, new)
    return render_template("coding/code_split.html", project=project, code=code, form=form,
                           codings=codings), 400 if form.errors else 200


@project_access("codebook.edit")
def code_archive(project: Project, code_id: int) -> Response:
    code = get_or_404(Code, code_id, project)
    logic.archive_code(code, current_user)
    db.session.commit()
    flash(f"“{code.name}” archived: its codings stay, it is no longer offered.", "success")
    return back_to(project, code)


@project_access("codebook.edit")
def code_restore(project: Project, code_id: int) -> Response:
    code = get_or_404(Code, code_id, project)
    try:
        logic.restore_code(code, current_user)
    except logic.CodebookError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"“{code.name}” restored.", "success")
    return back_to(project, code)


@project_access("codebook.edit")
def codebook_starter(project: Project) -> Response:
    added = logic.load_starter(project, current_user)
    db.session.commit()
    flash(f"Starter codebook loaded: {added} codes added." if added else
          "Every code of the starter codebook is already here.", "success")
    return back_to(project)


@project_access("project.view")
def codebook_history(project: Project) -> str:
    return render_template("coding/codebook_history.html", project=project,
                           changes=logic.codebook_history(project))


@project_access("codebook.edit")
def coding_settings(project: Project) -> Response:
    form = BlindForm()
    set_blind(project, bool(form.blind.data), current_user)
    db.session.commit()
    flash("Blind coding is on: coders see only their own codings." if form.blind.data else
          "Blind coding is off: coders see everyone's codings.", "success")
    return back_to(project)
