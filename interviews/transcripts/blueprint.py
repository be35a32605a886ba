"""The transcripts feature's URL table and its Feature declaration."""

from __future__ import annotations

from flask import Blueprint

from fieldwork.features import Feature, NavItem
from interviews.blueprint import INTERVIEWS_GROUP
from interviews.transcripts import reliability, views

bp = Blueprint("transcripts", __name__)
T = "/projects/<int:project_id>/transcripts"
POST = ["POST"]

bp.add_app_template_global(reliability.standing, "transcript_standing")
bp.add_url_rule(f"{T}/", view_func=views.transcript_list)
bp.add_url_rule(f"{T}/<int:transcript_id>", view_func=views.transcript_editor)
bp.add_url_rule(f"{T}/<int:transcript_id>/save", view_func=views.transcript_save, methods=POST)
bp.add_url_rule(f"{T}/<int:transcript_id>/check", view_func=views.transcript_check,
                methods=POST)
bp.add_url_rule(f"{T}/<int:transcript_id>/versions", view_func=views.transcript_versions)
bp.add_url_rule(f"{T}/<int:transcript_id>/versions/<int:version_id>",
                view_func=views.version_detail)
bp.add_url_rule(f"{T}/<int:transcript_id>/versions/<int:version_id>/restore",
                view_func=views.version_restore, methods=POST)
bp.add_url_rule(f"{T}/<int:transcript_id>/export", view_func=views.transcript_export)
bp.add_url_rule(f"{T}/<int:transcript_id>/translate", view_func=views.transcript_translate,
                methods=POST)

feature = Feature(
    name="transcripts",
    blueprint=bp,
    nav=(NavItem("Transcripts", "transcripts.transcript_list", "project.view",
                 INTERVIEWS_GROUP),),
)
