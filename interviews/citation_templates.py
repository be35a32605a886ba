"""Citation templates: the lead's form of a citation ("{who} ({date}) [{code}, {locator}]" by
default, an author-date form), checked when saved and filled in for each excerpt, a part
without a value leaving no stray punctuation behind."""

from __future__ import annotations

import re
from functools import lru_cache

#: the parts a citation template may use
FIELDS = ("who", "date", "code", "locator", "speaker")
DEFAULT_TEMPLATE = "{who} ({date}) [{code}, {locator}]"
MAX_TEMPLATE = 200
#: marks a part left empty while the punctuation around it is tidied
EMPTY = "\x01"
_FIELD = re.compile(r"\{(\w*)\}")


class CitationError(ValueError):
    """Citation settings that cannot be saved, said in words, with the field that is wrong."""

    def __init__(self, message: str, field: str = "citation_template") -> None:
        super().__init__(message)
        self.field = field


def sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def tidy(text: str) -> str:
    """The template's punctuation next to parts left empty (marked EMPTY) removed, and
    brackets left empty: "X, EMPTY [EMPTY, 00:14:32]" → "X [00:14:32]"."""
    text = re.sub(rf"\s*[,;:]\s*{EMPTY}", "", text)
    text = re.sub(rf"{EMPTY}\s*[,;:]\s*", "", text)
    text = text.replace(EMPTY, "")
    text = re.sub(r"\s*(\(\s*\)|\[\s*\])", "", text)
    return re.sub(r" {2,}", " ", text).strip()


#: stands for a part filled in later (coding.citations: the locator of each excerpt)
LATER = "\x02"


def render(template: str, values: dict[str, str]) -> str:
    """The template with its parts filled in; a part without a value leaves no stray
    punctuation. The values' own text is never changed."""
    return sentence_start(render_partly(template, values))


def render_partly(template: str, values: dict[str, str]) -> str:
    """As render, without the capital at the start: a value may be LATER, to be replaced by
    its text afterwards (then made a sentence's start)."""
    present = frozenset(name for name, value in values.items() if value)
    text = tidied(template, present)
    for name in present:
        text = text.replace(f"\x00{name}\x00", without_markers(values[name]))
    return text


def without_markers(value: str) -> str:
    """A value without the control characters that mark a part (\x00) or the locator still
    to come (LATER): a speaker label or code typed with them would otherwise be filled in, or
    have the locator put inside it."""
    if value == LATER:
        return value
    return value.replace("\x00", "").replace(LATER, "")


@lru_cache(maxsize=256)
def tidied(template: str, present: frozenset[str]) -> str:
    """The template with the parts that have a value marked (\x00name\x00) and the others
    tidied away: the same for every excerpt with the same parts, so worked out once."""
    return tidy(_FIELD.sub(lambda match: f"\x00{match.group(1)}\x00"
                           if match.group(1) in present else EMPTY, template))


def check_template(template: str) -> str:
    """The template with its spaces tidied, or a CitationError saying what is wrong."""
    template = " ".join(template.split())
    parts = ", ".join(f"{{{name}}}" for name in FIELDS)
    if not template:
        raise CitationError(f"Give a template, e.g. {DEFAULT_TEMPLATE}.")
    if len(template) > MAX_TEMPLATE:
        raise CitationError(f"A template can have at most {MAX_TEMPLATE} characters.")
    for name in _FIELD.findall(template):
        if name not in FIELDS:
            raise CitationError(f"{{{name}}} is not a part of a citation: use {parts}.")
    if "{" in _FIELD.sub("", template) or "}" in _FIELD.sub("", template):
        raise CitationError(f"Braces may only enclose a part of the citation: {parts}.")
    if "{who}" not in template:
        raise CitationError("The template needs {who}: it is who is quoted (for an anonymous "
                            "participant, their code).")
    return template
