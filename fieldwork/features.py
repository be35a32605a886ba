"""How a feature package plugs into the app: its blueprint, navigation, commands, demo
content and dashboard panels, declared once in its blueprint.py and registered by create_app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import Blueprint, Flask
from markupsafe import Markup

from fieldwork.models import Project, User


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    #: None for site-wide pages; otherwise the project permission the page needs
    permission: str | None = None
    #: items sharing a group are offered together under its name in one menu
    group: str = ""


@dataclass(frozen=True)
class Feature:
    name: str
    blueprint: Blueprint
    nav: tuple[NavItem, ...] = ()
    commands: tuple[click.Command, ...] = ()
    #: adds the feature's part of the demo project; must be idempotent
    demo: Callable[[Project, dict[str, User]], None] | None = None
    #: renders the feature's panel on the project dashboard
    dashboard: Callable[[Project], Markup] | None = None
    #: counts for the project statistics job, e.g. {"interviews": 12}
    stats: Callable[[Project], dict[str, int]] | None = None


def register_feature(app: Flask, feature: Feature) -> None:
    app.register_blueprint(feature.blueprint)
    for command in feature.commands:
        app.cli.add_command(command)
    app.extensions.setdefault("fieldwork.features", []).append(feature)


def registered_features(app: Flask) -> list[Feature]:
    return app.extensions.get("fieldwork.features", [])
