"""Fill the gazetteer from the packaged seed data: `fieldwork places seed`."""

from __future__ import annotations

from collections.abc import Iterable

import click
from flask.cli import with_appcontext
from sqlalchemy import insert

from casestudies.gazetteer import SeedPlace, iter_seed_places
from casestudies.models import Place
from fieldwork import audit
from fieldwork.extensions import db


def place_row(seed: SeedPlace, region_ids: dict[str, int]) -> dict[str, object]:
    return {
        "key": seed.key,
        "kind": seed.kind,
        "name": seed.name,
        "name_local": seed.name_local,
        "country_code": seed.country_code,
        "region_id": region_ids.get(seed.region_key) if seed.region_key else None,
        "population": seed.population,
        "latitude": seed.latitude,
        "longitude": seed.longitude,
        "timezone": seed.timezone,
        "is_eu": seed.is_eu,
        "is_cee": seed.is_cee,
        "nuts_code": seed.nuts_code,
        "alternate_names": list(seed.alternate_names),
    }


def existing_keys() -> dict[str, int]:
    return dict(db.session.execute(db.select(Place.key, Place.id)).all())


def seed_places(seeds: Iterable[SeedPlace] | None = None) -> int:
    """Add every seed place (default: all packaged ones) not yet in the gazetteer; places
    already there (perhaps corrected by an admin) are left as they are. Returns how many were
    added. Flushes only."""
    seeds = list(iter_seed_places() if seeds is None else seeds)
    known = existing_keys()
    added = 0
    # Countries and regions first, so that cities can point at their region's id.
    for wave in (("country", "region"), ("city",)):
        rows = [
            place_row(seed, known)
            for seed in seeds
            if seed.kind in wave and seed.key not in known
        ]
        if rows:
            db.session.execute(insert(Place), rows)
            added += len(rows)
            known = existing_keys()
    if added:
        audit.record("places.seed", summary=f"{added} places added from the seed data")
    db.session.flush()
    return added


def gazetteer_is_empty() -> bool:
    return db.session.scalar(db.select(Place.id).limit(1)) is None


@click.group("places")
def places_command() -> None:
    """The gazetteer of countries, regions and cities."""


@places_command.command("seed")
@with_appcontext
def seed_command() -> None:
    """Add the packaged countries, regions and cities (safe to run again)."""
    added = seed_places()
    db.session.commit()
    total = db.session.scalar(db.select(db.func.count()).select_from(Place))
    click.echo(f"{added} places added; the gazetteer holds {total}.")
