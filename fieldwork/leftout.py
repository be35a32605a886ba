"""What a matrix, retrieval, chart or summary leaves out, said in words with where to fix it.

A feature builds a `LeftOut` for each analysis it shows; `templates/_left_out.html` shows it
the same way everywhere: each omission as "3 coded sources are not linked to a place or
partnership and are not in this matrix: link them", or, when nothing is left out, a sentence
that says what was counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Omission:
    """Something left out: why, in a sentence, and the page where it can be put right."""

    #: e.g. "3 coded sources are not linked to a place or partnership and are not in this
    #: matrix" (no full stop: the fix follows it)
    sentence: str
    #: what the link does, e.g. "link them"; "" when nothing can be done about it here
    fix: str = ""
    #: the fix's endpoint and its arguments (lists become repeated query parameters)
    endpoint: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LeftOut:
    omissions: list[Omission]
    #: what was counted, shown when nothing is left out, e.g. "All 12 coded sources are in
    #: this matrix."
    complete: str = ""


def plural(number: int, singular: str, plural_form: str = "") -> str:
    """"1 coded source", "3 coded sources"."""
    return f"{number:,} {singular if number == 1 else plural_form or singular + 's'}"


def is_are(number: int) -> str:
    return "is" if number == 1 else "are"
