"""How files leave Fieldwork: the download header that keeps a file's name as it is (RFC 6266
with RFC 5987's `filename*`, and a plain ASCII name for older programs), file names made from
titles without losing their letters."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fieldwork.folding import UNDECOMPOSED

#: what RFC 5987 allows unencoded in a `filename*` value (attr-char)
_ATTR_CHARS = "!#$&+-.^_`|~"
_NOT_IN_NAMES = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def ascii_name(filename: str) -> str:
    """The name in ASCII for programs that cannot read `filename*`: accents dropped ("Łódź"
    is "Lodz"), other letters and what a header or a file system cannot take become "-"."""
    letters = unicodedata.normalize("NFKD", filename.translate(UNDECOMPOSED))
    plain = "".join(c if c.isascii() else "-" for c in letters if not unicodedata.combining(c))
    stem, dot, extension = _NOT_IN_NAMES.sub("-", plain).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    stem = re.sub(r"-{2,}", "-", stem).strip(" -.")
    if not stem.strip("-_ "):
        stem = "download"
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename: str, inline: bool = False) -> str:
    """e.g. `attachment; filename="lodz.pdf"; filename*=UTF-8''%C5%82%C3%B3d%C5%BA.pdf` for
    "łódź.pdf"."""
    name = _NOT_IN_NAMES.sub("-", filename).strip() or "download"
    shown = "inline" if inline else "attachment"
    return (f'{shown}; filename="{ascii_name(name)}"; '
            f"filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}")


def attachment(filename: str) -> dict[str, str]:
    """The headers of a download named `filename`."""
    return {"Content-Disposition": content_disposition(filename)}


def slug(text: str, default: str = "project") -> str:
    """e.g. "łódź-miasta" for "Łódź — miasta": lower case, words joined by hyphens, letters
    of every alphabet kept (the header's ASCII name drops their accents)."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-") or default
