"""Places, partnerships and the map at the size of the study.

A fresh database (SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is
given, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/fw_bench) is seeded with the
packaged gazetteer, then topped up to 1,000 EU places and 3,000 US/Chinese partner places,
and a project gets 5,000 partnerships with areas. Times, through the test client with a
logged-in member (server time: the whole request inside the app), the places list (first page,
and with the partner filters), a place page with many partnerships, the partnerships list, the
map data, the summary table, the lists filtered by a place's name, the place suggestions, the
map page (which lists the places without coordinates), and the check and commit of a
5,000-row CSV import. Prints one JSON line with the median and slowest of the runs in
milliseconds.

usage (from the project folder): python -m bench.places [--runs N]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import insert, make_url, select, text

from bench.common import bench_app, get_ok, logged_in_client, timed
from casestudies import importing
from casestudies.models import Partnership, Place, partnership_areas
from casestudies.partnerships import ensure_areas
from casestudies.places import match_place
from casestudies.seeding import seed_places
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User

EU_PLACES = 1_000
PARTNER_PLACES = 3_000
PARTNERSHIPS = 5_000
IMPORT_ROWS = 5_000
KINDS = ("sister_city", "friendship_city", "cooperation_agreement", "letter_of_intent", "other")
STATUSES = ("active", "dormant", "ended", "unknown")


def top_up(kind_filter: Callable[[Place], bool], wanted: int, country: Callable[[int], str],
           rng: random.Random, prefix: str) -> list[int]:
    """Ids of `wanted` cities: the seeded ones, plus synthetic ones to reach the number."""
    ids = [place.id for place in db.session.scalars(select(Place).where(Place.kind == "city"))
           if kind_filter(place)][:wanted]
    extra = [
        {"key": f"bench:{prefix}:{n}", "kind": "city", "name": f"Bench {prefix} {n}",
         "name_local": f"Bench {prefix} {n}", "country_code": country(n),
         "population": rng.randint(50_000, 900_000), "latitude": rng.uniform(-40, 60),
         "longitude": rng.uniform(-120, 140), "is_eu": prefix == "eu",
         "is_cee": False, "alternate_names": [], "updated_at": datetime.now(UTC)}
        for n in range(wanted - len(ids))
    ]
    if extra:
        db.session.execute(insert(Place), extra)
        ids += list(db.session.scalars(select(Place.id).where(Place.key.like(f"bench:{prefix}:%"))))
    return ids


def build(rng: random.Random) -> tuple[Project, User, list[int]]:
    seed_places()
    eu_ids = top_up(lambda p: p.is_eu, EU_PLACES, lambda n: "PL", rng, "eu")
    partner_ids = top_up(lambda p: p.country_code in ("US", "CN"), PARTNER_PLACES,
                         lambda n: ("US", "CN")[n % 2], rng, "partner")
    user = User(email="bench@example.org", name="Bench", password_hash="x")
    project = Project(name="Bench")
    db.session.add_all([user, project])
    db.session.flush()
    db.session.add(Membership(project=project, user=user, role="lead"))
    areas = ensure_areas(project)
    pairs = set()
    while len(pairs) < PARTNERSHIPS:
        pairs.add((rng.choice(eu_ids), rng.choice(partner_ids), rng.choice(KINDS)))
    rows = [{"project_id": project.id, "eu_place_id": eu, "partner_place_id": partner,
             "kind": kind, "status": rng.choice(STATUSES),
             "signed_on": date(rng.randint(1970, 2024), rng.randint(1, 12), 1), "notes": "",
             "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)}
            for eu, partner, kind in sorted(pairs)]
    db.session.execute(insert(Partnership), rows)
    ids = list(db.session.scalars(select(Partnership.id).where(
        Partnership.project_id == project.id)))
    db.session.execute(insert(partnership_areas), [
        {"partnership_id": pid, "area_id": area.id}
        for pid in ids for area in rng.sample(areas, rng.randint(1, 3))
    ])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Autovacuum would do this soon after a bulk load; the bench should not wait for it.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return project, user, eu_ids


def import_file(project: Project, rng: random.Random) -> bytes:
    """A CSV of IMPORT_ROWS new partnerships named by the places' names (all resolvable)."""
    cities = list(db.session.execute(
        select(Place.name, Place.country_code, Place.is_eu).where(
            Place.kind == "city", Place.key.like("city:gn:%"))
    ))
    def unique(name: str, country: str) -> bool:
        return match_place(name, country).status == "exact"

    eu = [c for c in cities if c.is_eu and unique(c.name, c.country_code)]
    partners = [c for c in cities if c.country_code in ("US", "CN") and unique(c.name,
                                                                               c.country_code)]
    lines = ["eu_place,eu_country,partner_place,partner_country,kind,status,signed_on,areas"]
    seen = set()
    while len(seen) < IMPORT_ROWS:
        a, b = rng.choice(eu), rng.choice(partners)
        if (a.name, b.name) in seen:
            continue
        seen.add((a.name, b.name))
        lines.append(f'"{a.name}",{a.country_code},"{b.name}",{b.country_code},'
                     f"memorandum,active,2019-05-0{rng.randint(1, 9)},business; culture")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(4)
    with tempfile.TemporaryDirectory() as folder:
        app, url = bench_app(folder)
        with app.app_context():
            project, user, _eu_ids = build(rng)
            project_id, user_id = project.id, user.id
            busiest = db.session.scalar(
                select(Partnership.eu_place_id).group_by(Partnership.eu_place_id)
                .order_by(db.func.count().desc()).limit(1))
            csv_data = import_file(project, rng)
            db.session.commit()
        client = logged_in_client(app, user_id)
        base = f"/projects/{project_id}/partnerships"

        def get(path: str) -> Callable[[], None]:
            return get_ok(client, path)

        get("/places")()  # warms the place index and templates
        figures = {
            "places_list": timed(args.runs, get("/places")),
            "places_list_filtered": timed(args.runs, get("/places?has_us=y&has_cn=y&cee=")),
            "place_page": timed(args.runs, get(f"/places/{busiest}")),
            "partnerships_list": timed(args.runs, get(base)),
            "map_data": timed(args.runs, get(f"{base}/map.json")),
            "summary": timed(args.runs, get(f"{base}/summary")),
            # a place typed as people write it, matched in Python over the whole gazetteer
            "places_list_by_name": timed(args.runs, get("/places?q=lodz")),
            "partnerships_list_by_name": timed(args.runs, get(f"{base}?q=wroclaw")),
            "place_suggestions": timed(args.runs, get("/places/suggest?side=eu&eu_place=Wro")),
            "map_page": timed(args.runs, get(f"{base}/map")),
        }
        with app.app_context():
            project = Project(name="Bench import")
            db.session.add(project)
            db.session.commit()
            start = time.perf_counter()
            report = importing.check_file(project, csv_data, "bench.csv")
            checked = time.perf_counter()
            assert report.ok, report.bad_rows[0].problems
            importing.commit_import(project, report, db.session.get(User, user_id), "bench.csv")
            db.session.commit()
            done = time.perf_counter()
        figures["import_5000_rows"] = {"check_s": round(checked - start, 2),
                                       "total_s": round(done - start, 2)}
    print(json.dumps({
        "bench": "places", "database": make_url(url).get_backend_name(),
        "eu_places": EU_PLACES, "partner_places": PARTNER_PLACES,
        "partnerships": PARTNERSHIPS, "runs": args.runs, **figures,
        "python": platform.python_version(), "machine": platform.machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }))


if __name__ == "__main__":
    main()
