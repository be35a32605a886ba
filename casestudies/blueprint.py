"""URL table and Feature of places and partnerships (gazetteer, partnerships, import and
export, summary tables, map)."""

from flask import Blueprint, render_template
from markupsafe import Markup

from casestudies import views
from casestudies.demo import add_demo
from casestudies.partnerships import count_linked_places, count_partnerships
from casestudies.seeding import places_command
from casestudies.summaries import summarise
from fieldwork.features import Feature, NavItem
from fieldwork.models import Project

bp = Blueprint("places", __name__)
#: the menu of the section navigation that holds this package's pages
PLACES_GROUP = "Places & partnerships"

bp.add_url_rule("/places", view_func=views.place_list)
bp.add_url_rule("/places/suggest", view_func=views.place_suggest)
bp.add_url_rule("/places/<int:place_id>", view_func=views.place_page)
bp.add_url_rule("/admin/places/new", view_func=views.place_new, methods=["GET", "POST"])
bp.add_url_rule(
    "/admin/places/<int:place_id>/edit", view_func=views.place_edit, methods=["GET", "POST"]
)

P = "/projects/<int:project_id>/partnerships"
bp.add_url_rule(P, view_func=views.partnership_list)
bp.add_url_rule(f"{P}/new", view_func=views.partnership_new, methods=["GET", "POST"])
bp.add_url_rule(f"{P}/<int:partnership_id>", view_func=views.partnership_page)
bp.add_url_rule(
    f"{P}/<int:partnership_id>/edit", view_func=views.partnership_edit, methods=["GET", "POST"]
)
bp.add_url_rule(
    f"{P}/<int:partnership_id>/delete", view_func=views.partnership_delete, methods=["POST"]
)
bp.add_url_rule(f"{P}/<int:partnership_id>/sources", view_func=views.source_add,
                methods=["POST"])
bp.add_url_rule(f"{P}/sources/<int:partnership_source_id>/delete",
                view_func=views.source_delete, methods=["POST"])
bp.add_url_rule(f"{P}/<int:partnership_id>/documents", view_func=views.document_add,
                methods=["POST"])
bp.add_url_rule(f"{P}/documents/<int:partnership_document_id>",
                view_func=views.document_download)
bp.add_url_rule(f"{P}/documents/<int:partnership_document_id>/delete",
                view_func=views.document_delete, methods=["POST"])
bp.add_url_rule(f"{P}/areas", view_func=views.area_list)
bp.add_url_rule(f"{P}/areas/add", view_func=views.area_add, methods=["POST"])
bp.add_url_rule(f"{P}/areas/<int:cooperation_area_id>/rename", view_func=views.area_rename,
                methods=["POST"])
bp.add_url_rule(f"{P}/areas/<int:cooperation_area_id>/delete", view_func=views.area_delete,
                methods=["POST"])
bp.add_url_rule(f"{P}/import", view_func=views.import_preview, methods=["GET", "POST"])
bp.add_url_rule(f"{P}/import/commit", view_func=views.import_commit, methods=["POST"])
bp.add_url_rule(f"{P}/export.csv", view_func=views.export_csv)
bp.add_url_rule(f"{P}/export.xlsx", view_func=views.export_xlsx)
bp.add_url_rule(f"{P}/summary", view_func=views.summary)
bp.add_url_rule(f"{P}/summary.csv", view_func=views.summary_csv)
bp.add_url_rule(f"{P}/map", view_func=views.map_page)
bp.add_url_rule(f"{P}/map.json", view_func=views.map_json)


def dashboard_panel(project: Project) -> Markup:
    summary = summarise(project)
    return Markup(render_template(
        "casestudies/partnerships/_dashboard.html", project=project, summary=summary,
        linked=count_linked_places(project),
    ))


def statistics(project: Project) -> dict[str, int]:
    return {
        "partnerships": count_partnerships(project),
        "places_linked": count_linked_places(project),
    }


feature = Feature(
    name="places",
    blueprint=bp,
    nav=(
        NavItem("Places", "places.place_list", group=PLACES_GROUP),
        NavItem("Partnerships", "places.partnership_list", "project.view", PLACES_GROUP),
        NavItem("Map", "places.map_page", "project.view", PLACES_GROUP),
    ),
    commands=(places_command,),
    demo=add_demo,
    dashboard=dashboard_panel,
    stats=statistics,
)
