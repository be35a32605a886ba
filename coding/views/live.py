"""The coding page's live connection (static/js/live.js): its event stream, polling when it
may not hold a stream, and leaving (the page closed)."""

from __future__ import annotations

from flask import g, jsonify, request
from flask_login import current_user
from werkzeug.wrappers import Response

from coding import codings, live
from coding.models import Source
from fieldwork.models import Project
from fieldwork.permissions import get_or_404, project_access


def watcher(project: Project, source_id: int) -> live.Watcher:
    source = get_or_404(Source, source_id, project)
    viewer = codings.viewer_in(project, current_user, g.project_role)
    return live.watcher(source, viewer, request.values.get("tab", ""))


def last_seen() -> str:
    """The id of the last event the page got: the browser's header when it reconnects."""
    return request.headers.get("Last-Event-ID") or request.args.get("after", "")


@project_access("project.view")
def live_stream(project: Project, source_id: int) -> Response:
    return live.stream(watcher(project, source_id), last_seen())


@project_access("project.view")
def live_poll(project: Project, source_id: int) -> Response:
    return jsonify(live.poll(watcher(project, source_id), last_seen()))


@project_access("project.view")
def live_leave(project: Project, source_id: int) -> tuple[str, int]:
    live.leave(watcher(project, source_id))
    return "", 204
