"""Summary tables: a project's partnerships by EU country × partner country × area."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from casestudies.models import CooperationArea, Partnership, Place, partnership_areas
from casestudies.partnerships import areas_of
from fieldwork.extensions import db
from fieldwork.leftout import LeftOut
from fieldwork.models import Project

NO_AREA = "(no area given)"


@dataclass
class SummaryRow:
    eu_country: str
    eu_country_name: str
    #: (partner country, area name) -> partnerships
    cells: dict[tuple[str, str], int] = field(default_factory=dict)
    #: partner country -> partnerships (each counted once, whatever its areas)
    totals: dict[str, int] = field(default_factory=dict)


@dataclass
class Summary:
    partner_countries: list[str]
    areas: list[str]
    rows: list[SummaryRow]
    column_totals: dict[tuple[str, str], int]
    totals: dict[str, int]

    @property
    def grand_total(self) -> int:
        return sum(self.totals.values())


def country_names() -> dict[str, str]:
    return dict(db.session.execute(
        select(Place.country_code, Place.name).where(Place.kind == "country")
    ).all())


def summarise(project: Project) -> Summary:
    """Counts of partnerships by EU country, partner country and area of cooperation.

    A partnership with three areas counts once in each area's column and once in the total.
    """
    eu, partner = aliased(Place), aliased(Place)
    base = (
        select(eu.country_code, partner.country_code)
        .select_from(Partnership)
        .join(eu, Partnership.eu_place_id == eu.id)
        .join(partner, Partnership.partner_place_id == partner.id)
        .where(Partnership.project_id == project.id)
    )
    by_area = db.session.execute(
        base.add_columns(CooperationArea.name, func.count(func.distinct(Partnership.id)))
        .outerjoin(partnership_areas, partnership_areas.c.partnership_id == Partnership.id)
        .outerjoin(CooperationArea, CooperationArea.id == partnership_areas.c.area_id)
        .group_by(eu.country_code, partner.country_code, CooperationArea.name)
    ).all()
    totals = db.session.execute(
        base.add_columns(func.count(Partnership.id))
        .group_by(eu.country_code, partner.country_code)
    ).all()
    names = country_names()
    rows: dict[str, SummaryRow] = {}
    partner_countries: set[str] = set()

    def row_of(code: str) -> SummaryRow:
        return rows.setdefault(code, SummaryRow(code, names.get(code, code)))

    seen_areas: set[str] = set()
    for eu_code, partner_code, area, number in by_area:
        area_name = area or NO_AREA
        seen_areas.add(area_name)
        row_of(eu_code).cells[(partner_code, area_name)] = number
    for eu_code, partner_code, number in totals:
        partner_countries.add(partner_code)
        row_of(eu_code).totals[partner_code] = number
    area_list = [area.name for area in areas_of(project)]
    area_list += sorted(seen_areas - set(area_list) - {NO_AREA})
    if NO_AREA in seen_areas:
        area_list.append(NO_AREA)
    ordered_rows = sorted(rows.values(), key=lambda row: row.eu_country_name)
    column_totals: dict[tuple[str, str], int] = {}
    partner_totals: dict[str, int] = {}
    for row in ordered_rows:
        for key, number in row.cells.items():
            column_totals[key] = column_totals.get(key, 0) + number
        for code, number in row.totals.items():
            partner_totals[code] = partner_totals.get(code, 0) + number
    return Summary(
        partner_countries=sorted(partner_countries, key=lambda code: (code not in ("US", "CN"),
                                                                       code)),
        areas=area_list, rows=ordered_rows, column_totals=column_totals, totals=partner_totals,
    )


def summary_left_out(summary: Summary) -> LeftOut:
    """Nothing: every partnership is counted, those without an area under NO_AREA."""
    return LeftOut([], f"Every partnership of the project ({summary.grand_total:,}) is "
                       f"counted; those with no area of cooperation under “{NO_AREA}”.")


def summary_rows(summary: Summary) -> list[list[object]]:
    """The summary in long form for a CSV: EU country, partner country, area, partnerships."""
    lines: list[list[object]] = [["eu_country", "partner_country", "area", "partnerships"]]
    for row in summary.rows:
        for (partner, area), number in sorted(row.cells.items()):
            lines.append([row.eu_country, partner, area, number])
    return lines
