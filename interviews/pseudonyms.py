"""The pseudonym rule a lead sets per project, e.g. "{country}-{orgtype}-{n:02}" -> EU-COM-03."""

from __future__ import annotations

from string import Formatter

FIELDS = frozenset({"country", "orgtype", "n"})
DEFAULT_PATTERN = "{country}-{orgtype}-{n:02}"


class PatternError(ValueError):
    """A pseudonym pattern that cannot make pseudonyms."""


def check_pattern(pattern: str) -> None:
    """Refuse a pattern with unknown fields, without {n}, or that does not format."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(pattern) if name is not None}
    except ValueError:
        raise PatternError("The pattern has an unmatched { or }.") from None
    unknown = names - FIELDS
    if unknown:
        raise PatternError(
            f"Unknown field(s) {', '.join(sorted(unknown))}: use {{country}}, {{orgtype}} "
            "and {n}."
        )
    if "n" not in names:
        raise PatternError("The pattern needs {n} (the running number), e.g. {n:02}.")
    try:
        render_pseudonym(pattern, "PL", "CITY", 1)
    except (ValueError, IndexError, KeyError):
        raise PatternError("The pattern does not format; try {country}-{orgtype}-{n:02}.") from None


def render_pseudonym(pattern: str, country: str, orgtype: str, n: int) -> str:
    return pattern.format(country=country, orgtype=orgtype, n=n)
