"""The coding comparison: agreement of chosen coders on chosen sources and codes, read from
the database and computed by coding.agreement."""

from __future__ import annotations

from dataclasses import dataclass

from coding.agreement import AgreementResults, SourceInfo, agreement_csv, compute_agreement
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

    def csv(self) -> str:
        return agreement_csv(self.results, self.code_names, self.coder_names)


def compare_coders(project: Project, source_ids: list[int], coder_ids: list[int],
                   code_ids: list[int], units: str = "paragraphs") -> Comparison:
    """Agreement of the coders on the sources and codes (all codes used when none chosen)."""
    if len(set(coder_ids)) < 2:
        raise ComparisonError("Choose at least two coders to compare.")
    if not source_ids:
        raise ComparisonError("Choose at least one source.")
    sources = list(db.session.scalars(db.select(Source).where(
        Source.project_id == project.id, Source.id.in_(source_ids)).order_by(Source.title)))
    if not sources:
        raise ComparisonError("None of the chosen sources is in this project.")
    query = db.select(Coding.coder_id, Coding.source_id, Coding.code_id, Coding.start,
                      Coding.end).where(Coding.source_id.in_([s.id for s in sources]),
                                        Coding.coder_id.in_(coder_ids))
    if code_ids:
        query = query.where(Coding.code_id.in_(code_ids))
    rows = list(db.session.execute(query))
    paths = code_paths(project)
    chosen_codes = list(code_ids) if code_ids else sorted({row[2] for row in rows},
                                                           key=lambda c: paths.get(c, ""))
    if not chosen_codes:
        raise ComparisonError("None of the chosen coders has coded these sources yet.")
    infos = {s.id: SourceInfo(len(s.text), _units(s) if units == "paragraphs" else ())
             for s in sources}
    coders = list(dict.fromkeys(coder_ids))
    results = compute_agreement(infos, rows, coders, chosen_codes)
    names = dict(db.session.execute(
        db.select(User.id, User.name).where(User.id.in_(coders))).all())
    return Comparison(results, {c: paths.get(c, str(c)) for c in chosen_codes}, names, sources)


def _units(source: Source) -> list[tuple[int, int]]:
    return [(p["start"], p["end"]) for p in source.paragraphs or []]
