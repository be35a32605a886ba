"""The starter codebook: this research's themes as a tree of codes a lead can load.

The codes come from the project's research questions: what cities want from partnerships
with American and Chinese cities, where they cooperate, what makes it work or fail, how it is
institutionalised and coordinated with other levels, how partners are perceived, and what it
produced. The examples are invented, generic quotes that show the kind of passage meant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class StarterCode:
    name: str
    definition: str
    when_to_use: str
    when_not_to_use: str
    example: str
    #: highlight colour, "#RRGGBB", light enough for dark text on it
    colour: str
    children: tuple[StarterCode, ...] = ()

    def walk(self) -> list[StarterCode]:
        """This code and all codes under it, parents first."""
        codes = [self]
        for child in self.children:
            codes.extend(child.walk())
        return codes


def load_starter_codebook() -> list[StarterCode]:
    """The top-level codes of the starter codebook, each with its children."""
    data = resources.files("coding").joinpath("data/starter_codebook.json").read_text("utf-8")
    return [_code(entry) for entry in json.loads(data)]


def _code(entry: dict) -> StarterCode:
    return StarterCode(
        name=entry["name"],
        definition=entry["definition"],
        when_to_use=entry["when_to_use"],
        when_not_to_use=entry["when_not_to_use"],
        example=entry["example"],
        colour=entry["colour"],
        children=tuple(_code(child) for child in entry.get("children", ())),
    )
