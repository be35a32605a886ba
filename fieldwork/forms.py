"""Form pieces shared by every package."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from wtforms import Form, SelectChoice, SelectField, SelectMultipleField, ValidationError


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


class SeveralField(SelectMultipleField):
    """A list to choose several from, which says in words why a value it did not offer
    (e.g. a person whose role changed since the page was loaded) cannot be chosen."""

    def __init__(self, label: str, not_offered: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.not_offered = not_offered

    def pre_validate(self, form: Form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.not_offered) from None
