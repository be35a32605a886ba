"""Fixtures of the places and partnerships tests: a small gazetteer made of real seed places."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from casestudies.gazetteer import SeedPlace, iter_seed_places
from casestudies.models import Place
from casestudies.seeding import seed_places
from fieldwork.extensions import db

#: cities the tests use, by English name (all places of these names are seeded)
TEST_CITIES = frozenset({
    "Wrocław", "Kraków", "Poznań", "Łódź", "Gdańsk", "Warsaw", "Prague", "Brno", "Budapest",
    "Cluj-Napoca", "Berlin", "Hamburg", "Munich", "Lyon", "Rochester", "Springfield",
    "Columbus", "Cleveland", "New York City", "Dallas", "Chicago", "Guangzhou", "Shenzhen",
    "Chengdu", "Beijing", "Shanghai", "Xi’an", "Wuhan", "Nanjing", "Harbin", "Pilsen",
})


@cache
def test_seeds() -> tuple[SeedPlace, ...]:
    return tuple(
        seed for seed in iter_seed_places()
        if seed.kind != "city" or seed.name in TEST_CITIES
    )


@pytest.fixture
def gazetteer(app: object) -> Callable[[str, str], Place]:
    """Seed countries, regions and the test cities; returns a finder by name and country."""
    seed_places(test_seeds())

    def find(name: str, country: str) -> Place:
        return db.session.scalar(db.select(Place).where(
            Place.country_code == country, (Place.name == name) | (Place.name_local == name),
            Place.kind == "city",
        ))

    return find
