"""The data protection feature's URL table and its Feature declaration."""

from __future__ import annotations

from flask import Blueprint

from fieldwork.features import Feature, NavItem
from interviews.blueprint import INTERVIEWS_GROUP
from interviews.protection import views
from interviews.protection.commands import retention_cli
from interviews.protection.tasks import daily

bp = Blueprint("protection", __name__)
P = "/projects/<int:project_id>"

bp.add_url_rule(f"{P}/data-protection/", view_func=views.retention_page,
                methods=["GET", "POST"])
bp.add_url_rule(f"{P}/data-protection/apply", view_func=views.retention_apply, methods=["POST"])
bp.add_url_rule(f"{P}/participants/<int:participant_id>/withdrawal",
                view_func=views.withdrawal_apply, methods=["GET", "POST"])
bp.add_url_rule(f"{P}/participants/<int:participant_id>/export.zip",
                view_func=views.participant_export)

feature = Feature(
    name="protection",
    blueprint=bp,
    nav=(NavItem("Data protection", "protection.retention_page", "data.retention",
                 INTERVIEWS_GROUP),),
    commands=(retention_cli,),
)
#: the nightly retention job, registered with the queue when this module is imported
NIGHTLY_JOBS = (daily,)
