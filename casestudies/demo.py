"""The places and partnerships part of the demo project.

The partnerships are illustrative examples between real cities, made up for trying the app:
they are not a claim that these agreements exist, and each says so in its notes.
"""

from __future__ import annotations

from datetime import date

from casestudies.matching import EXACT
from casestudies.models import Place
from casestudies.partnerships import (
    PartnershipValues,
    count_partnerships,
    create_partnership,
    ensure_areas,
)
from casestudies.places import match_place
from casestudies.seeding import gazetteer_is_empty, seed_places
from fieldwork.extensions import db
from fieldwork.models import Project, User

DEMO_NOTE = "Demo data: an illustrative example, not a verified partnership."

#: (EU city, country, partner city, country, kind, status, signed, areas, agreement on file)
DEMO_PARTNERSHIPS = (
    ("Wrocław", "PL", "Guangzhou", "CN", "friendship_city", "active", "2015-05-12",
     ("business", "education"), True),
    ("Kraków", "PL", "Rochester (New York)", "US", "sister_city", "active", "1973-06-01",
     ("culture", "education"), True),
    ("Poznań", "PL", "Shenzhen", "CN", "cooperation_agreement", "active", "2017-09-20",
     ("business", "science"), True),
    ("Łódź", "PL", "Chengdu", "CN", "cooperation_agreement", "active", "2015-11-03",
     ("business", "urban transport"), False),
    ("Gdańsk", "PL", "Cleveland", "US", "sister_city", "dormant", "1990-04-10",
     ("culture",), False),
    ("Brno", "CZ", "Dallas", "US", "letter_of_intent", "unknown", "2019-03-15",
     ("business", "science"), False),
    ("Praha", "CZ", "Beijing", "CN", "sister_city", "ended", "2016-03-29",
     ("culture", "tourism"), True),
    ("Ostrava", "CZ", "Pittsburgh", "US", "cooperation_agreement", "active", "2012-10-01",
     ("environment", "science"), False),
    ("Budapest", "HU", "Shanghai", "CN", "friendship_city", "active", "2013-05-07",
     ("tourism", "business"), True),
    ("Debrecen", "HU", "Nanjing", "CN", "letter_of_intent", "unknown", "2018-06-21",
     ("education",), False),
    ("Cluj-Napoca", "RO", "Columbus (Ohio)", "US", "sister_city", "active", "1999-09-14",
     ("education", "health care"), True),
    ("Timișoara", "RO", "Harbin", "CN", "friendship_city", "dormant", "2006-10-30",
     ("culture",), False),
    ("München", "DE", "Cincinnati", "US", "sister_city", "active", "1989-11-05",
     ("culture", "education"), True),
    ("Hamburg", "DE", "Shanghai", "CN", "sister_city", "active", "1986-05-29",
     ("business", "environment", "urban transport"), True),
    ("Lyon", "FR", "Saint Louis", "US", "sister_city", "active", "1995-06-17",
     ("culture", "spatial planning"), False),
    ("Bordeaux", "FR", "Wuhan", "CN", "sister_city", "active", "1998-06-18",
     ("science", "health care"), True),
)


def demo_place(name: str, country: str) -> Place | None:
    result = match_place(name, country)
    return db.session.get(Place, result.place_id) if result.status == EXACT else None


def add_demo(project: Project, people: dict[str, User]) -> None:
    """Seed the gazetteer if empty; add the example partnerships if the project has none."""
    if gazetteer_is_empty():
        seed_places()
    if count_partnerships(project):
        return
    areas = {area.name: area for area in ensure_areas(project)}
    for (eu_name, eu_country, partner_name, partner_country, kind, status, signed, area_names,
         on_file) in DEMO_PARTNERSHIPS:
        eu_place = demo_place(eu_name, eu_country)
        partner_place = demo_place(partner_name, partner_country)
        if eu_place is None or partner_place is None:
            continue
        create_partnership(project, PartnershipValues(
            eu_place=eu_place, partner_place=partner_place, kind=kind, status=status,
            signed_on=date.fromisoformat(signed), areas=[areas[name] for name in area_names],
            agreement_on_file=on_file, notes=DEMO_NOTE,
        ), people.get("lead"))
