from flask import Blueprint

from casestudies.blueprint import PLACES_GROUP
from casestudies.studies import views
from casestudies.studies.demo import add_demo
from casestudies.studies.panel import dashboard_panel, statistics
from fieldwork.features import Feature, NavItem

bp = Blueprint("studies", __name__)

PREFIX = "/projects/<int:project_id>"
bp.add_url_rule(f"{PREFIX}/case-studies", view_func=views.index)
bp.add_url_rule(f"{PREFIX}/case-studies/new", view_func=views.new, methods=["GET", "POST"])
bp.add_url_rule(f"{PREFIX}/case-studies/place-options", view_func=views.place_options)
bp.add_url_rule(f"{PREFIX}/case-studies/<int:case_study_id>", view_func=views.show)
bp.add_url_rule(
    f"{PREFIX}/case-studies/<int:case_study_id>/edit", view_func=views.edit,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    f"{PREFIX}/case-studies/<int:case_study_id>/delete", view_func=views.delete,
    methods=["POST"],
)
bp.add_url_rule(
    f"{PREFIX}/case-studies/<int:case_study_id>/visits/new", view_func=views.visit_new,
    methods=["GET", "POST"],
)
bp.add_url_rule(f"{PREFIX}/visits/<int:visit_id>", view_func=views.visit)
bp.add_url_rule(
    f"{PREFIX}/visits/<int:visit_id>/edit", view_func=views.visit_edit, methods=["GET", "POST"]
)
bp.add_url_rule(
    f"{PREFIX}/visits/<int:visit_id>/delete", view_func=views.visit_delete, methods=["POST"]
)

feature = Feature(
    name="studies",
    blueprint=bp,
    nav=(NavItem("Case studies", "studies.index", "project.view", PLACES_GROUP),),
    demo=add_demo,
    dashboard=dashboard_panel,
    stats=statistics,
)
