"""The place picker of the case study and survey forms: cities and regions, offered with their
local spelling. Names are matched by casestudies.places, as the partnership import matches
them (case, accents, exonyms, local and other names, "City, CC")."""

from __future__ import annotations

from casestudies.models import Place
from casestudies.places import resolve_typed_place, suggest_places

MAX_SUGGESTIONS = 15
#: what a case study or a survey contact is about
PICKED_KINDS = ("city", "region")


def place_label(place: Place) -> str:
    """How a place is offered in the picker: its local spelling, kind and country."""
    return f"{place.name_local or place.name} ({place.kind}, {place.country_code})"


def search_places(text: str, limit: int = MAX_SUGGESTIONS) -> list[Place]:
    """Cities and regions whose name starts with `text`, largest first."""
    return suggest_places(text, kinds=PICKED_KINDS, limit=limit)


def resolve_place(text: str) -> Place:
    """The city or region a user picked from the suggestions or typed (PlaceError if none)."""
    return resolve_typed_place(text, kinds=PICKED_KINDS)
