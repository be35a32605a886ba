"""Factories for the coding tests: sources, codes and codings."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coding.codebook import CodeFields, create_code
from coding.codings import apply_codes
from coding.models import Code, Coding, Source
from coding.sources import document_paragraphs
from fieldwork.extensions import db
from fieldwork.models import Project, User

POLISH = ("Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku.\n\n"
          "Urząd miasta ma jedną osobę do spraw partnerstw zagranicznych.")
CZECH = "Spolupráce Brna s čínskými městy se zpomalila; ministerstvo chce být informováno."
CHINESE = "广州与弗罗茨瓦夫于2015年签署友好城市协议。双方在教育和交通领域合作。"


@pytest.fixture
def make_source(project: Project, people: dict[str, User]) -> Callable[..., Source]:
    def make(text: str = POLISH, title: str = "Notes", in_project: Project | None = None) -> Source:
        source = Source(project_id=(in_project or project).id, kind="document", title=title,
                        text=text, paragraphs=document_paragraphs(text),
                        created_by_id=people["lead"].id)
        db.session.add(source)
        db.session.flush()
        return source

    return make


@pytest.fixture
def make_code(project: Project, people: dict[str, User]) -> Callable[..., Code]:
    def make(name: str, parent: Code | None = None, **fields: str) -> Code:
        return create_code(project, CodeFields(name=name, **fields),
                           parent.id if parent else None, people["lead"])

    return make


@pytest.fixture
def code_words(people: dict[str, User]) -> Callable[..., Coding]:
    """Code the first occurrence of `words` in the source."""

    def make(source: Source, code: Code, words: str, coder: str = "coder") -> Coding:
        start = source.text.index(words)
        (coding,) = apply_codes(source, [code.id], start, start + len(words),
                                source.text_version, people[coder])
        return coding

    return make
