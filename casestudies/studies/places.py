"""Picking a place by typing its name: suggestions, and the typed text back to a Place."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, func, or_

from casestudies.models import Place
from fieldwork.extensions import db

MAX_SUGGESTIONS = 15
#: "Wrocław (city, PL)" -> name, kind, country code
LABEL = re.compile(r"^(?P<name>.+) \((?P<kind>city|region|country), (?P<country>[A-Z]{2})\)$")


class PlaceNotFoundError(ValueError):
    """The typed text names no place, or several: the message says which, in words."""


def place_label(place: Place) -> str:
    """How a place is offered in the picker: its local spelling, kind and country."""
    return f"{place.name_local or place.name} ({place.kind}, {place.country_code})"


def search_places(text: str, limit: int = MAX_SUGGESTIONS) -> list[Place]:
    """Cities and regions whose English or local name starts with `text`, largest first."""
    text = text.strip()
    if len(text) < 2:
        return []
    pattern = f"{escape_like(text)}%"
    return list(db.session.scalars(
        db.select(Place)
        .where(
            Place.kind.in_(("city", "region")),
            or_(
                Place.name.ilike(pattern, escape="\\"),
                Place.name_local.ilike(pattern, escape="\\"),
            ),
        )
        .order_by(Place.population.desc().nulls_last(), Place.name)
        .limit(limit)
    ))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def named(text: str) -> ColumnElement[bool]:
    """The English or local name is `text`, ignoring case. Exact spellings are compared too,
    since SQLite's lower() leaves letters such as Ł unchanged."""
    folded = text.lower()
    return or_(
        Place.name == text, Place.name_local == text,
        func.lower(Place.name) == folded, func.lower(Place.name_local) == folded,
    )


def resolve_place(text: str) -> Place:
    """The place a user picked from the suggestions, or typed by its exact name."""
    text = " ".join(text.split())
    label = LABEL.match(text)
    query = db.select(Place).where(Place.kind.in_(("city", "region")))
    if label:
        query = query.where(
            named(label["name"]),
            Place.kind == label["kind"],
            Place.country_code == label["country"],
        )
    else:
        query = query.where(named(text))
    found = list(db.session.scalars(query.order_by(Place.population.desc().nulls_last())))
    if not found:
        raise PlaceNotFoundError(
            f"No city or region called “{text}” is in the gazetteer. Type the first letters "
            "and pick it from the list; an administrator can add a missing place."
        )
    if len(found) > 1 and not label:
        names = "; ".join(place_label(place) for place in found[:5])
        raise PlaceNotFoundError(
            f"Several places are called “{text}”: {names}. Pick the one you mean from the list."
        )
    return found[0]
