"""Form pieces shared by every package."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from wtforms import SelectChoice, SelectField


def choices(pairs: list[tuple[str, str]] | dict[str, str]) -> list[SelectChoice]:
    """Select options from (value, label) pairs or a value -> label mapping."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


@cache
def timezone_choices() -> list[SelectChoice]:
    return choices([("UTC", "UTC")] + [
        (name, name.replace("_", " ")) for name in sorted(available_timezones())
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    ])


class TimezoneField(SelectField):
    def __init__(self, label: str = "Time zone", **kwargs: object) -> None:
        super().__init__(label, choices=timezone_choices(), **kwargs)  # type: ignore[arg-type]
