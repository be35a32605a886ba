"""The request every view reads: text sent in forms, query strings and JSON without NUL.

PostgreSQL cannot store the NUL character in text, and no one means to type it; it arrives
with text pasted from a damaged PDF or with a hand-made request. Dropping it here keeps the
rest of what was sent instead of failing the whole save.
"""

from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

NUL = "\x00"


def without_nul(value: Any) -> Any:
    """The value with NUL removed from every string in it, however deeply nested."""
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def multidict_without_nul(values: MultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict(
        [(without_nul(key), without_nul(value)) for key, value in values.items(multi=True)]
    )


class FieldworkRequest(Request):
    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = multidict_without_nul(self.form)

    @property
    def args(self) -> ImmutableMultiDict[str, str]:
        if "_clean_args" not in self.__dict__:
            self.__dict__["_clean_args"] = multidict_without_nul(super().args)
        return self.__dict__["_clean_args"]

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        return without_nul(super().get_json(force=force, silent=silent, cache=cache))
