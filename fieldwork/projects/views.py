"""Project list, creation, dashboard, settings, members and the audit log pages."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from fieldwork import audit
from fieldwork.accounts.accounts import find_user
from fieldwork.dbtypes import utcnow
from fieldwork.downloads import attachment
from fieldwork.extensions import db
from fieldwork.features import registered_features
from fieldwork.models import Membership, Project
from fieldwork.permissions import LEAD, admin_only, get_or_404, project_access, signed_in
from fieldwork.projects import projects, tasks
from fieldwork.projects.forms import (
    AddMemberForm,
    ProjectForm,
    ProjectSettingsForm,
    RoleForm,
    SearchForm,
)

AUDIT_PAGE_SIZE = 50


@signed_in
def home() -> Response:
    return redirect(url_for("projects.index"))


@signed_in
def index() -> str:
    return render_template("projects/index.html", memberships=projects.projects_of(current_user))


@signed_in
def new() -> str | Response:
    form = ProjectForm()
    if form.validate_on_submit():
        try:
            project = projects.create_project(
                form.name.data or "", form.description.data or "", current_user
            )
        except projects.ProjectError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Project “{project.name}” created. You are its lead.", "success")
            return redirect(url_for("projects.dashboard", project_id=project.id))
    return render_template("projects/new.html", form=form)


@project_access("project.view")
def dashboard(project: Project) -> str:
    panels: list[Markup] = [
        feature.dashboard(project)
        for feature in registered_features(current_app)
        if feature.dashboard is not None
    ]
    return render_template("projects/dashboard.html", project=project, panels=panels)


@project_access("project.recompute")
def recompute(project: Project) -> Response:
    tasks.recompute_statistics(project.id)
    flash("The figures are being recounted; reload the page in a moment.", "info")
    return redirect(url_for("projects.dashboard", project_id=project.id))


@project_access("project.manage")
def settings(project: Project) -> str | Response:
    form = ProjectSettingsForm(obj=project)
    if form.validate_on_submit():
        try:
            projects.update_project(
                project, name=form.name.data or "", description=form.description.data or "",
                archived=form.archived.data,
            )
        except projects.ProjectError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash("Project settings saved.", "success")
            return redirect(url_for("projects.dashboard", project_id=project.id))
    return render_template("projects/settings.html", project=project, form=form)


@project_access("project.view")
def members(project: Project) -> str:
    return render_template(
        "projects/members.html",
        project=project,
        members=projects.members_of(project),
        add_form=AddMemberForm(),
        role_form=RoleForm(),
    )


@project_access("project.manage")
def member_add(project: Project) -> str | Response:
    form = AddMemberForm()
    if form.validate_on_submit():
        user = find_user(form.email.data or "")
        try:
            if user is None:
                raise projects.ProjectError(
                    f"There is no account for {form.email.data}. A site administrator creates "
                    "accounts; then add the person here."
                )
            projects.add_member(project, user, form.role.data or "viewer")
        except projects.ProjectError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{user.name} added as {form.role.data}.", "success")
            return redirect(url_for("projects.members", project_id=project.id))
    return render_template(
        "projects/members.html", project=project, members=projects.members_of(project),
        add_form=form, role_form=RoleForm(),
    ), 400


def change_membership(project: Project, membership_id: int, action: str) -> Response:
    membership = get_or_404(Membership, membership_id, project)
    try:
        if action == "remove":
            projects.remove_member(membership)
        else:
            form = RoleForm()
            if not form.validate_on_submit():
                raise projects.ProjectError("Choose one of the roles.")
            projects.change_role(membership, form.role.data or "")
    except projects.ProjectError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Membership saved.", "success")
    return redirect(url_for("projects.members", project_id=project.id))


@project_access("project.manage")
def member_role(project: Project, membership_id: int) -> Response:
    return change_membership(project, membership_id, "role")


@project_access("project.manage")
def member_remove(project: Project, membership_id: int) -> Response:
    return change_membership(project, membership_id, "remove")


def audit_page(project: Project | None) -> str:
    form = SearchForm(request.args)
    page = db.paginate(
        audit.audit_query(project, form.q.data or ""), per_page=AUDIT_PAGE_SIZE, error_out=False
    )
    return render_template("projects/audit.html", project=project, page=page, form=form)


@project_access("project.audit")
def project_audit(project: Project) -> str:
    return audit_page(project)


@admin_only
def site_audit() -> str:
    return audit_page(None)


def audit_export(project: Project | None) -> Response:
    search = SearchForm(request.args).q.data or ""
    body = "".join(audit.audit_csv(audit.audit_query(project, search)))
    audit.record(
        "audit.export", project, project=project,
        summary=f"Audit log exported as CSV{f' (search “{search}”)' if search else ''}",
    )
    db.session.commit()
    name = f"audit-{f'project-{project.id}' if project else 'site'}-{utcnow():%Y%m%d}.csv"
    return current_app.response_class(
        body,
        mimetype="text/csv",
        headers=attachment(name),
    )


@project_access("project.audit")
def project_audit_csv(project: Project) -> Response:
    return audit_export(project)


@admin_only
def site_audit_csv() -> Response:
    return audit_export(None)


@admin_only
def admin_projects() -> str:
    mine = {project.id for project, _ in projects.projects_of(current_user)}
    return render_template(
        "projects/admin_projects.html", projects=projects.all_projects(), mine=mine
    )


@admin_only
def admin_join(target_id: int) -> Response:
    project = db.get_or_404(Project, target_id)
    try:
        projects.add_member(project, current_user, LEAD)
    except projects.ProjectError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"You are now a lead of “{project.name}”.", "success")
    return redirect(url_for("projects.admin_projects"))
