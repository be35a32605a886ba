from flask import Blueprint

from casestudies.blueprint import PLACES_GROUP
from casestudies.survey import views
from casestudies.survey.demo import add_demo
from casestudies.survey.panel import dashboard_panel, statistics
from fieldwork.features import Feature, NavItem

bp = Blueprint("survey", __name__)

PREFIX = "/projects/<int:project_id>/survey"
bp.add_url_rule(PREFIX, view_func=views.index)
bp.add_url_rule(f"{PREFIX}/new", view_func=views.wave_new, methods=["GET", "POST"])
bp.add_url_rule(f"{PREFIX}/<int:wave_id>", view_func=views.wave)
bp.add_url_rule(f"{PREFIX}/<int:wave_id>/edit", view_func=views.wave_edit,
                methods=["GET", "POST"])
bp.add_url_rule(f"{PREFIX}/<int:wave_id>/add-places", view_func=views.add_places,
                methods=["POST"])
bp.add_url_rule(f"{PREFIX}/<int:wave_id>/add-place", view_func=views.add_place,
                methods=["POST"])
bp.add_url_rule(f"{PREFIX}/contacts/<int:contact_id>", view_func=views.contact)
bp.add_url_rule(f"{PREFIX}/contacts/<int:contact_id>/edit", view_func=views.contact_edit,
                methods=["POST"])
bp.add_url_rule(f"{PREFIX}/contacts/<int:contact_id>/record", view_func=views.contact_record,
                methods=["POST"])
bp.add_url_rule(f"{PREFIX}/contacts/<int:contact_id>/response",
                view_func=views.response_download)
bp.add_url_rule(f"{PREFIX}/contacts/<int:contact_id>/response/upload",
                view_func=views.response_upload, methods=["POST"])

feature = Feature(
    name="survey",
    blueprint=bp,
    nav=(NavItem("Survey", "survey.index", "project.view", PLACES_GROUP),),
    demo=add_demo,
    dashboard=dashboard_panel,
    stats=statistics,
)
