from flask import Blueprint

from fieldwork.features import Feature, NavItem
from fieldwork.projects import views

bp = Blueprint("projects", __name__)

bp.add_url_rule("/", view_func=views.home)
bp.add_url_rule("/projects", view_func=views.index)
bp.add_url_rule("/projects/new", view_func=views.new, methods=["GET", "POST"])
bp.add_url_rule("/projects/<int:project_id>/", view_func=views.dashboard)
bp.add_url_rule(
    "/projects/<int:project_id>/settings", view_func=views.settings, methods=["GET", "POST"]
)
bp.add_url_rule("/projects/<int:project_id>/members", view_func=views.members)
bp.add_url_rule(
    "/projects/<int:project_id>/members/add", view_func=views.member_add, methods=["POST"]
)
bp.add_url_rule(
    "/projects/<int:project_id>/members/<int:membership_id>/role",
    view_func=views.member_role, methods=["POST"],
)
bp.add_url_rule(
    "/projects/<int:project_id>/members/<int:membership_id>/remove",
    view_func=views.member_remove, methods=["POST"],
)
bp.add_url_rule(
    "/projects/<int:project_id>/statistics", view_func=views.recompute, methods=["POST"]
)
bp.add_url_rule("/projects/<int:project_id>/audit", view_func=views.project_audit)
bp.add_url_rule("/projects/<int:project_id>/audit.csv", view_func=views.project_audit_csv)
bp.add_url_rule("/admin/projects", view_func=views.admin_projects)
bp.add_url_rule(
    "/admin/projects/<int:target_id>/join", view_func=views.admin_join, methods=["POST"]
)
bp.add_url_rule("/admin/audit", view_func=views.site_audit)
bp.add_url_rule("/admin/audit.csv", view_func=views.site_audit_csv)

feature = Feature(
    name="projects",
    blueprint=bp,
    nav=(NavItem("Dashboard", "projects.dashboard", "project.view"),),
)
