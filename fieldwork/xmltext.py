"""Text for the XML of the files Fieldwork writes (Word, XLSX, REFI-QDA): the characters XML
1.0 cannot carry at all are taken out, and text is escaped for an element or an attribute."""

from __future__ import annotations

import re

#: characters XML 1.0 cannot carry (a lone surrogate in a Python string is one, which UTF-8
#: cannot carry either)
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """The text without the characters XML cannot carry."""
    return NOT_IN_XML.sub("", text)


def escaped_text(text: str) -> str:
    """Text for an element (a carriage return stays one, as a character reference: a parser
    would make it a line feed). Chained replace: several times faster than str.translate
    on the megabytes of an export's sheet."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        "\r", "&#13;")


def escaped_attribute(text: str) -> str:
    """Text for an attribute's value in double quotes (line feeds and tabs as references:
    a parser would make them spaces)."""
    return escaped_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace(
        "\t", "&#9;")
