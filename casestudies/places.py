"""The gazetteer's logic: matching typed names to places, the filtered places list, the place
page's partnerships and panels, and admins' corrections."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from casestudies.matching import (
    AMBIGUOUS,
    EXACT,
    IndexEntry,
    MatchResult,
    PlaceIndex,
    UnknownCountryError,
    match_key,
    resolve_country,
    resolve_country_hint,
)
from casestudies.models import CooperationArea, Partnership, Place, partnership_areas
from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User

#: band value -> (label, lowest population, population under which the band ends)
POPULATION_BANDS: dict[str, tuple[str, int, int | None]] = {
    "under50k": ("Under 50,000", 0, 50_000),
    "50k": ("50,000–100,000", 50_000, 100_000),
    "100k": ("100,000–250,000", 100_000, 250_000),
    "250k": ("250,000–1 million", 250_000, 1_000_000),
    "1m": ("Over 1 million", 1_000_000, None),
}
PARTNER_COUNTRY_LABELS = {"US": "United States", "CN": "China"}
#: "Springfield (Illinois)" or "Springfield, Illinois": a name with a region to tell it apart
NAME_WITH_REGION = re.compile(r"^(?P<name>[^(,]+?)\s*(?:\((?P<paren>[^)]+)\)|,\s*(?P<comma>.+))$")
#: "Wrocław (city, PL)": the label the form's suggestions use
PICKED_LABEL = re.compile(
    r"^(?P<name>.+) \((?P<kind>city|region|country), (?P<country>[A-Z]{2})\)$"
)



class PlaceError(ValueError):
    """A place that cannot be saved or found; the message says why, in words."""


# --- matching ------------------------------------------------------------------


@dataclass
class CachedIndex:
    version: tuple[Any, ...]
    index: PlaceIndex


_index_cache: dict[str, CachedIndex] = {}


def gazetteer_version() -> tuple[Any, ...]:
    return tuple(db.session.execute(
        select(func.count(Place.id), func.max(Place.id), func.max(Place.updated_at))
    ).one())


def place_index() -> PlaceIndex:
    """A PlaceIndex over the whole gazetteer, rebuilt only when places were added or changed."""
    cache_key = str(db.engine.url)
    version = gazetteer_version()
    cached = _index_cache.get(cache_key)
    if cached is None or cached.version != version:
        cached = CachedIndex(version, build_index())
        _index_cache[cache_key] = cached
    return cached.index


def build_index() -> PlaceIndex:
    rows = db.session.execute(select(
        Place.id, Place.country_code, Place.kind, Place.name, Place.name_local,
        Place.nuts_code, Place.alternate_names, Place.population,
    ))
    return PlaceIndex(
        IndexEntry(
            place_id=row.id,
            country_code=row.country_code,
            kind=row.kind,
            names=tuple(name for name in (row.name, row.name_local) if name),
            alternate_names=tuple(row.alternate_names or ()) + ((row.nuts_code,)
                                                              if row.nuts_code else ()),
            population=row.population,
        )
        for row in rows
    )


def match_place(
    name: str, country: str | None = None, index: PlaceIndex | None = None
) -> MatchResult:
    """Match a typed place name (optionally "Name (Region)" or "Name, CC") within a country,
    if given.

    Where a city and a region share a name (Berlin, Shanghai, New York) the city is meant;
    a region is named by its code then (NUTS "DE30", "US-NY", "CN-SH").
    Raises UnknownCountryError for a country hint that is no country. Pass the `index` when
    matching many names at once.
    """
    index = index or place_index()
    result = index.match(name, country)
    if result.status == EXACT and index.entries[result.place_id].kind == "region":
        return city_known_by_name(index, name, country) or result
    if result.status == AMBIGUOUS:
        cities = [pid for pid in result.candidates if index.entries[pid].kind == "city"]
        if len(cities) == 1:
            return MatchResult(EXACT, (cities[0],))
        return result
    qualified = NAME_WITH_REGION.match(name.strip())
    if result.status != EXACT and qualified:
        qualifier = qualified["paren"] or qualified["comma"]
        return (match_in_region(index, qualified["name"], qualifier, country)
                or match_in_country(index, qualified["name"], qualifier, country) or result)
    return result


def city_known_by_name(index: PlaceIndex, name: str, country: str | None) -> MatchResult | None:
    """The one city whose other names include a region's name ("New York" for New York City)."""
    code = resolve_country_hint(country)
    cities = [pid for pid in index.by_alternate_name.get(match_key(name), ())
              if index.fits(pid, code, "city")]
    return MatchResult(EXACT, (cities[0],)) if len(set(cities)) == 1 else None


def match_in_region(
    index: PlaceIndex, name: str, region: str, country: str | None
) -> MatchResult | None:
    found = index.match(name, country)
    if found.status not in (EXACT, AMBIGUOUS):
        return None
    wanted = match_key(region)
    regions = region_names_of(list(found.candidates))
    inside = [pid for pid in found.candidates if wanted in regions.get(pid, ())]
    return index.result_of(inside) if inside else None


def match_in_country(
    index: PlaceIndex, name: str, qualifier: str, country: str | None
) -> MatchResult | None:
    """"Łódź, PL", "Kraków (Poland)": the name within the country the qualifier names."""
    code = resolve_country(qualifier)
    if code is None or (country is not None and resolve_country_hint(country) != code):
        return None
    found = match_place(name, code, index)
    return found if found.status in (EXACT, AMBIGUOUS) else None


def region_names_of(place_ids: list[Any]) -> dict[Any, set[str]]:
    """Match keys of each place's region: its names and codes."""
    region = aliased(Place)
    rows = db.session.execute(
        select(Place.id, region.name, region.name_local, region.nuts_code, region.key,
               region.alternate_names)
        .join(region, Place.region_id == region.id)
        .where(Place.id.in_(place_ids))
    )
    names: dict[Any, set[str]] = {}
    for row in rows:
        texts = [row.name, row.name_local, row.nuts_code or "", row.key.split(":", 1)[1],
                 *(row.alternate_names or ())]
        names[row.id] = {match_key(text) for text in texts if text}
    return names


def describe_places(place_ids: Iterable[Any]) -> list[str]:
    """"Springfield (Illinois, US)" for each place, in the given order, to tell them apart."""
    ids = list(place_ids)
    places = {
        place.id: place
        for place in db.session.scalars(
            select(Place).options(joinedload(Place.region)).where(Place.id.in_(ids))
        )
    }
    return [describe_place(places[pid]) for pid in ids if pid in places]


def describe_place(place: Place) -> str:
    where = [place.region.name] if place.region is not None else []
    if place.kind != "city":
        where.insert(0, place.kind)
    where.append(place.country_code)
    return f"{place.name} ({', '.join(where)})"


def picker_label(place: Place) -> str:
    return f"{place.name} ({place.kind}, {place.country_code})"


def resolve_typed_place(text: str, allowed_countries: Iterable[str] | None = None,
                        kinds: Iterable[str] | None = None) -> Place:
    """The place a user picked from the suggestions or typed, as the partnership import
    matches names (case, accents, exonyms, local and other names, "City, CC"); only of the
    given kinds and countries, if given. PlaceError says what is wrong, in words."""
    text = " ".join(text.split())
    wanted = tuple(kinds) if kinds is not None else None
    if not text:
        raise PlaceError(f"Type {kinds_in_words(wanted)} and pick it from the list.")
    picked = PICKED_LABEL.match(text)
    try:
        if picked:
            result = place_index().match(picked["name"], picked["country"], picked["kind"])
        else:
            result = match_place(text)
    except UnknownCountryError:
        result = match_place(text)
    place = place_from_result(text, result, wanted)
    if wanted is not None and place.kind not in wanted:
        raise PlaceError(f"{describe_place(place)} is a {place.kind}; type "
                         f"{kinds_in_words(wanted)}.")
    allowed = set(allowed_countries) if allowed_countries is not None else None
    if allowed is not None and place.country_code not in allowed:
        raise PlaceError(f"{place.name} is in {place.country_code}; this side takes places in "
                         f"{', '.join(sorted(allowed))}.")
    return place


def kinds_in_words(kinds: tuple[str, ...] | None) -> str:
    """"a city", "a city or region", "a place"."""
    return "a " + (" or ".join(kinds) if kinds else "place")


def place_from_result(text: str, result: MatchResult,
                      kinds: tuple[str, ...] | None = None) -> Place:
    if result.status == EXACT:
        return db.session.get(Place, result.place_id)
    if result.status == AMBIGUOUS:
        raise PlaceError(f"Several places are called “{text}”: "
                         f"{'; '.join(describe_places(result.candidates[:6]))}. Pick one.")
    hint = ""
    if result.suggestions:
        hint = " Did you mean " + " or ".join(
            describe_places(s.place_id for s in result.suggestions)) + "?"
    what = " or ".join(kinds) if kinds else "place"
    raise PlaceError(f"No {what} called “{text}” in the gazetteer.{hint} Type the first "
                     "letters and pick it from the list, or add the country (“Łódź, PL”); an "
                     "administrator can add a missing place.")


def suggest_places(text: str, countries: Iterable[str] | None = None,
                   kinds: Iterable[str] | None = None, limit: int = 12) -> list[Place]:
    """Places whose name starts with `text` (compared as the partnership import compares
    names), largest first, then those known by it under another name (Breslau, Cracow, 成都市);
    "Łódź, PL" looks only in Poland."""
    text = " ".join(text.split())
    if len(text) < 2 and not is_wide(text):
        return []
    index = place_index()
    name, country = split_country(text)
    wanted_countries = set(countries) if countries is not None else None
    wanted_kinds = set(kinds) if kinds is not None else None
    found = []
    for place_id in index.named_like(name):
        entry = index.entries[place_id]
        if ((wanted_countries is None or entry.country_code in wanted_countries)
                and (wanted_kinds is None or entry.kind in wanted_kinds)
                and (country is None or entry.country_code == country)):
            found.append(place_id)
            if len(found) == limit:
                break
    by_id = {place.id: place for place in db.session.scalars(
        select(Place).where(Place.id.in_(found)))}
    return [by_id[place_id] for place_id in found if place_id in by_id]


def is_wide(text: str) -> bool:
    """One Chinese (or Japanese, Korean) character is a start worth suggesting from: 成 for 成都."""
    return len(text) == 1 and unicodedata.east_asian_width(text) in ("W", "F")


def split_country(text: str) -> tuple[str, str | None]:
    """"Łódź, PL" -> ("Łódź", "PL"); a text without a country after it stays whole."""
    qualified = NAME_WITH_REGION.match(text.strip())
    if qualified:
        code = resolve_country(qualified["paren"] or qualified["comma"])
        if code is not None:
            return qualified["name"], code
    return text, None


def place_ids_named_like(text: str) -> list[int]:
    """Places with `text` in an English or local name, or known by it under another name,
    for the lists' "name" filters: compared in Python as the matcher compares names, since
    SQL's lower() and LIKE leave Ł, Ś or Ž as they are on SQLite."""
    name, country = split_country(text)
    index = place_index()
    return [place_id for place_id in index.named_like(name, anywhere=True)
            if country is None or index.entries[place_id].country_code == country]


# --- the places list -----------------------------------------------------------


@dataclass
class PlaceFilters:
    country: str = ""
    kind: str = ""
    cee: bool = False
    band: str = ""
    has_us: bool = False
    has_cn: bool = False
    area: str = ""
    project_id: int | None = None
    text: str = ""


def project_ids_of(user: User) -> list[int]:
    return list(db.session.scalars(
        select(Membership.project_id).where(Membership.user_id == user.id)
    ))


def projects_of(user: User) -> list[Project]:
    return list(db.session.scalars(
        select(Project).join(Membership).where(Membership.user_id == user.id)
        .order_by(Project.name)
    ))


def partner_filter_projects(user: User, project_id: int | None) -> list[int]:
    """The projects whose partnerships the partner filters look at: the chosen one, if the
    user belongs to it, else all the user's projects."""
    mine = project_ids_of(user)
    if project_id is not None and project_id in mine:
        return [project_id]
    return mine


def has_partner_in(country: str, project_ids: list[int]) -> Any:
    partner = aliased(Place)
    return exists(
        select(Partnership.id)
        .join(partner, Partnership.partner_place_id == partner.id)
        .where(Partnership.eu_place_id == Place.id, partner.country_code == country,
               Partnership.project_id.in_(project_ids))
    )


def has_area_in(area: str, project_ids: list[int]) -> Any:
    return exists(
        select(Partnership.id)
        .join(partnership_areas, partnership_areas.c.partnership_id == Partnership.id)
        .join(CooperationArea, CooperationArea.id == partnership_areas.c.area_id)
        .where(or_(Partnership.eu_place_id == Place.id, Partnership.partner_place_id == Place.id),
               CooperationArea.name == area, Partnership.project_id.in_(project_ids))
    )


def places_query(filters: PlaceFilters, user: User) -> Select[tuple[Place]]:
    """Places matching the filters, largest first; partner and area filters look at the
    partnerships of the user's projects (or the one chosen)."""
    query = select(Place).options(joinedload(Place.region))
    conditions = []
    if filters.country:
        conditions.append(Place.country_code == filters.country)
    if filters.kind:
        conditions.append(Place.kind == filters.kind)
    if filters.cee:
        conditions.append(Place.is_cee.is_(True))
    if filters.band in POPULATION_BANDS:
        _label, low, high = POPULATION_BANDS[filters.band]
        conditions.append(Place.population >= low)
        if high is not None:
            conditions.append(Place.population < high)
    if filters.text:
        conditions.append(Place.id.in_(place_ids_named_like(filters.text)))
    if filters.has_us or filters.has_cn or filters.area:
        project_ids = partner_filter_projects(user, filters.project_id)
        if filters.has_us:
            conditions.append(has_partner_in("US", project_ids))
        if filters.has_cn:
            conditions.append(has_partner_in("CN", project_ids))
        if filters.area:
            conditions.append(has_area_in(filters.area, project_ids))
    if conditions:
        query = query.where(and_(*conditions))
    return query.order_by(Place.population.desc().nulls_last(), Place.name, Place.id)


def partnership_counts(place_ids: list[int], project_ids: list[int]) -> dict[int, int]:
    """How many partnerships (in the given projects) each place has, on either side."""
    if not place_ids or not project_ids:
        return {}
    counts: dict[int, int] = {}
    for column in (Partnership.eu_place_id, Partnership.partner_place_id):
        rows = db.session.execute(
            select(column, func.count(Partnership.id))
            .where(column.in_(place_ids), Partnership.project_id.in_(project_ids))
            .group_by(column)
        )
        for place_id, number in rows:
            counts[place_id] = counts.get(place_id, 0) + number
    return counts


def country_options() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Place.country_code, Place.name).where(Place.kind == "country")
        .order_by(Place.name)
    )
    return [(code, name) for code, name in rows]


def area_names(project_ids: list[int]) -> list[str]:
    if not project_ids:
        return []
    return list(db.session.scalars(
        select(CooperationArea.name).where(CooperationArea.project_id.in_(project_ids))
        .group_by(CooperationArea.name).order_by(CooperationArea.name)
    ))


# --- a place's page ------------------------------------------------------------


def partnerships_of_place(place: Place, user: User) -> list[Partnership]:
    """The place's partnerships, on either side, in the projects the user belongs to."""
    project_ids = project_ids_of(user)
    if not project_ids:
        return []
    return list(db.session.scalars(
        select(Partnership)
        .options(joinedload(Partnership.eu_place), joinedload(Partnership.partner_place),
                 joinedload(Partnership.project))
        .where(or_(Partnership.eu_place_id == place.id, Partnership.partner_place_id == place.id),
               Partnership.project_id.in_(project_ids))
        .order_by(Partnership.project_id, Partnership.signed_on.nulls_last(), Partnership.id)
    ).unique())


# --- admins' corrections ---------------------------------------------------------

PLACE_FIELDS = (
    "kind", "name", "name_local", "country_code", "region_id", "population", "latitude",
    "longitude", "timezone", "is_eu", "is_cee", "nuts_code", "alternate_names",
)


def check_place(values: dict[str, Any], place: Place | None) -> None:
    code = (values.get("country_code") or "").upper()
    if resolve_country(code) != code:
        raise PlaceError(f"“{code}” is not a two-letter ISO country code.")
    region_id = values.get("region_id")
    if region_id is not None:
        region = db.session.get(Place, region_id)
        if region is None or region.kind != "region" or (place and region.id == place.id):
            raise PlaceError("The region must be one of the gazetteer's regions.")


def create_place(values: dict[str, Any], user: User) -> Place:
    check_place(values, None)
    place = Place(key="user:pending", created_by_id=user.id,
                  **{name: values[name] for name in PLACE_FIELDS if name in values})
    db.session.add(place)
    db.session.flush()
    place.key = f"user:{place.id}"
    audit.record("place.create", place, summary=f"Place {place.name} added")
    db.session.flush()
    return place


def update_place(place: Place, values: dict[str, Any]) -> Place:
    check_place(values, place)
    changed = {}
    for name in PLACE_FIELDS:
        if name in values and getattr(place, name) != values[name]:
            changed[name] = [str(getattr(place, name)), str(values[name])]
            setattr(place, name, values[name])
    if changed:
        audit.record("place.update", place, summary=f"Place {place.name} corrected",
                     changes=changed)
    db.session.flush()
    return place
