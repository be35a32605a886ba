"""Slots on the pages of a case study, a visit, a place and a partnership that later
packages fill (e.g. interviews).

A package to the right registers a renderer when its blueprint is registered:

    bp.record_once(lambda state: add_panel(state.app, "case_study", render_interviews))

The renderer receives the CaseStudy (Visit, Place, Partnership) and returns Markup; on a
place page, which is not inside a project, it must itself show only what the reader may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup

SLOTS = ("case_study", "visit", "place", "partnership")
Renderer = Callable[[Any], Markup]


def add_panel(app: Flask, slot: str, render: Renderer) -> None:
    if slot not in SLOTS:
        raise KeyError(f"no such slot: {slot}; slots are {', '.join(SLOTS)}")
    app.extensions.setdefault("casestudies.slots", {}).setdefault(slot, []).append(render)


def panels(slot: str, obj: Any) -> list[Markup]:
    renderers = current_app.extensions.get("casestudies.slots", {}).get(slot, [])
    return [render(obj) for render in renderers]
