"""The coding comparison page: agreement of two or more coders, as a table and as CSV."""

from __future__ import annotations

from flask import Response, g, render_template, request
from flask_login import current_user

from coding.codebook import code_tree, project_codes
from coding.codings import project_coders, viewer_in
from coding.comparison import Comparison, ComparisonError, compare_coders
from coding.forms import ComparisonForm
from coding.sources import project_sources
from fieldwork.downloads import attachment
from fieldwork.forms import choices
from fieldwork.models import Project
from fieldwork.permissions import project_access


def comparison_form(project: Project) -> ComparisonForm:
    form = ComparisonForm(request.args)
    form.sources.choices = choices([(s.id, s.title) for s in project_sources(project)])
    form.coders.choices = choices([(u.id, u.name) for u in project_coders(project)])
    form.codes.choices = choices([(row.code.id, "\u2003" * row.depth + row.code.name)
                          for row in code_tree(project_codes(project))])
    return form


def run(project: Project, form: ComparisonForm) -> Comparison:
    return compare_coders(project, form.sources.data or [], form.coders.data or [],
                          form.codes.data or [], form.units.data or "paragraphs")


@project_access("project.view")
def agreement(project: Project) -> tuple[str, int] | str:
    hidden = viewer_in(project, current_user, g.project_role).sees_only_own
    form = comparison_form(project)
    comparison, error = None, ""
    if "coders" in request.args and not hidden:
        try:
            comparison = run(project, form)
        except ComparisonError as failure:
            error = str(failure)
    return render_template("coding/agreement.html", project=project, form=form,
                           comparison=comparison, error=error, hidden=hidden,
                           query=request.query_string.decode()), 400 if error else 200


@project_access("project.view")
def agreement_csv(project: Project) -> Response | tuple[str, int]:
    if viewer_in(project, current_user, g.project_role).sees_only_own:
        return "Agreement is shown once the lead turns blind coding off.", 403
    try:
        comparison = run(project, comparison_form(project))
    except ComparisonError as error:
        return str(error), 400
    return Response(comparison.csv(), mimetype="text/csv",
                    headers=attachment("coding-agreement.csv"))
