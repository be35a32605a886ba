"""URL table of background tasks, and the notice of ended tasks every page shows."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user

from fieldwork.background import status, views
from fieldwork.features import Feature

bp = Blueprint("background", __name__)
T = "/projects/<int:project_id>/tasks"

bp.add_url_rule(f"{T}/", view_func=views.task_list)
bp.add_url_rule(f"{T}/<int:task_id>", view_func=views.task_page)
bp.add_url_rule(f"{T}/<int:task_id>/status", view_func=views.task_status)
bp.add_url_rule(f"{T}/<int:task_id>/download", view_func=views.task_download)
bp.add_url_rule(f"{T}/<int:task_id>/again", view_func=views.task_again, methods=["POST"])


@bp.app_template_global()
def task_notices() -> list[status.Notice]:
    """For the top of base.html: the reader's exports and imports that ended since they were
    last told; told on plain pages only, not on a form's answer."""
    if not current_user.is_authenticated or request.method != "GET":
        return []
    notices = status.unseen_notices(current_user)
    g.task_notices = notices
    return notices


@bp.app_template_global()
def task_notices_told() -> str:
    """For the end of base.html: the notices shown are marked seen once the page is made, so
    a page that fails on the way tells them again on the next one."""
    status.mark_seen([notice.task_id for notice in g.pop("task_notices", [])])
    return ""


feature = Feature(name="background", blueprint=bp)
