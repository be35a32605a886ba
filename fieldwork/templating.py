"""Helpers every template can use: permissions, navigation, times in the reader's zone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from fieldwork.features import registered_features
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


@dataclass(frozen=True)
class NavEntry:
    label: str
    url: str
    #: the blueprint of the page it opens, e.g. "interviews"
    blueprint: str
    group: str
    current: bool = False


@dataclass(frozen=True)
class NavGroup:
    """A menu of entries, or a single entry shown as a plain link."""

    label: str
    entries: list[NavEntry]

    @property
    def current(self) -> bool:
        return any(entry.current for entry in self.entries)


def leads_to(url: str, path: str) -> bool:
    """Whether `path` is the page at `url` or one below it (whole path segments only)."""
    return path == url or path.startswith(url.rstrip("/") + "/")


def current_entry(entries: list[NavEntry], path: str, blueprint: str | None) -> NavEntry | None:
    """The one entry the page at `path` belongs to.

    The entry with the longest address containing the page wins (the map, not the
    partnerships list, for /projects/1/partnerships/map). A page outside every entry's
    address, or only under the project's dashboard (a visit, an itinerary), belongs to the
    first entry of its own blueprint.
    """
    best = max((e for e in entries if leads_to(e.url, path)), key=lambda e: len(e.url),
               default=None)
    own = [e for e in entries if e.blueprint == blueprint]
    if not own or (best is not None and best.blueprint == blueprint):
        return best
    if best is not None and not any(leads_to(best.url, e.url) for e in own):
        return best
    return max((e for e in own if leads_to(e.url, path)), key=lambda e: len(e.url),
               default=own[0])


def nav_entries() -> list[NavEntry]:
    """The navigation entries of the site and the current project that the reader may open."""
    project = g.get("project")
    entries = []
    for feature in registered_features(current_app):
        for item in feature.nav:
            if item.permission is None:
                url = url_for(item.endpoint)
            elif project is not None and can(item.permission, project):
                url = url_for(item.endpoint, project_id=project.id)
            else:
                continue
            entries.append(NavEntry(item.label, url, item.endpoint.rpartition(".")[0],
                                    item.group))
    return entries


def project_nav() -> list[NavGroup]:
    """The section navigation: entries in their groups, the current page's entry marked."""
    entries = nav_entries()
    here = current_entry(entries, request.path, request.blueprint)
    groups: dict[str, NavGroup] = {}
    for entry in entries:
        marked = replace(entry, current=entry is here)
        # An entry without a group stands alone, keyed by its address.
        key = entry.group or entry.url
        groups.setdefault(key, NavGroup(entry.group or entry.label, [])).entries.append(marked)
    return list(groups.values())


def register_helpers(app: Flask) -> None:
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.globals.update(can=can, project_nav=project_nav)
