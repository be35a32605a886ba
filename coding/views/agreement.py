"""The coding comparison page: agreement of two or more coders, as a table and as CSV; and
the disagreements of two coders, which the lead settles one by one into a consensus."""

from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from coding import consensus
from coding.codebook import code_paths, code_tree, project_codes
from coding.codings import project_coders, viewer_in
from coding.comparison import Comparison, ComparisonError, compare_coders
from coding.disagreements import ACTIONS, KINDS, SettleError, marked_text
from coding.forms import ComparisonForm, DisagreementsForm
from coding.sources import project_sources
from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.forms import choices
from fieldwork.models import Project
from fieldwork.permissions import LEAD, project_access

BLIND = "Agreement is shown once the lead turns blind coding off."
#: disagreements listed on one page
PER_PAGE = 100


def comparison_form(project: Project) -> ComparisonForm:
    form = ComparisonForm(request.args)
    with_sources_and_coders(form, project)
    form.codes.choices = choices([(row.code.id, "\u2003" * row.depth + row.code.name)
                          for row in code_tree(project_codes(project))])
    return form


def with_sources_and_coders(form: ComparisonForm | DisagreementsForm, project: Project,
                            leave_out: int | None = None) -> None:
    form.sources.choices = choices([(s.id, s.title) for s in project_sources(project)])
    form.coders.choices = choices([(u.id, u.name) for u in project_coders(project)
                                   if u.id != leave_out])


def run(project: Project, form: ComparisonForm) -> Comparison:
    return compare_coders(project, form.sources.data or [], form.coders.data or [],
                          form.codes.data or [], form.units.data or "paragraphs",
                          form.unused.data)


def hidden_from_viewer(project: Project) -> bool:
    return viewer_in(project, current_user, g.project_role).sees_only_own


@project_access("project.view")
def agreement(project: Project) -> tuple[str, int] | str:
    hidden = hidden_from_viewer(project)
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
    if hidden_from_viewer(project):
        return BLIND, 403
    try:
        comparison = run(project, comparison_form(project))
    except ComparisonError as error:
        return str(error), 400
    return Response(comparison.csv(), mimetype="text/csv",
                    headers=attachment("coding-agreement.csv"))


@project_access("project.view")
def disagreements(project: Project) -> tuple[str, int]:
    hidden = hidden_from_viewer(project)
    form = DisagreementsForm(request.args)
    consensus_coder = consensus.consensus_coder(project)
    with_sources_and_coders(form, project, consensus_coder.id if consensus_coder else None)
    review, error = None, ""
    if "coders" in request.args and not hidden:
        try:
            review = consensus.review(project, form.sources.data or [], form.coders.data or [])
        except ComparisonError as failure:
            error = str(failure)
    first = max(0, request.args.get("from", 0, type=int))
    return render_template(
        "coding/disagreements.html", project=project, form=form, review=review, error=error,
        hidden=hidden, may_settle=g.project_role == LEAD, code_names=code_paths(project),
        kinds=KINDS, actions=ACTIONS, marked_text=marked_text, first=first,
        per_page=PER_PAGE, query=request.query_string.decode()), 400 if error else 200


@project_access("coding.settle")
def disagreement_settle(project: Project) -> Response:
    """Settle (or undo) one disagreement, then show the list again at the next one."""
    form = DisagreementsForm(request.args)
    source_id = request.form.get("source", type=int)
    action = request.form.get("action", "")
    try:
        if source_id is None:
            raise consensus.ConsensusError("The request was incomplete; reload the page.")
        segment = consensus.settle(project, form.sources.data or [], form.coders.data or [],
                                   source_id, request.form.get("segment", ""), action,
                                   current_user)
    except (ComparisonError, SettleError) as error:
        db.session.rollback()
        flash(str(error), "error")
        anchor = None
    else:
        db.session.commit()
        flash("Undone: the disagreement is to be settled again." if action == "undo" else
              f"Settled: {ACTIONS[action][1]}.", "success")
        anchor = consensus.anchor(source_id, segment)
    url = url_for("coding.disagreements", project_id=project.id) + "?" + (
        request.query_string.decode())
    return redirect(url + (f"#{anchor}" if anchor else ""), 303)
