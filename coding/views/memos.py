"""Memo pages: search and list, write, edit and delete."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from coding import memos as logic
from coding.codebook import code_tree, project_codes
from coding.codings import viewer_in
from coding.forms import MemoForm
from coding.models import Code, Memo, Source
from coding.sources import project_sources
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access

PROJECT = "project"


def about_choices(project: Project) -> list[tuple[str, str]]:
    choices = [(PROJECT, "The project")]
    choices += [(f"source:{s.id}", f"Source: {s.title}") for s in project_sources(project)]
    choices += [(f"code:{row.code.id}", f"Code: {row.path}")
                for row in code_tree(project_codes(project))]
    return choices


def target_of(project: Project, about: str) -> tuple[Source | None, Code | None]:
    kind, _, object_id = about.partition(":")
    if kind == "source" and object_id.isdigit():
        return get_or_404(Source, int(object_id), project), None
    if kind == "code" and object_id.isdigit():
        return None, get_or_404(Code, int(object_id), project)
    return None, None


@project_access("project.view")
def memo_list(project: Project) -> str:
    text, target = request.args.get("q", ""), request.args.get("on", "")
    memos = logic.search_memos(project, viewer_in(project, current_user, g.project_role),
                               text, target)
    return render_template("coding/memos.html", project=project, memos=memos, q=text,
                           on=target, targets=logic.TARGETS)


@project_access("memos.edit")
def memo_new(project: Project) -> tuple[str, int] | Response:
    form = MemoForm()
    form.about.choices = choices(about_choices(project))
    if not form.is_submitted():
        form.about.data = request.args.get("about", PROJECT)
    return save(project, form, None)


@project_access("memos.edit")
def memo_edit(project: Project, memo_id: int) -> tuple[str, int] | Response:
    memo = get_or_404(Memo, memo_id, project)
    if not editable(project, memo):
        return refuse_memo(project)
    form = MemoForm(obj=memo)
    form.about.choices = choices(about_choices(project))
    if not form.is_submitted():
        form.about.data = (f"source:{memo.source_id}" if memo.source_id else
                           f"code:{memo.code_id}" if memo.code_id else PROJECT)
    return save(project, form, memo)


def editable(project: Project, memo: Memo) -> bool:
    """A coding's memo is changed on the coding page; others by their author or the lead."""
    return memo.coding_id is None and logic.may_edit_memo(
        memo, viewer_in(project, current_user, g.project_role))


def refuse_memo(project: Project) -> Response:
    flash("Only the memo's author or the lead can change it; a coding's memo is changed on "
          "the coding page.", "error")
    return redirect(url_for("coding.memo_list", project_id=project.id))


def save(project: Project, form: MemoForm, memo: Memo | None) -> tuple[str, int] | Response:
    if form.validate_on_submit():
        source, code = target_of(project, form.about.data or PROJECT)
        try:
            memo = logic.write_memo(project, current_user, form.title.data or "",
                                    form.body.data or "", source, code, memo)
        except logic.MemoError as error:
            form.body.errors = [*form.body.errors, str(error)]
        else:
            memo.source_id = source.id if source else None
            memo.code_id = code.id if code else None
            db.session.commit()
            flash("Memo saved.", "success")
            return redirect(url_for("coding.memo_list", project_id=project.id))
    return render_template("coding/memo_form.html", project=project, form=form,
                           memo=memo), 400 if form.errors else 200


@project_access("memos.edit")
def memo_delete(project: Project, memo_id: int) -> Response:
    memo = get_or_404(Memo, memo_id, project)
    if not editable(project, memo):
        return refuse_memo(project)
    logic.delete_memo(memo)
    db.session.commit()
    flash("Memo deleted.", "success")
    return redirect(url_for("coding.memo_list", project_id=project.id))
