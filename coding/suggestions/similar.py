"""Find passages like this: from a selected passage or a coding, the most similar passages of
the project's sources, with the codes the viewer sees on them, ready to be coded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coding.codings import Viewer
from coding.models import Coding, Source
from coding.suggestions.vectors import Passage, Vectoriser, passages_of
from fieldwork.extensions import db
from fieldwork.models import Project

MAX_RESULTS = 10
#: words a passage must have to be looked for
MIN_QUERY = 3


@dataclass(frozen=True)
class Similar:
    passage: Passage
    title: str
    similarity: float
    codes: list[int]


def project_passages(project: Project) -> tuple[list[Passage], dict[int, str]]:
    passages: list[Passage] = []
    titles = {}
    for source in db.session.scalars(db.select(Source).where(Source.project_id == project.id)
                                     .order_by(Source.id)):
        titles[source.id] = source.title
        passages.extend(passages_of(source.id, source.text, source.paragraphs))
    return passages, titles


def codes_on(passage: Passage, viewer: Viewer) -> list[int]:
    query = db.select(Coding.code_id).where(Coding.source_id == passage.source_id,
                                            Coding.start < passage.end,
                                            Coding.end > passage.start)
    if viewer.sees_only_own:
        query = query.where(Coding.coder_id == viewer.user.id)
    return sorted(set(db.session.scalars(query)))


def passages_like(project: Project, viewer: Viewer, text: str,
                  where: tuple[int, int, int] | None = None,
                  limit: int = MAX_RESULTS) -> list[Similar]:
    """The passages most like `text`, best first; `where` (source, start, end) is the text's own
    place, left out of the answer."""
    if len(text.split()) < MIN_QUERY:
        return []
    passages, titles = project_passages(project)
    if where is not None:
        source_id, start, end = where
        passages = [p for p in passages if not (p.source_id == source_id and
                                                p.start < end and p.end > start)]
    best = most_alike(passages, text, limit)
    return [Similar(passages[i], titles[passages[i].source_id], score,
                    codes_on(passages[i], viewer)) for i, score in best]


def most_alike(passages: list[Passage], text: str, limit: int) -> list[tuple[int, float]]:
    """(index, cosine) of the passages most like the text, best first, none unlike it."""
    if not passages:
        return []
    vectoriser = Vectoriser().fit([p.text for p in passages] + [text])
    query = vectoriser.vector(text)
    similarity = np.concatenate([rows @ query for rows in
                                 vectoriser.unit_chunks([p.text for p in passages])])
    best = np.argsort(-similarity)[:limit]
    return [(int(i), float(similarity[i])) for i in best if similarity[i] > 0]
