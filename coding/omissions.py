"""What each analysis of the coding leaves out, and why, with the page that puts it right.

A matrix has a column only for what a source is linked to; a retrieval's filters by place
or partnership can only find linked sources; blind coding hides the other coders' codings;
a retrieval without sub-codes leaves their codings out; the search stops at its limit. Each
analysis page shows its `LeftOut` (fieldwork.leftout) through `templates/_left_out.html`,
and the sources list shows exactly the sources a notice counts (`sources_missing`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from coding.matrices import DIMENSION_WORDS, Matrix, keys_for
from coding.models import Code, Coding
from coding.retrieval import Facets, Query
from fieldwork.extensions import db
from fieldwork.leftout import LeftOut, Omission, is_are, plural
from fieldwork.models import Project

#: the sources list's `missing` value for sources linked to no place and no partnership
LINKS = "links"
#: what keeps a linked source out of a matrix's columns, by dimension (after "3 coded
#: sources"; {are} and {have} agree with the number), and what the link to them offers
MATRIX_GAPS = {
    "city": ("{are} linked only to places that are not cities", "see them"),
    "partner_country": ("{are} linked to no US or Chinese place or partnership", "see them"),
    "organisation_type": ("{are} not from an interview with a participant (documents, or "
                          "interviews with none)", "see them"),
    "cee": ("{are} linked to no place in the EU", "see them"),
    "attribute": ("{have} no value for “{attribute}”", "give them one"),
}
#: the retrieval filters that look at what a source is linked to
LINK_FILTERS = ("eu_country", "cee", "region", "city", "population_band", "partner_country",
                "partnership_kind", "area", "organisation_type", "interview_place")
BLIND = Omission("Blind coding is on: the other coders' codings are left out until the lead "
                 "turns it off")


def is_linked(facets: Facets) -> bool:
    """Whether the source is linked to a place or a partnership, its own way or its
    interview's or case study's."""
    return bool(facets.cities or facets.regions or facets.eu_countries
                or facets.partner_countries or facets.partnership_kinds)


def missing(what: str, attribute: str = "") -> Callable[[Facets], bool]:
    """Whether a source lacks what `what` needs: any link (LINKS); a value of `attribute`
    ("attribute"); or, though linked, a value for a matrix dimension's columns."""
    if what == LINKS:
        return lambda facets: not is_linked(facets)
    read = keys_for(what, attribute)
    if what == "attribute":
        return lambda facets: not read(facets)
    return lambda facets: is_linked(facets) and not read(facets)


def lack(what: str, attribute: str = "", number: int = 2) -> str:
    """What the sources lack, in words agreeing with their number: "are linked to no place in
    the EU", "has no value for “Level”"."""
    if what == LINKS:
        return f"{is_are(number)} not linked to a place or partnership"
    return MATRIX_GAPS[what][0].format(are=is_are(number), attribute=attribute,
                                       have="has" if number == 1 else "have")


def sources_missing(facets: dict[int, Facets], what: str, attribute: str = "",
                    among: Iterable[int] | None = None) -> list[int]:
    """The sources (of `among`, or all) that lack it, in id order."""
    lacks = missing(what, attribute)
    ids = facets if among is None else [i for i in among if i in facets]
    return sorted(i for i in ids if lacks(facets[i]))


def coded_among(project: Project, source_ids: Iterable[int],
                visible_coder: int | None = None) -> list[int]:
    """Those of the sources that have a coding (of `visible_coder`, under blind coding): an
    analysis counts only coded sources, so only they can be left out of it."""
    ids = sorted(set(source_ids))
    if not ids:
        return []
    query = db.select(Coding.source_id).where(Coding.project_id == project.id,
                                              Coding.source_id.in_(ids)).distinct()
    if visible_coder:
        query = query.where(Coding.coder_id == visible_coder)
    return sorted(db.session.scalars(query))


def to_sources(project: Project, what: str, attribute: str = "") -> dict[str, Any]:
    arguments: dict[str, Any] = {"project_id": project.id, "missing": what}
    if attribute:
        arguments["attribute"] = attribute
    return arguments


def unlinked_omission(project: Project, unlinked: list[int], consequence: str) -> Omission:
    """“3 coded sources are not linked to a place or partnership<consequence>”, where the
    consequence (“ and {are} not in this matrix”) may say {are} and {them}."""
    count = len(unlinked)
    then = consequence.format(are=is_are(count), them="it" if count == 1 else "them")
    return Omission(f"{plural(count, 'coded source')} {lack(LINKS, number=count)}{then}",
                    "link them", "coding.source_list", to_sources(project, LINKS))


def matrix_left_out(project: Project, matrix: Matrix, facets: dict[int, Facets],
                    visible_coder: int | None, attribute: str = "") -> LeftOut:
    """The coded sources the matrix has no column for (of those it counted codings of),
    split into those linked to nothing (link them) and those whose links give no value for
    these columns."""
    omissions = []
    if matrix.dimension != "attribute":
        unlinked = sources_missing(facets, LINKS, among=matrix.coded)
        if unlinked:
            omissions.append(unlinked_omission(project, unlinked,
                                               " and {are} not in this matrix"))
    lacking = sources_missing(facets, matrix.dimension, attribute, matrix.coded)
    if lacking:
        count = len(lacking)
        omissions.append(Omission(
            f"{plural(count, 'coded source')} {lack(matrix.dimension, attribute, count)}, so "
            f"{'it is' if count == 1 else 'they are'} not in this matrix",
            MATRIX_GAPS[matrix.dimension][1], "coding.source_list",
            to_sources(project, matrix.dimension, attribute)))
    if visible_coder:
        omissions.append(BLIND)
    return LeftOut(omissions, f"Every coded source of the project ({len(matrix.coded):,}) is "
                              f"in this matrix, by {DIMENSION_WORDS[matrix.dimension]}.")


def retrieval_left_out(project: Project, query: Query, facets: dict[int, Facets],
                       visible_coder: int | None, arguments: dict[str, list[str]]) -> LeftOut:
    """What the query cannot find: unlinked sources when it filters by place or partnership,
    sources without the attribute it filters by, the sub-codes it leaves out, and the other
    coders' codings under blind coding. `arguments` are the query's own, to ask it again
    with the sub-codes."""
    filters = query.filters
    omissions = []
    if any(getattr(filters, name) not in ("", None) for name in LINK_FILTERS):
        unlinked = coded_among(project, sources_missing(facets, LINKS), visible_coder)
        if unlinked:
            omissions.append(unlinked_omission(
                project, unlinked, ", so no filter by place or partnership can find {them}"))
    if filters.attribute:
        lacking = coded_among(project, sources_missing(facets, "attribute", filters.attribute),
                              visible_coder)
        if lacking:
            omissions.append(Omission(
                f"{plural(len(lacking), 'coded source')} "
                f"{lack('attribute', filters.attribute, len(lacking))}, so this filter cannot "
                f"find {'it' if len(lacking) == 1 else 'them'}", "give them one",
                "coding.source_list", to_sources(project, "attribute", filters.attribute)))
    if not query.with_subcodes:
        parents = codes_with_subcodes(project, [*query.codes, *query.other_codes])
        if parents:
            names = ", ".join(f"“{name}”" for name in parents)
            omissions.append(Omission(
                f"The codings of the sub-codes of {names} are left out", "include them",
                "coding.retrieve", {**arguments, "project_id": project.id,
                                    "with_subcodes": ["y"], "page": ["1"]}))
    if visible_coder:
        omissions.append(BLIND)
    return LeftOut(omissions, "Every coded source could answer this query: nothing is left "
                              "out but what the query itself excludes.")


def codes_with_subcodes(project: Project, code_ids: Iterable[int]) -> list[str]:
    """The names of those codes that have codes under them."""
    ids = set(code_ids)
    if not ids:
        return []
    parents = db.select(Code.parent_id).where(Code.project_id == project.id,
                                              Code.parent_id.in_(ids))
    return list(db.session.scalars(db.select(Code.name).where(Code.id.in_(parents))
                                   .order_by(Code.name)))


def overlaps_left_out(visible_coder: int | None) -> LeftOut:
    """The co-occurrence table counts each code's own codings."""
    omissions = [Omission("Sub-codes are not added to their parent codes here: each row and "
                          "column counts only its own code's codings")]
    if visible_coder:
        omissions.append(BLIND)
    return LeftOut(omissions)


def search_left_out(shown: int, more: bool) -> LeftOut:
    if more:
        return LeftOut([Omission(f"Only the first {shown:,} hits are shown and the rest are "
                                 "left out", "add words to narrow the search")])
    return LeftOut([], "Every source of the project was searched; every hit is shown.")
