"""Retrieval of coded excerpts: codes (with their sub-codes) combined with OR, AND, NOT or
"within N characters", filtered by what each source is linked to.

What a source is linked to (its facets) comes from its own links and its interview's: places
(and their countries, regions, CEE flag and population), partnerships (partner country, kind,
areas of cooperation), the participants' organisation types, the interview's place and date,
and the source's own attributes. Facets are read for the whole project in a few queries and
filtering happens in Python: a project has hundreds of sources, not millions.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import joinedload

from casestudies.models import CaseStudy, Partnership, Place, partnership_areas
from coding.models import Code, Coding, Source, source_partnerships, source_places
from fieldwork.extensions import db
from fieldwork.models import Project
from interviews.models import Interview, Participant, interview_participants, interview_partnerships
from interviews.transcripts.models import Transcript

OPERATORS = {
    "or": "or (coded with either)",
    "and": "and (overlapping codings of both)",
    "not": "but not (no overlapping coding of the second)",
    "near": "within N characters of",
}
POPULATION_BANDS = [
    (0, "under 50,000"), (50_000, "50,000–100,000"), (100_000, "100,000–250,000"),
    (250_000, "250,000–500,000"), (500_000, "500,000–1 million"), (1_000_000, "over 1 million"),
]
PAGE_SIZE = 100


class RetrievalError(ValueError):
    """A query that cannot be run, said in words."""


@dataclass
class Facets:
    """What one source is linked to."""

    eu_countries: set[str] = field(default_factory=set)
    cee: bool = False
    regions: set[int] = field(default_factory=set)
    cities: set[int] = field(default_factory=set)
    population_bands: set[str] = field(default_factory=set)
    partner_countries: set[str] = field(default_factory=set)
    partnership_kinds: set[str] = field(default_factory=set)
    areas: set[int] = field(default_factory=set)
    organisation_types: set[str] = field(default_factory=set)
    interview_place: int | None = None
    day: date | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Filters:
    eu_country: str = ""
    cee: bool | None = None
    region: int | None = None
    city: int | None = None
    population_band: str = ""
    partner_country: str = ""
    partnership_kind: str = ""
    area: int | None = None
    organisation_type: str = ""
    interview_place: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    coder: int | None = None
    attribute: str = ""
    attribute_value: str = ""

    def accepts(self, facets: Facets) -> bool:
        checks = [
            not self.eu_country or self.eu_country in facets.eu_countries,
            self.cee is None or facets.cee == self.cee,
            self.region is None or self.region in facets.regions,
            self.city is None or self.city in facets.cities,
            not self.population_band or self.population_band in facets.population_bands,
            not self.partner_country or self.partner_country in facets.partner_countries,
            not self.partnership_kind or self.partnership_kind in facets.partnership_kinds,
            self.area is None or self.area in facets.areas,
            not self.organisation_type or self.organisation_type in facets.organisation_types,
            self.interview_place is None or self.interview_place == facets.interview_place,
            self.date_from is None or (facets.day is not None and facets.day >= self.date_from),
            self.date_to is None or (facets.day is not None and facets.day <= self.date_to),
            not self.attribute or facets.attributes.get(self.attribute, "").casefold()
            == self.attribute_value.strip().casefold(),
        ]
        return all(checks)


@dataclass(frozen=True)
class Query:
    codes: tuple[int, ...]
    operator: str = "or"
    other_codes: tuple[int, ...] = ()
    with_subcodes: bool = True
    distance: int = 200
    filters: Filters = Filters()


def population_band(population: int | None) -> str:
    if population is None:
        return ""
    thresholds = [low for low, _ in POPULATION_BANDS]
    return POPULATION_BANDS[max(0, bisect_left(thresholds, population + 1) - 1)][1]


def add_place(facets: Facets, place: Place) -> None:
    if place.is_eu:
        facets.eu_countries.add(place.country_code)
    facets.cee = facets.cee or place.is_cee
    if place.kind == "region":
        facets.regions.add(place.id)
    elif place.region_id:
        facets.regions.add(place.region_id)
    if place.kind == "city":
        facets.cities.add(place.id)
        if place.is_eu:
            facets.population_bands.add(population_band(place.population))
    if place.country_code in ("US", "CN"):
        facets.partner_countries.add(place.country_code)


def add_partnership(facets: Facets, partnership: Any, places: dict[int, Place],
                    areas: Iterable[int]) -> None:
    """Add a partnership (a row of id, eu_place_id, partner_place_id, kind)."""
    add_place(facets, places[partnership.eu_place_id])
    facets.partner_countries.add(places[partnership.partner_place_id].country_code)
    facets.partnership_kinds.add(partnership.kind)
    facets.areas.update(areas)


def source_facets(project: Project) -> dict[int, Facets]:
    """Every source of the project with what it is linked to."""
    sources = list(db.session.execute(db.select(
        Source.id, Source.attributes, Source.case_study_id, Source.created_at,
        Transcript.interview_id).outerjoin(Transcript, Transcript.id == Source.transcript_id)
        .where(Source.project_id == project.id)).all())
    facets = {row.id: Facets(attributes=dict(row.attributes or {}),
                             day=row.created_at.date()) for row in sources}
    linked = db.union(
        db.select(source_places.c.place_id).join(Source).where(Source.project_id == project.id),
        db.select(Interview.place_id).where(Interview.project_id == project.id),
        db.select(CaseStudy.place_id).where(CaseStudy.project_id == project.id),
        db.select(Partnership.eu_place_id).where(Partnership.project_id == project.id),
        db.select(Partnership.partner_place_id).where(Partnership.project_id == project.id),
    )
    places = {p.id: p for p in db.session.scalars(db.select(Place).where(Place.id.in_(linked)))}
    partnerships = {p.id: p for p in db.session.execute(db.select(
        Partnership.id, Partnership.eu_place_id, Partnership.partner_place_id, Partnership.kind)
        .where(Partnership.project_id == project.id))}
    areas: dict[int, list[int]] = defaultdict(list)
    for partnership_id, area_id in db.session.execute(db.select(
            partnership_areas.c.partnership_id, partnership_areas.c.area_id).join(Partnership)
            .where(Partnership.project_id == project.id)):
        areas[partnership_id].append(area_id)
    case_places = dict(db.session.execute(db.select(CaseStudy.id, CaseStudy.place_id).where(
        CaseStudy.project_id == project.id)).all())
    interviews = {i.id: i for i in db.session.scalars(
        db.select(Interview).where(Interview.project_id == project.id))}
    by_interview = defaultdict(set)
    for interview_id, organisation_type in db.session.execute(db.select(
            interview_participants.c.interview_id, Participant.organisation_type)
            .join(Participant).where(Participant.project_id == project.id)):
        by_interview[interview_id].add(organisation_type)
    interview_links = defaultdict(list)
    for interview_id, partnership_id in db.session.execute(db.select(
            interview_partnerships.c.interview_id, interview_partnerships.c.partnership_id)
            .join(Interview).where(Interview.project_id == project.id)):
        interview_links[interview_id].append(partnership_id)
    for source_id, place_id in db.session.execute(db.select(
            source_places.c.source_id, source_places.c.place_id).join(Source)
            .where(Source.project_id == project.id)):
        add_place(facets[source_id], places[place_id])
    for source_id, partnership_id in db.session.execute(db.select(
            source_partnerships.c.source_id, source_partnerships.c.partnership_id).join(Source)
            .where(Source.project_id == project.id)):
        add_partnership(facets[source_id], partnerships[partnership_id], places,
                        areas[partnership_id])
    for row in sources:
        own = facets[row.id]
        interview = interviews.get(row.interview_id)
        case_study = row.case_study_id or (interview.case_study_id if interview else None)
        if case_study and case_places.get(case_study) in places:
            add_place(own, places[case_places[case_study]])
        if interview is None:
            continue
        own.day = interview.starts_at.date()
        own.interview_place = interview.place_id
        own.organisation_types |= by_interview[interview.id]
        if interview.place_id in places:
            add_place(own, places[interview.place_id])
        for partnership_id in interview_links[interview.id]:
            add_partnership(own, partnerships[partnership_id], places, areas[partnership_id])
    return facets


def with_descendants(project: Project, code_ids: Iterable[int]) -> set[int]:
    """The codes and every code under them."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for code_id, parent_id in db.session.execute(
            db.select(Code.id, Code.parent_id).where(Code.project_id == project.id)):
        children[parent_id].append(code_id)
    found, waiting = set(), list(code_ids)
    while waiting:
        code_id = waiting.pop()
        if code_id not in found:
            found.add(code_id)
            waiting.extend(children[code_id])
    return found


def codings_of(project: Project, source_ids: list[int] | None, code_ids: set[int],
               coder: int | None) -> list[Any]:
    """(id, source_id, start, end) rows of the codings of the codes in the sources (None: in
    every source), in source order (combine relies on it)."""
    if source_ids == [] or not code_ids:
        return []
    query = db.select(Coding.id, Coding.source_id, Coding.start, Coding.end).where(
        Coding.project_id == project.id, Coding.code_id.in_(code_ids))
    if source_ids is not None:
        query = query.where(Coding.source_id.in_(source_ids))
    if coder:
        query = query.where(Coding.coder_id == coder)
    return list(db.session.execute(query.order_by(Coding.source_id, Coding.start, Coding.id)))


def _near(coding: Any, others: list[Any], distance: int) -> bool:
    return any(o.start - distance < coding.end and coding.start < o.end + distance
               for o in others)


def combine(first: list[Any], second: list[Any], operator: str, distance: int) -> list[Any]:
    """Codings of the first codes kept by the operator against the second codes' codings in
    the same source (all of both for "or")."""
    if operator == "or":
        if not second:
            return first
        seen = {c.id for c in first}
        return sorted(first + [c for c in second if c.id not in seen],
                      key=itemgetter(1, 2, 0))
    by_source: dict[int, list[Any]] = defaultdict(list)
    for coding in second:
        by_source[coding.source_id].append(coding)
    reach = distance if operator == "near" else 0
    kept = []
    for coding in first:
        hit = _near(coding, by_source[coding.source_id], reach)
        if hit == (operator != "not"):
            kept.append(coding)
    return kept


def check_query(query: Query) -> None:
    if not query.codes:
        raise RetrievalError("Choose at least one code.")
    if query.operator not in OPERATORS:
        raise RetrievalError("Choose how to combine the codes.")
    if query.operator != "or" and not query.other_codes:
        raise RetrievalError("Choose the second code to combine with.")
    if query.operator == "near" and not 0 <= query.distance <= 100_000:
        raise RetrievalError("Give the distance in characters, from 0 to 100,000.")


@dataclass(frozen=True)
class Scope:
    """Where a query looks: its sources (None: all of them) and one coder's codings or all."""

    sources: list[int] | None
    coder: int | None


def scope_of(project: Project, query: Query, visible_coder: int | None,
             facets: dict[int, Facets] | None) -> Scope | None:
    """None when the query can find nothing (under blind coding, another coder's codings)."""
    facets = facets if facets is not None else source_facets(project)
    accepted = sorted(s for s, f in facets.items() if query.filters.accepts(f))
    if visible_coder and query.filters.coder and query.filters.coder != visible_coder:
        return None
    return Scope(None if len(accepted) == len(facets) else accepted,
                 visible_coder or query.filters.coder)


def retrieve(project: Project, query: Query, visible_coder: int | None = None,
             facets: dict[int, Facets] | None = None) -> list[int]:
    """The ids of the codings answering the query, in source order; with `visible_coder`
    (blind coding) only that coder's codings count."""
    check_query(query)
    scope = scope_of(project, query, visible_coder, facets)
    if scope is None:
        return []
    expand = (lambda ids: with_descendants(project, ids)) if query.with_subcodes else set
    first = codings_of(project, scope.sources, expand(query.codes), scope.coder)
    second = (codings_of(project, scope.sources, expand(query.other_codes), scope.coder)
              if query.other_codes else [])
    return [row.id for row in combine(first, second, query.operator, query.distance)]


def retrieve_page(project: Project, query: Query, page: int, visible_coder: int | None = None,
                  facets: dict[int, Facets] | None = None) -> tuple[list[int], int]:
    """The ids of one page (PAGE_SIZE) of the codings answering the query, in source order,
    and how many answer it in all. The database counts and pages a query of codes alone; a
    query combining codes by their places in the text is combined here."""
    if query.operator != "or":
        ids = retrieve(project, query, visible_coder, facets)
        return ids[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], len(ids)
    check_query(query)
    scope = scope_of(project, query, visible_coder, facets)
    if scope is None or scope.sources == []:
        return [], 0
    codes = set(query.codes) | set(query.other_codes)
    if query.with_subcodes:
        codes = with_descendants(project, codes)
    where = [Coding.project_id == project.id, Coding.code_id.in_(codes)]
    if scope.sources is not None:
        where.append(Coding.source_id.in_(scope.sources))
    if scope.coder:
        where.append(Coding.coder_id == scope.coder)
    total = db.session.scalar(db.select(db.func.count(Coding.id)).where(*where)) or 0
    ids = db.session.scalars(db.select(Coding.id).where(*where)
                             .order_by(Coding.source_id, Coding.start, Coding.id)
                             .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return list(ids), total


def load_codings(ids: list[int]) -> list[Coding]:
    """The codings with these ids, in the given order, with their sources and coders."""
    found = {c.id: c for c in db.session.scalars(db.select(Coding).where(Coding.id.in_(ids))
                                                 .options(joinedload(Coding.coder)))}
    return [found[i] for i in ids if i in found]
