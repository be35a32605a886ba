"""The map's data: a project's EU places, their US and Chinese partners, and the arcs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from casestudies.models import (
    PARTNERSHIP_KINDS,
    CooperationArea,
    Partnership,
    Place,
    partnership_areas,
)
from casestudies.partnerships import areas_of
from fieldwork.extensions import db
from fieldwork.leftout import LeftOut, Omission, is_are, plural
from fieldwork.models import Project


@dataclass
class MapFilters:
    partner_country: str = ""
    kind: str = ""
    area: str = ""


def map_data(project: Project, filters: MapFilters | None = None) -> dict[str, Any]:
    """Places (with coordinates) and arcs for the project's partnerships, filtered.

    Partnerships with a side that has no coordinates are counted in `unplaced`, not drawn.
    """
    filters = filters or MapFilters()
    eu, partner = aliased(Place), aliased(Place)
    query = (
        select(Partnership.id, Partnership.kind, Partnership.status, Partnership.signed_on,
               eu.id, eu.name, eu.name_local, eu.country_code, eu.latitude, eu.longitude,
               partner.id, partner.name, partner.name_local, partner.country_code,
               partner.latitude, partner.longitude)
        .join(eu, Partnership.eu_place_id == eu.id)
        .join(partner, Partnership.partner_place_id == partner.id)
        .where(Partnership.project_id == project.id)
        .order_by(Partnership.id)
    )
    if filters.partner_country:
        query = query.where(partner.country_code == filters.partner_country)
    if filters.kind:
        query = query.where(Partnership.kind == filters.kind)
    if filters.area:
        query = query.where(Partnership.id.in_(
            select(partnership_areas.c.partnership_id)
            .join(CooperationArea, CooperationArea.id == partnership_areas.c.area_id)
            .where(CooperationArea.project_id == project.id, CooperationArea.name == filters.area)
        ))
    areas = areas_by_partnership(project)
    places: dict[int, dict[str, Any]] = {}
    arcs = []
    unplaced = 0
    for row in db.session.execute(query):
        (pid, kind, status, signed_on, eu_id, eu_name, eu_local, eu_country, eu_lat, eu_lon,
         partner_id, partner_name, partner_local, partner_country, partner_lat,
         partner_lon) = row
        if None in (eu_lat, eu_lon, partner_lat, partner_lon):
            unplaced += 1
            continue
        places.setdefault(eu_id, place_point(eu_id, eu_local or eu_name, eu_country, eu_lat,
                                             eu_lon, "eu"))
        places.setdefault(partner_id, place_point(partner_id, partner_local or partner_name,
                                                  partner_country, partner_lat, partner_lon,
                                                  "partner"))
        arcs.append({
            "id": pid, "eu": eu_id, "partner": partner_id, "kind": kind,
            "status": status, "partner_country": partner_country,
            "signed_on": signed_on.isoformat() if signed_on else None,
            "areas": areas.get(pid, []),
        })
    return {
        "places": list(places.values()),
        "arcs": arcs,
        "unplaced": unplaced,
        "options": {
            "partner_countries": ["US", "CN"],
            "kinds": PARTNERSHIP_KINDS,
            "areas": [area.name for area in areas_of(project)],
        },
    }


def place_point(place_id: int, name: str, country: str, latitude: float, longitude: float,
                side: str) -> dict[str, Any]:
    return {"id": place_id, "name": name, "country": country, "lat": round(latitude, 4),
            "lon": round(longitude, 4), "side": side}


def areas_by_partnership(project: Project) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(partnership_areas.c.partnership_id, CooperationArea.name)
        .join(CooperationArea, CooperationArea.id == partnership_areas.c.area_id)
        .where(CooperationArea.project_id == project.id)
        .order_by(CooperationArea.position)
    )
    found: dict[int, list[str]] = {}
    for partnership_id, name in rows:
        found.setdefault(partnership_id, []).append(name)
    return found


def map_left_out(project: Project, is_admin: bool) -> LeftOut:
    """The partnerships the map cannot draw, by the place that has no coordinates, each with
    the page where coordinates are given (an administrator's correction form)."""
    eu, partner = aliased(Place), aliased(Place)
    unplaced = or_(eu.latitude.is_(None), eu.longitude.is_(None),
                   partner.latitude.is_(None), partner.longitude.is_(None))
    rows = db.session.execute(
        select(eu.id, eu.latitude, eu.longitude, partner.id, partner.latitude,
               partner.longitude).select_from(Partnership)
        .join(eu, Partnership.eu_place_id == eu.id)
        .join(partner, Partnership.partner_place_id == partner.id)
        .where(Partnership.project_id == project.id, unplaced)
    ).all()
    counts: Counter[int] = Counter()
    for eu_id, eu_lat, eu_lon, partner_id, partner_lat, partner_lon in rows:
        counts.update(place_id for place_id, lat, lon in (
            (eu_id, eu_lat, eu_lon), (partner_id, partner_lat, partner_lon)) if None in (lat, lon))
    places = db.session.scalars(select(Place).where(Place.id.in_(counts)).order_by(Place.name))
    where = (("places.place_edit", "add them") if is_admin else
             ("places.place_page", "an administrator adds them on its page"))
    omissions = [Omission(
        f"{plural(counts[place.id], 'partnership')} of {place.name} ({place.country_code}) "
        f"{is_are(counts[place.id])} not on the map: the place has no coordinates", where[1],
        where[0], {"place_id": place.id}) for place in places]
    total = db.session.scalar(select(func.count()).select_from(Partnership).where(
        Partnership.project_id == project.id))
    return LeftOut(omissions, f"Every partnership of the project ({total:,}) can be drawn; "
                              "the filters above choose which are.")
