"""Partnerships of a project: their areas of cooperation, creation and changes, sources,
documents, and the filtered list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from casestudies.models import (
    DEFAULT_AREAS,
    INSTITUTIONALISATION_FLAGS,
    PARTNERSHIP_KINDS,
    PARTNERSHIP_STATUSES,
    CooperationArea,
    Partnership,
    PartnershipDocument,
    PartnershipSource,
    Place,
    partnership_areas,
)
from casestudies.places import place_ids_named_like
from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.storage import delete_stored_file, store_upload

PARTNER_COUNTRIES = ("US", "CN")


class PartnershipError(ValueError):
    """A partnership that cannot be saved; the message says why, in words."""


# --- areas of cooperation ----------------------------------------------------------


def ensure_areas(project: Project) -> list[CooperationArea]:
    """The project's areas, seeded with the default list the first time. Flushes."""
    areas = areas_of(project)
    if not areas:
        areas = [
            CooperationArea(project_id=project.id, name=name, position=number)
            for number, name in enumerate(DEFAULT_AREAS)
        ]
        db.session.add_all(areas)
        db.session.flush()
    return areas


def areas_of(project: Project) -> list[CooperationArea]:
    return list(db.session.scalars(
        select(CooperationArea).where(CooperationArea.project_id == project.id)
        .order_by(CooperationArea.position, CooperationArea.name)
    ))


def normalise_area_name(name: str) -> str:
    return " ".join(name.split()).lower()


def add_area(project: Project, name: str) -> CooperationArea:
    name = normalise_area_name(name)
    if not name:
        raise PartnershipError("Give the area a name.")
    areas = ensure_areas(project)
    if any(area.name == name for area in areas):
        raise PartnershipError(f"The area “{name}” is already on the list.")
    area = CooperationArea(project_id=project.id, name=name,
                           position=max((a.position for a in areas), default=-1) + 1)
    db.session.add(area)
    db.session.flush()
    audit.record("area.create", area, project=project, summary=f"Area “{name}” added")
    return area


def rename_area(area: CooperationArea, project: Project, name: str) -> None:
    name = normalise_area_name(name)
    if not name:
        raise PartnershipError("Give the area a name.")
    if any(other.name == name and other.id != area.id for other in areas_of(project)):
        raise PartnershipError(f"The area “{name}” is already on the list.")
    audit.record("area.rename", area, project=project,
                 summary=f"Area “{area.name}” renamed “{name}”")
    area.name = name
    db.session.flush()


def delete_area(area: CooperationArea, project: Project) -> None:
    audit.record("area.delete", area, project=project, summary=f"Area “{area.name}” removed")
    db.session.delete(area)
    db.session.flush()


# --- partnerships -------------------------------------------------------------------


@dataclass
class PartnershipValues:
    eu_place: Place
    partner_place: Place
    kind: str = "sister_city"
    signed_on: date | None = None
    ended_on: date | None = None
    status: str = "unknown"
    areas: list[CooperationArea] = field(default_factory=list)
    agreement_on_file: bool = False
    office_abroad: bool = False
    dedicated_staff: bool = False
    budget_line: bool = False
    notes: str = ""


def check_values(values: PartnershipValues) -> None:
    if not values.eu_place.is_eu:
        raise PartnershipError(f"{values.eu_place.name} is not in the EU; the EU side must be.")
    if values.partner_place.country_code not in PARTNER_COUNTRIES:
        raise PartnershipError(
            f"{values.partner_place.name} is not in the United States or China.")
    if values.kind not in PARTNERSHIP_KINDS:
        raise PartnershipError(f"Unknown kind of partnership: {values.kind}.")
    if values.status not in PARTNERSHIP_STATUSES:
        raise PartnershipError(f"Unknown status: {values.status}.")
    if values.signed_on and values.ended_on and values.ended_on < values.signed_on:
        raise PartnershipError("The end date is before the signing date.")


def apply_values(partnership: Partnership, values: PartnershipValues) -> None:
    partnership.eu_place_id = values.eu_place.id
    partnership.partner_place_id = values.partner_place.id
    partnership.eu_place = values.eu_place
    partnership.partner_place = values.partner_place
    for name in ("kind", "signed_on", "ended_on", "status", "notes", *INSTITUTIONALISATION_FLAGS):
        setattr(partnership, name, getattr(values, name))
    partnership.areas = list(values.areas)


def create_partnership(
    project: Project, values: PartnershipValues, user: User | None
) -> Partnership:
    check_values(values)
    partnership = Partnership(project_id=project.id,
                              created_by_id=user.id if user is not None else None)
    apply_values(partnership, values)
    db.session.add(partnership)
    db.session.flush()
    audit.record("partnership.create", partnership, project=project,
                 summary=f"Partnership {partnership.title} added")
    return partnership


def update_partnership(partnership: Partnership, values: PartnershipValues) -> None:
    check_values(values)
    apply_values(partnership, values)
    db.session.flush()
    audit.record("partnership.update", partnership, project=partnership.project,
                 summary=f"Partnership {partnership.title} changed")


def delete_partnership(partnership: Partnership) -> None:
    audit.record("partnership.delete", partnership, project=partnership.project,
                 summary=f"Partnership {partnership.title} deleted")
    files = [document.file for document in partnership.documents]
    db.session.delete(partnership)
    db.session.flush()
    for stored in files:
        delete_stored_file(stored)


def add_source(partnership: Partnership, url: str, seen_on: date | None, note: str) -> None:
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise PartnershipError("A web address starts with http:// or https://.")
    source = PartnershipSource(partnership=partnership, url=url, seen_on=seen_on,
                               note=note.strip())
    db.session.add(source)
    db.session.flush()
    audit.record("partnership.source_add", partnership, project=partnership.project,
                 summary=f"Source {url} added to {partnership.title}")


def delete_source(source: PartnershipSource) -> None:
    partnership = source.partnership
    audit.record("partnership.source_delete", partnership, project=partnership.project,
                 summary=f"Source {source.url} removed from {partnership.title}")
    db.session.delete(source)
    db.session.flush()


def add_document(
    partnership: Partnership, stream: BinaryIO, filename: str, title: str, user: User,
) -> PartnershipDocument:
    stored = store_upload(stream, filename, user.id)
    document = PartnershipDocument(partnership=partnership, file=stored,
                                   title=title.strip() or stored.filename)
    db.session.add(document)
    db.session.flush()
    audit.record("partnership.document_add", partnership, project=partnership.project,
                 summary=f"Document {stored.filename} attached to {partnership.title}")
    return document


def delete_document(document: PartnershipDocument) -> None:
    partnership = document.partnership
    audit.record("partnership.document_delete", partnership, project=partnership.project,
                 summary=f"Document {document.file.filename} removed from {partnership.title}")
    stored = document.file
    db.session.delete(document)
    db.session.flush()
    delete_stored_file(stored)


# --- lists ----------------------------------------------------------------------------


@dataclass
class PartnershipFilters:
    partner_country: str = ""
    eu_country: str = ""
    kind: str = ""
    status: str = ""
    area_id: int | None = None
    cee: bool = False
    text: str = ""


def partnerships_query(project: Project, filters: PartnershipFilters) -> Select[tuple[Partnership]]:
    eu = aliased(Place)
    partner = aliased(Place)
    query = (
        select(Partnership)
        .join(eu, Partnership.eu_place_id == eu.id)
        .join(partner, Partnership.partner_place_id == partner.id)
        .options(joinedload(Partnership.eu_place), joinedload(Partnership.partner_place),
                 selectinload(Partnership.areas))
        .where(Partnership.project_id == project.id)
    )
    conditions: list[Any] = []
    if filters.partner_country:
        conditions.append(partner.country_code == filters.partner_country)
    if filters.eu_country:
        conditions.append(eu.country_code == filters.eu_country)
    if filters.kind:
        conditions.append(Partnership.kind == filters.kind)
    if filters.status:
        conditions.append(Partnership.status == filters.status)
    if filters.cee:
        conditions.append(eu.is_cee.is_(True))
    if filters.area_id is not None:
        conditions.append(Partnership.id.in_(
            select(partnership_areas.c.partnership_id)
            .where(partnership_areas.c.area_id == filters.area_id)
        ))
    if filters.text:
        named = place_ids_named_like(filters.text)
        conditions.append(eu.id.in_(named) | partner.id.in_(named))
    if conditions:
        query = query.where(and_(*conditions))
    return query.order_by(eu.country_code, eu.name, partner.name, Partnership.id)


def count_partnerships(project: Project) -> int:
    return db.session.scalar(
        select(func.count(Partnership.id)).where(Partnership.project_id == project.id)
    ) or 0


def count_linked_places(project: Project) -> int:
    """Distinct places on either side of the project's partnerships."""
    sides = select(Partnership.eu_place_id.label("place_id")).where(
        Partnership.project_id == project.id
    ).union(select(Partnership.partner_place_id).where(Partnership.project_id == project.id))
    return db.session.scalar(select(func.count()).select_from(sides.subquery())) or 0


def duplicate_key(eu_place_id: int, partner_place_id: int, kind: str) -> tuple[int, int, str]:
    return (eu_place_id, partner_place_id, kind)


def existing_keys(project: Project) -> dict[tuple[int, int, str], int]:
    """(EU place, partner place, kind) -> partnership id, to find duplicates."""
    rows = db.session.execute(
        select(Partnership.eu_place_id, Partnership.partner_place_id, Partnership.kind,
               Partnership.id).where(Partnership.project_id == project.id)
    )
    return {duplicate_key(a, b, kind): pid for a, b, kind, pid in rows}
