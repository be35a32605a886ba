"""The starter codebook is complete and usable as highlights."""

import re
from itertools import combinations

from coding.starter import StarterCode, load_starter_codebook

THEMES = {
    "Goals of cities",
    "Areas of cooperation",
    "Success factors",
    "Barriers",
    "Institutionalisation",
    "Coordination with other levels",
    "Perceptions of US partners",
    "Perceptions of Chinese partners",
    "Outcomes",
}


def all_codes() -> list[StarterCode]:
    return [code for top in load_starter_codebook() for code in top.walk()]


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def contrast_with_black(colour: str) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    return (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05) / 0.05


def test_top_level_follows_the_research_themes():
    assert {code.name for code in load_starter_codebook()} == THEMES


def test_areas_of_cooperation_are_all_there():
    (areas,) = [c for c in load_starter_codebook() if c.name == "Areas of cooperation"]
    assert [c.name for c in areas.children] == [
        "Health care",
        "Environment",
        "Science",
        "Business",
        "Tourism",
        "Education",
        "Urban transport",
        "Spatial planning",
        "Culture",
    ]
    (institutions,) = [c for c in load_starter_codebook() if c.name == "Institutionalisation"]
    assert [c.name for c in institutions.children] == [
        "Agreements",
        "Offices abroad",
        "Staff",
        "Budgets",
    ]


def test_names_are_unique_among_siblings():
    def check(siblings):
        names = [code.name.casefold() for code in siblings]
        assert len(names) == len(set(names)), names
        for code in siblings:
            check(code.children)

    check(load_starter_codebook())


def test_every_code_is_fully_described():
    for code in all_codes():
        for text in (code.definition, code.when_to_use, code.when_not_to_use, code.example):
            assert text.strip(), code.name
        assert code.name.strip() == code.name and len(code.name) <= 60


def test_colours_are_valid_distinct_and_readable():
    colours = [code.colour for code in all_codes()]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", colour) for colour in colours)
    assert len(set(colours)) == len(colours)
    for a, b in combinations(colours, 2):
        distance = sum((x - y) ** 2 for x, y in zip(rgb(a), rgb(b), strict=True)) ** 0.5
        assert distance >= 20, (a, b)
    # Dark text on the highlight stays readable (WCAG AA asks for 4.5).
    assert min(contrast_with_black(colour) for colour in colours) >= 6.5
