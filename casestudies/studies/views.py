"""Case study and visit pages: thin handlers over casestudies.studies.studies and .visits."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from casestudies.models import CaseStudy, Visit
from casestudies.places import PlaceError
from casestudies.studies import slots, studies, visits
from casestudies.studies.forms import CaseStudyForm, VisitForm
from casestudies.studies.places import place_label, resolve_place, search_places
from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access


@project_access("project.view")
def index(project: Project) -> str:
    return render_template(
        "casestudies/studies/index.html", project=project,
        studies=studies.case_studies_of(project),
    )


@project_access("project.view")
def place_options(project: Project) -> str:
    """<option>s for the place picker's datalist, as the user types."""
    text = request.args.get("place_name", "")
    return render_template(
        "casestudies/studies/place_options.html",
        labels=[place_label(place) for place in search_places(text)],
    )


def study_form(project: Project, study: CaseStudy | None = None) -> CaseStudyForm:
    form = CaseStudyForm(obj=study)
    form.team.set_members(studies.project_members(project))
    if study is not None and request.method == "GET":
        form.place_name.data = place_label(study.place)
        form.team.data = [user.id for user in study.team]
    return form


def save_study(project: Project, form: CaseStudyForm, study: CaseStudy | None) -> CaseStudy | None:
    """Create or update from a valid form; None, with the errors on the form, if it fails."""
    try:
        place = resolve_place(form.place_name.data or "")
    except PlaceError as error:
        form.place_name.errors.append(str(error))
        return None
    fields = dict(
        place=place, title=form.title.data or "",
        research_questions=form.research_questions.data or "",
        status=form.status.data or "planned", notes=form.notes.data or "",
        team=studies.members_by_id(project, form.team.data or []),
    )
    if study is None:
        return studies.create_case_study(project, **fields)
    studies.update_case_study(study, **fields)
    return study


@project_access("casestudies.edit")
def new(project: Project) -> str | Response:
    form = study_form(project)
    if form.validate_on_submit():
        study = save_study(project, form, None)
        if study is not None:
            db.session.commit()
            flash(f"Case study “{study.title}” created.", "success")
            return redirect(url_for("studies.show", project_id=project.id,
                                    case_study_id=study.id))
    return render_template("casestudies/studies/form.html", project=project, form=form,
                           study=None)


@project_access("casestudies.edit")
def edit(project: Project, case_study_id: int) -> str | Response:
    study = get_or_404(CaseStudy, case_study_id, project)
    form = study_form(project, study)
    if form.validate_on_submit() and save_study(project, form, study) is not None:
        db.session.commit()
        flash("Case study saved.", "success")
        return redirect(url_for("studies.show", project_id=project.id, case_study_id=study.id))
    return render_template("casestudies/studies/form.html", project=project, form=form,
                           study=study)


@project_access("project.view")
def show(project: Project, case_study_id: int) -> str:
    study = get_or_404(CaseStudy, case_study_id, project)
    return render_template(
        "casestudies/studies/show.html", project=project, study=study,
        overlaps=visits.overlaps_in_study(study), panels=slots.panels("case_study", study),
    )


@project_access("casestudies.edit")
def delete(project: Project, case_study_id: int) -> Response:
    study = get_or_404(CaseStudy, case_study_id, project)
    title = study.title
    studies.delete_case_study(study)
    db.session.commit()
    flash(f"Case study “{title}” deleted.", "success")
    return redirect(url_for("studies.index", project_id=project.id))


def visit_form(project: Project, visit: Visit | None = None) -> VisitForm:
    form = VisitForm(obj=visit)
    form.team.set_members(studies.project_members(project))
    if visit is not None and request.method == "GET":
        form.team.data = [user.id for user in visit.team]
    return form


def render_visit_form(
    project: Project, study: CaseStudy, form: VisitForm, visit: Visit | None,
    overlaps: list[visits.Overlap],
) -> str:
    return render_template(
        "casestudies/studies/visit_form.html", project=project, study=study, form=form,
        visit=visit, overlaps=overlaps,
    )


def save_visit(
    project: Project, study: CaseStudy, form: VisitForm, visit: Visit | None
) -> tuple[Visit | None, list[visits.Overlap]]:
    """Save a valid form unless its team has overlapping visits the planner has not yet
    seen; then return the overlaps to show, and save nothing."""
    team = studies.members_by_id(project, form.team.data or [])
    starts_on, ends_on = form.starts_on.data, form.ends_on.data
    overlaps = visits.team_overlaps(
        project.id, team, starts_on, ends_on, visit.id if visit is not None else None
    )
    if overlaps and not form.save_anyway.data:
        return None, overlaps
    fields = dict(starts_on=starts_on, ends_on=ends_on, purpose=form.purpose.data or "",
                  agenda=form.agenda.data or "", team=team)
    if visit is None:
        return visits.create_visit(study, **fields), overlaps
    visits.update_visit(visit, **fields)
    return visit, overlaps


def finish_visit(project: Project, visit: Visit, overlaps: list[visits.Overlap]) -> Response:
    db.session.commit()
    flash("Visit saved.", "success")
    if overlaps:
        flash("Saved with overlapping visits: " + " ".join(o.message for o in overlaps),
              "warning")
    return redirect(url_for("studies.visit", project_id=project.id, visit_id=visit.id))


@project_access("casestudies.edit")
def visit_new(project: Project, case_study_id: int) -> str | Response:
    study = get_or_404(CaseStudy, case_study_id, project)
    form = visit_form(project)
    overlaps: list[visits.Overlap] = []
    if form.validate_on_submit():
        visit, overlaps = save_visit(project, study, form, None)
        if visit is not None:
            return finish_visit(project, visit, overlaps)
    return render_visit_form(project, study, form, None, overlaps)


@project_access("casestudies.edit")
def visit_edit(project: Project, visit_id: int) -> str | Response:
    visit = get_or_404(Visit, visit_id, project)
    form = visit_form(project, visit)
    overlaps: list[visits.Overlap] = []
    if form.validate_on_submit():
        saved, overlaps = save_visit(project, visit.case_study, form, visit)
        if saved is not None:
            return finish_visit(project, saved, overlaps)
    return render_visit_form(project, visit.case_study, form, visit, overlaps)


@project_access("project.view")
def visit(project: Project, visit_id: int) -> str:
    visit = get_or_404(Visit, visit_id, project)
    return render_template(
        "casestudies/studies/visit.html", project=project, visit=visit,
        study=visit.case_study, overlaps=visits.overlaps_of(visit),
        panels=slots.panels("visit", visit),
    )


@project_access("casestudies.edit")
def visit_delete(project: Project, visit_id: int) -> Response:
    visit = get_or_404(Visit, visit_id, project)
    study_id = visit.case_study_id
    visits.delete_visit(visit)
    db.session.commit()
    flash("Visit deleted.", "success")
    return redirect(url_for("studies.show", project_id=project.id, case_study_id=study_id))
