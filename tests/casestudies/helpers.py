"""Helpers of the places and partnerships tests."""

from __future__ import annotations

from casestudies.models import Partnership, Place
from casestudies.partnerships import PartnershipValues, create_partnership, ensure_areas
from fieldwork.models import Project

HEADER = ("eu_place,eu_country,partner_place,partner_country,kind,status,signed_on,ended_on,"
          "areas,agreement_on_file,office_abroad,dedicated_staff,budget_line,source_url,"
          "source_seen_on,notes")


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def add_partnership(project: Project, eu: Place, partner: Place, kind: str = "sister_city",
                    areas: tuple[str, ...] = ()) -> Partnership:
    by_name = {area.name: area for area in ensure_areas(project)}
    return create_partnership(project, PartnershipValues(
        eu_place=eu, partner_place=partner, kind=kind, areas=[by_name[a] for a in areas],
    ), None)
