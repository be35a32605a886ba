"""Interview guide pages: list, write, edit, print."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access
from interviews import guides as logic
from interviews.forms import GuideForm
from interviews.models import Guide


@project_access("project.view")
def guide_list(project: Project) -> str:
    return render_template("interviews/guides.html", project=project,
                           guides=logic.project_guides(project))


@project_access("interviews.edit")
def guide_new(project: Project) -> tuple[str, int] | Response:
    form = GuideForm()
    if not form.is_submitted():
        form.text.data = logic.starter_text()
    return save(project, form, None)


@project_access("interviews.edit")
def guide_edit(project: Project, guide_id: int) -> tuple[str, int] | Response:
    guide = get_or_404(Guide, guide_id, project)
    form = GuideForm(obj=guide)
    if not form.is_submitted():
        form.text.data = logic.guide_text(guide)
    return save(project, form, guide)


def save(project: Project, form: GuideForm, guide: Guide | None) -> tuple[str, int] | Response:
    if form.validate_on_submit():
        try:
            guide = logic.save_guide(project, guide, form.title.data or "",
                                     form.introduction.data or "", form.text.data or "")
        except logic.GuideError as error:
            form.text.errors = [*form.text.errors, str(error)]
        else:
            db.session.commit()
            flash(f"Guide “{guide.title}” saved.", "success")
            return redirect(url_for("interviews.guide_detail", project_id=project.id,
                                    guide_id=guide.id))
    return render_template("interviews/guide_form.html", project=project, form=form,
                           guide=guide), 400 if form.errors else 200


@project_access("project.view")
def guide_detail(project: Project, guide_id: int) -> str:
    guide = get_or_404(Guide, guide_id, project)
    return render_template("interviews/guide.html", project=project, guide=guide,
                           topics=logic.grouped_questions(guide))
