"""The coding page's text, paragraph by paragraph, as HTML for static/js/coding.js.

Built in Python rather than in the template: a 20,000-word transcript has some 850 segments,
and Jinja's attribute lookups and escaping for each took two thirds of the page's time."""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from markupsafe import Markup

from coding.models import Source


def escape(value: object) -> str:
    """The value as text safe in HTML content and quoted attributes (the standard library's
    escaping: the same characters as Jinja's, several times faster on long text)."""
    return html_escape(str(value))


def clock(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"


def paragraph_html(text: str, paragraph: dict[str, Any], playable: bool) -> str:
    start, end = paragraph["start"], paragraph["end"]
    meta = ""
    if "speaker" in paragraph:
        disabled = "" if playable else " disabled"
        meta = (f'<div class="para-meta"><button type="button" class="link time" '
                f'data-t="{escape(paragraph["t0"])}"{disabled}>{clock(paragraph["t0"])}'
                f'</button> <strong>{escape(paragraph["speaker"])}</strong></div>')
    timing = ""
    if "t0" in paragraph:
        timing = f' data-t0="{escape(paragraph["t0"])}" data-t1="{escape(paragraph["t1"])}"'
    return (f'<div class="para">{meta}<div class="para-row"><p class="para-text" '
            f'data-start="{int(start)}" data-end="{int(end)}"{timing}>{escape(text[start:end])}'
            f'</p><div class="margin" aria-hidden="true"></div></div></div>\n')


def paragraphs_html(source: Source, playable: bool) -> Markup:
    """Each paragraph (or transcript segment) of the source with its offsets, and for a
    transcript its speaker and time, which plays the recording when `playable`."""
    text = source.text
    return Markup("".join(paragraph_html(text, paragraph, playable)
                          for paragraph in source.paragraphs or []))
