"""Helpers every template can use: permissions, navigation, times in the reader's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, g, url_for
from flask_login import current_user

from fieldwork.features import NavItem, registered_features
from fieldwork.permissions import can


def viewer_zone() -> ZoneInfo:
    name = getattr(current_user, "timezone", None) or current_app.config["DEFAULT_TIMEZONE"]
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_local(
    value: datetime | None, zone: str | None = None, pattern: str = "%d %b %Y %H:%M"
) -> str:
    """A UTC datetime shown in `zone`, or in the reader's own zone by default."""
    if value is None:
        return ""
    target = ZoneInfo(zone) if zone else viewer_zone()
    return value.astimezone(target).strftime(pattern)


def project_nav() -> list[dict[str, Any]]:
    """The navigation entries of the current project that the reader may open."""
    project = g.get("project")
    items: list[NavItem] = [
        item for feature in registered_features(current_app) for item in feature.nav
    ]
    entries = []
    for item in items:
        if item.permission is None:
            entries.append({"label": item.label, "url": url_for(item.endpoint)})
        elif project is not None and can(item.permission, project):
            entries.append(
                {"label": item.label, "url": url_for(item.endpoint, project_id=project.id)}
            )
    return entries


def register_helpers(app: Flask) -> None:
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.globals.update(can=can, project_nav=project_nav)
