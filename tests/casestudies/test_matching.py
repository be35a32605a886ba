"""Matching typed place names to the gazetteer, on the real packaged data."""

from __future__ import annotations

import pytest

from casestudies.gazetteer import SeedPlace, iter_seed_places
from casestudies.matching import (
    AMBIGUOUS,
    EXACT,
    NOT_FOUND,
    IndexEntry,
    PlaceIndex,
    UnknownCountryError,
    index_entry_of_seed_place,
    normalise_name,
    resolve_country,
)

WROCLAW = "city:gn:3081368"


@pytest.fixture(scope="module")
def places() -> dict[str, SeedPlace]:
    return {place.key: place for place in iter_seed_places()}


@pytest.fixture(scope="module")
def index(places: dict[str, SeedPlace]) -> PlaceIndex:
    return PlaceIndex(index_entry_of_seed_place(place) for place in places.values())


def matched_name(index: PlaceIndex, places: dict[str, SeedPlace], typed: str, country: str) -> str:
    result = index.match(typed, country=country, kind="city")
    assert result.status == EXACT, (typed, result)
    return places[str(result.place_id)].name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wrocław", "wroclaw"),
        ("  ŁÓDŹ ", "lodz"),
        ("St. Pölten", "saint polten"),
        ("Sankt Augustin", "saint augustin"),
        ("Cluj-Napoca", "cluj napoca"),
        ("Xi'an", "xi an"),
        ("Frankfurt (Oder)", "frankfurt oder"),
        ("Großwardein", "grosswardein"),
        ("City of Zagreb", "zagreb"),
        ("Timișoara", "timisoara"),
        ("Timişoara", "timisoara"),
        ("北京", "北京"),
    ],
)
def test_normalise_name(text: str, expected: str) -> None:
    assert normalise_name(text) == expected


@pytest.mark.parametrize(
    ("country", "names", "expected"),
    [
        ("PL", ["Wrocław", "Wroclaw", "WROCLAW", "Breslau"], "Wrocław"),
        ("PL", ["Kraków", "Krakow", "Cracow", "Krakau"], "Kraków"),
        ("PL", ["Warszawa", "Warsaw", "Warschau"], "Warsaw"),
        ("PL", ["Łódź", "Lodz"], "Łódź"),
        ("PL", ["Gdańsk", "Gdansk", "Danzig"], "Gdańsk"),
        ("PL", ["Poznań", "Poznan", "Posen"], "Poznań"),
        ("CZ", ["Praha", "Prague"], "Prague"),
        ("CZ", ["Brno", "Brünn", "Brunn"], "Brno"),
        ("SK", ["Bratislava", "Pressburg", "Pozsony"], "Bratislava"),
        ("RO", ["Cluj-Napoca", "Cluj Napoca", "Klausenburg", "Kolozsvár"], "Cluj-Napoca"),
        ("CN", ["Beijing", "Peking", "Pei-ching", "北京"], "Beijing"),
        ("CN", ["Guangzhou", "Canton"], "Guangzhou"),
        ("CN", ["Chongqing", "Chungking"], "Chongqing"),
        ("CN", ["Xi'an", "Xian", "Xi An", "Sian"], "Xi’an"),
        ("CN", ["Nanjing", "Nanking"], "Nanjing"),
        ("CN", ["Tianjin", "Tientsin"], "Tianjin"),
        ("CN", ["Chengdu", "Chengtu"], "Chengdu"),
        ("CN", ["Hangzhou", "Hangchow"], "Hangzhou"),
        ("CN", ["Soochow"], "Suzhou"),
        ("CN", ["Xiamen", "Amoy"], "Xiamen"),
        ("CN", ["Shenyang", "Mukden"], "Shenyang"),
        ("CN", ["Qingdao", "Tsingtao"], "Qingdao"),
        ("CN", ["Wuhan", "Hankow"], "Wuhan"),
        ("CN", ["Jinan", "Tsinan"], "Jinan"),
        ("CN", ["Dalian", "Dairen"], "Dalian"),
        ("DE", ["München", "Muenchen", "Munich"], "Munich"),
        ("DE", ["Köln", "Cologne"], "Köln"),
        ("LT", ["Vilnius", "Wilno"], "Vilnius"),
        ("HR", ["Zagreb", "Agram"], "Zagreb"),
        ("RO", ["Timișoara", "Timisoara", "Temeswar"], "Timişoara"),
    ],
)
def test_names_exonyms_and_romanisations_match(
    index: PlaceIndex, places: dict[str, SeedPlace], country: str, names: list[str], expected: str
) -> None:
    for typed in names:
        assert matched_name(index, places, typed, country) == expected


def test_exonyms_match_without_a_country_too(index: PlaceIndex) -> None:
    for typed in ("Breslau", "Kolozsvár", "Pressburg", "Nanking", "Amoy"):
        assert index.match(typed, kind="city").status == EXACT, typed


def test_country_hint_may_be_a_name_in_any_language(index: PlaceIndex) -> None:
    for country in ("PL", "POL", "Poland", "Polska", "polska"):
        assert index.match("Breslau", country=country).place_id == WROCLAW


def test_a_city_and_its_region_of_one_name_are_ambiguous_until_the_kind_is_given(
    index: PlaceIndex,
) -> None:
    assert index.match("Prague").status == AMBIGUOUS
    assert index.match("Prague", kind="region").place_id == "region:CZ01"
    assert index.match("Prague", kind="city").place_id == "city:gn:3067696"


def test_regions_match_by_english_and_native_name(index: PlaceIndex) -> None:
    assert index.match("Dolnośląskie", kind="region").place_id == "region:PL51"
    assert index.match("Lower Silesia", kind="region").place_id == "region:PL51"
    assert index.match("Guangdong", country="China").place_id == "region:CN-GD"
    assert index.match("Kwangtung").place_id == "region:CN-GD"
    assert index.match("California", country="USA").place_id == "region:US-CA"


def test_countries_match(index: PlaceIndex) -> None:
    assert index.match("Deutschland", kind="country").place_id == "country:DE"
    assert index.match("Česko").place_id == "country:CZ"


def test_springfield_is_ambiguous_with_the_largest_first(
    index: PlaceIndex, places: dict[str, SeedPlace]
) -> None:
    result = index.match("Springfield", country="United States")
    assert result.status == AMBIGUOUS
    assert len(result.candidates) >= 3
    populations = [places[str(pid)].population for pid in result.candidates]
    assert populations == sorted(populations, reverse=True)
    assert result.place_id is None


def test_frankfurt_is_ambiguous_but_its_full_names_are_not(index: PlaceIndex) -> None:
    result = index.match("Frankfurt", country="Deutschland")
    assert result.status == AMBIGUOUS
    assert len(result.candidates) == 2
    assert index.match("Frankfurt am Main").status == EXACT
    assert index.match("Frankfurt (Oder)").status == EXACT


def test_two_chinese_cities_named_suzhou_are_ambiguous(
    index: PlaceIndex, places: dict[str, SeedPlace]
) -> None:
    result = index.match("Suzhou", country="CN", kind="city")
    assert result.status == AMBIGUOUS
    assert places[str(result.candidates[0])].region_key == "region:CN-JS"


def test_a_misspelt_name_gets_suggestions(index: PlaceIndex) -> None:
    result = index.match("Wroclw", country="PL")
    assert result.status == NOT_FOUND
    assert result.candidates == ()
    assert 1 <= len(result.suggestions) <= 3
    assert result.suggestions[0].place_id == WROCLAW
    assert result.suggestions[0].name == "Wrocław"


def test_suggestions_respect_the_country_and_kind(
    index: PlaceIndex, places: dict[str, SeedPlace]
) -> None:
    result = index.match("Springfeld", country="US", kind="city")
    assert result.status == NOT_FOUND
    assert result.suggestions
    for suggestion in result.suggestions:
        place = places[str(suggestion.place_id)]
        assert (place.country_code, place.kind) == ("US", "city")


def test_nonsense_finds_nothing(index: PlaceIndex) -> None:
    assert index.match("Qqqxzzv").status == NOT_FOUND
    assert index.match("").status == NOT_FOUND
    assert index.match(" -- ").suggestions == ()


def test_a_country_hint_that_is_no_country_is_an_error(index: PlaceIndex) -> None:
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        index.match("Wrocław", country="Atlantis")


def test_a_blank_country_hint_is_no_hint(index: PlaceIndex) -> None:
    assert index.match("Breslau", country=" ").place_id == WROCLAW


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("PL", "PL"),
        ("pl", "PL"),
        ("POL", "PL"),
        ("Poland", "PL"),
        ("Polska", "PL"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("China", "CN"),
        ("PRC", "CN"),
        ("People's Republic of China", "CN"),
        ("中国", "CN"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("Czech Republic", "CZ"),
        ("Česko", "CZ"),
        ("Magyarország", "HU"),
        ("România", "RO"),
        ("Ελλάδα", "GR"),
        ("EL", "GR"),
        ("Sverige", "SE"),
        ("Netherlands", "NL"),
        ("Nederland", "NL"),
    ],
)
def test_resolve_country(text: str, code: str) -> None:
    assert resolve_country(text) == code


def test_resolve_country_of_nonsense_is_none() -> None:
    assert resolve_country("Atlantis") is None
    assert resolve_country("") is None


def test_an_index_can_be_built_from_plain_rows() -> None:
    index = PlaceIndex(
        [
            (1, "PL", "city", ("Wrocław",), ("Breslau",), 672545),
            IndexEntry(2, "PL", "city", ("Kraków",), ("Cracow",), 816614),
            (3, "DE", "city", ("Frankfurt am Main",), ("Frankfurt",), 732688),
            (4, "DE", "city", ("Frankfurt (Oder)",), ("Frankfurt",), 58000),
        ]
    )
    assert index.match("breslau").place_id == 1
    assert index.match("CRACOW", country="Polska").place_id == 2
    assert index.match("Frankfurt").candidates == (3, 4)
    assert index.match("Wroclaw", country="DE").status == NOT_FOUND
