"""The coding comparison: agreement of chosen coders on chosen sources and codes, read from
the database and computed by coding.agreement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coding.agreement import (
    AgreementResults,
    CodeAgreement,
    PairAgreement,
    SourceInfo,
    agreement_csv,
    compute_agreement,
)
from coding.codebook import code_paths
from coding.models import Coding, Source
from fieldwork.extensions import db
from fieldwork.models import Project, User

UNITS = {"paragraphs": "Paragraphs or transcript segments", "sources": "Whole sources"}


class ComparisonError(ValueError):
    """A comparison that cannot be run, said in words."""


@dataclass(frozen=True)
class Comparison:
    results: AgreementResults
    code_names: dict[int, str]
    coder_names: dict[int, str]
    sources: list[Source]
    #: chosen codes that none of the chosen coders used, left out of the figures
    unused: list[str]
    #: the left-out codes are shown (and counted) as well
    show_unused: bool = False

    def csv(self) -> str:
        return agreement_csv(self.results, self.code_names, self.coder_names)

    def rows(self) -> list[tuple[CodeAgreement, list[PairAgreement]]]:
        """Each code with the pairs of coders to show: those of whom at least one used the
        code, unless every pair is asked for."""
        shown = [(row, [pair for pair in row.pairs if self.show_unused or pair.coded_text.units])
                 for row in self.results.codes]
        return [(row, pairs) for row, pairs in shown if pairs]


def chosen_sources(project: Project, source_ids: Sequence[int]) -> list[Source]:
    """The chosen sources of the project, by title; a ComparisonError when there are none."""
    if not source_ids:
        raise ComparisonError("Choose at least one source.")
    sources = list(db.session.scalars(db.select(Source).where(
        Source.project_id == project.id, Source.id.in_(source_ids)).order_by(Source.title)))
    if not sources:
        raise ComparisonError("None of the chosen sources is in this project.")
    return sources


def compare_coders(project: Project, source_ids: list[int], coder_ids: list[int],
                   code_ids: list[int], units: str = "paragraphs",
                   show_unused: bool = False) -> Comparison:
    """Agreement of the coders on the sources and codes: the chosen codes that one of the
    coders used (every chosen code with `show_unused`), or every code used when none is
    chosen. A code nobody used would count its whole text as agreement."""
    if len(set(coder_ids)) < 2:
        raise ComparisonError("Choose at least two coders to compare.")
    sources = chosen_sources(project, source_ids)
    query = db.select(Coding.coder_id, Coding.source_id, Coding.code_id, Coding.start,
                      Coding.end).where(Coding.source_id.in_([s.id for s in sources]),
                                        Coding.coder_id.in_(coder_ids))
    if code_ids:
        query = query.where(Coding.code_id.in_(code_ids))
    rows = list(db.session.execute(query))
    paths = code_paths(project)
    used = {row[2] for row in rows}
    chosen = list(dict.fromkeys(code_ids)) if code_ids else sorted(
        used, key=lambda c: paths.get(c, ""))
    unused = [c for c in chosen if c not in used]
    chosen_codes = chosen if show_unused else [c for c in chosen if c in used]
    if not chosen_codes:
        raise ComparisonError("None of the chosen coders has coded these sources with these "
                              "codes yet." if code_ids else
                              "None of the chosen coders has coded these sources yet.")
    infos = {s.id: SourceInfo(len(s.text), alpha_units(s) if units == "paragraphs" else ())
             for s in sources}
    coders = list(dict.fromkeys(coder_ids))
    results = compute_agreement(infos, rows, coders, chosen_codes)
    names = dict(db.session.execute(
        db.select(User.id, User.name).where(User.id.in_(coders))).all())
    return Comparison(results, {c: paths.get(c, str(c)) for c in chosen_codes}, names, sources,
                      [paths.get(c, str(c)) for c in unused], show_unused)


def alpha_units(source: Source) -> list[tuple[int, int]]:
    """The source's paragraphs or transcript segments, the units of Krippendorff's alpha."""
    return [(p["start"], p["end"]) for p in source.paragraphs or []]
