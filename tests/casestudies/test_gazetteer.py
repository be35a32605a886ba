"""The seed gazetteer, on the real packaged data."""

from __future__ import annotations

from collections import Counter

import pytest

from casestudies.gazetteer import (
    CEE_COUNTRIES,
    EU_COUNTRIES,
    SeedPlace,
    iter_seed_places,
    seed_summary,
)


@pytest.fixture(scope="module")
def places() -> list[SeedPlace]:
    return list(iter_seed_places())


@pytest.fixture(scope="module")
def by_key(places: list[SeedPlace]) -> dict[str, SeedPlace]:
    return {place.key: place for place in places}


@pytest.fixture(scope="module")
def summary(places: list[SeedPlace]) -> dict[str, int]:
    return seed_summary(places)


def test_keys_are_unique(places: list[SeedPlace]) -> None:
    duplicates = [key for key, n in Counter(place.key for place in places).items() if n > 1]
    assert duplicates == []


def test_countries_are_the_eu_27_and_the_partner_countries(by_key: dict[str, SeedPlace]) -> None:
    countries = {place.country_code for place in by_key.values() if place.kind == "country"}
    assert countries >= EU_COUNTRIES | {"US", "CN"}
    assert sum(by_key[f"country:{code}"].is_eu for code in countries) == 27
    assert {code for code in countries if by_key[f"country:{code}"].is_cee} == CEE_COUNTRIES
    assert by_key["country:GR"].nuts_code == "EL"
    assert by_key["country:PL"].name_local == "Polska"


def test_region_counts(summary: dict[str, int]) -> None:
    assert summary["region:eu"] == 242
    assert summary["region:us"] == 51
    assert summary["region:cn"] == 31


def test_city_counts(summary: dict[str, int]) -> None:
    assert 900 <= summary["city:eu"] <= 1100
    assert 200 <= summary["city:cee"] <= 240
    assert 900 <= summary["city:us"] <= 1050
    assert 1200 <= summary["city:cn"] <= 1350


def test_every_city_has_50000_inhabitants_a_timezone_and_coordinates(
    places: list[SeedPlace],
) -> None:
    cities = [place for place in places if place.kind == "city"]
    assert all(city.population and city.population >= 50_000 for city in cities)
    assert all(city.timezone for city in cities)
    assert all(city.latitude is not None and city.longitude is not None for city in cities)


def test_every_place_has_a_timezone(places: list[SeedPlace]) -> None:
    assert [place.key for place in places if not place.timezone] == []


def test_city_districts_are_left_out(places: list[SeedPlace]) -> None:
    names = {(place.country_code, place.name) for place in places if place.kind == "city"}
    assert ("DE", "Berlin") in names
    assert ("DE", "Kreuzberg") not in names
    assert ("PL", "Mokotów") not in names
    assert ("RO", "Sector 3") not in names
    assert ("AT", "Favoriten") not in names


def test_wroclaw_lies_in_lower_silesia(by_key: dict[str, SeedPlace]) -> None:
    wroclaw = by_key["city:gn:3081368"]
    assert (wroclaw.name, wroclaw.country_code, wroclaw.region_key) == (
        "Wrocław",
        "PL",
        "region:PL51",
    )
    assert wroclaw.timezone == "Europe/Warsaw"
    assert wroclaw.is_eu and wroclaw.is_cee
    assert "Breslau" in wroclaw.alternate_names
    region = by_key["region:PL51"]
    assert (region.nuts_code, region.name_local, region.timezone) == (
        "PL51",
        "Dolnośląskie",
        "Europe/Warsaw",
    )


def test_warsaw_and_radom_lie_in_the_two_halves_of_mazowieckie(
    by_key: dict[str, SeedPlace],
) -> None:
    assert by_key["city:gn:756135"].region_key == "region:PL91"
    assert by_key["city:gn:756135"].name_local == "Warszawa"
    assert by_key["city:gn:760778"].region_key == "region:PL92"


def test_us_and_chinese_cities_lie_in_their_state_or_province(
    by_key: dict[str, SeedPlace],
) -> None:
    assert by_key["city:gn:5368361"].region_key == "region:US-CA"  # Los Angeles
    assert by_key["city:gn:1809858"].region_key == "region:CN-GD"  # Guangzhou
    assert by_key["region:CN-GD"].name_local == "广东省"
    assert by_key["region:US-CA"].timezone == "America/Los_Angeles"


def test_region_keys_of_cities_name_seeded_regions(places: list[SeedPlace]) -> None:
    keys = {place.key for place in places}
    assert {place.region_key for place in places if place.region_key} <= keys


def test_every_city_is_mapped_to_a_region_in_the_mapped_countries(
    places: list[SeedPlace],
) -> None:
    mapped = CEE_COUNTRIES | {"AT", "CY", "DK", "ES", "FI", "GR", "IE", "IT", "LU", "MT", "NL"}
    mapped |= {"SE", "US"}
    unmapped = [
        place.key
        for place in places
        if place.kind == "city" and place.country_code in mapped and place.region_key is None
    ]
    assert unmapped == []


def test_cities_are_mapped_only_to_regions_of_their_own_country(
    by_key: dict[str, SeedPlace],
) -> None:
    for place in by_key.values():
        if place.region_key:
            assert by_key[place.region_key].country_code == place.country_code, place.key
