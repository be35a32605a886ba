"""Text out of the documents researchers code: DOCX, PDF, plain text, Markdown and HTML.

Every reader returns the document's text as paragraphs separated by blank lines, so that the
coding page shows them as paragraphs and agreement can use them as units; a PDF's pages are
kept apart, so that an excerpt can be cited by its page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

from fieldwork.archives import ArchiveError, ArchiveLimits, check_archive

#: what can be added as a document source, by file name ending
DOCUMENT_TYPES = {
    ".docx": "Word document",
    ".pdf": "PDF",
    ".txt": "Plain text",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".html": "Web page",
    ".htm": "Web page",
}
#: a Word document that unpacks to more than this, or holds more files, is refused
DOCX_LIMITS = ArchiveLimits(max_unpacked=256 * 2**20, max_members=10_000)
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "section", "article", "pre", "td", "th", "dd", "dt"}
_SKIPPED_TAGS = {"script", "style", "head", "template", "noscript"}
#: what pypdf raises for a damaged file, besides its own errors (a stream that inflates past
#: its limit among them), deep in a broken file
PDF_INNER_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError,
                    RecursionError, NotImplementedError)


class ExtractionError(ValueError):
    """A document whose text cannot be read, said in words."""


@dataclass(frozen=True)
class Extracted:
    text: str
    #: (offset, page number) where each page of a PDF begins in the text; none for others
    pages: list[tuple[int, int]]


def extract_text(filename: str, data: bytes) -> str:
    """The text of a document, paragraphs separated by blank lines."""
    return extract_document(filename, data).text


def joined_pages(pages: list[str]) -> Extracted:
    """Pages' texts as one (each normalised, empty ones left out), with where each begins:
    the same text as normalising them joined by blank lines."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for number, page in enumerate(pages, start=1):
        text = normalise_paragraphs(page)
        if not text:
            continue
        if parts:
            offset += 2
        starts.append((offset, number))
        parts.append(text)
        offset += len(text)
    return Extracted("\n\n".join(parts), starts)


def extract_document(filename: str, data: bytes) -> Extracted:
    """The text of a document, paragraphs separated by blank lines, and where its pages
    begin (PDF)."""
    suffix = PurePath(filename).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        known = ", ".join(sorted({s.lstrip(".").upper() for s in DOCUMENT_TYPES}))
        raise ExtractionError(
            f"“{filename}” is not a kind of document Fieldwork can read. Use one of: {known}."
        )
    read = reader(data)
    extracted = (joined_pages(read) if isinstance(read, list)
                 else Extracted(normalise_paragraphs(read), []))
    if not extracted.text:
        raise ExtractionError(
            f"“{filename}” holds no text that can be read"
            + (" (a scanned PDF needs text recognition first)." if suffix == ".pdf" else ".")
        )
    return extracted


def normalise_paragraphs(text: str) -> str:
    """Unify line ends, trim each line, and leave exactly one blank line between paragraphs.
    NUL characters are dropped: no text column of PostgreSQL can hold one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = text.replace("\x00", "")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1250", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def _plain_text(data: bytes) -> str:
    return _decode(data)


def _markdown(data: bytes) -> str:
    """Markdown as the words a reader sees: headings, emphasis and link targets removed."""
    text = _decode(data)
    text = re.sub(r"^[ \t]{0,3}#{1,6}[ \t]*", "", text, flags=re.MULTILINE)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = re.sub(r"^[ \t]{0,3}(?:[-*+]|\d+\.)[ \t]+", "", text, flags=re.MULTILINE)
    text = re.sub(r"^[ \t]{0,3}>[ \t]?", "", text, flags=re.MULTILINE)
    return re.sub(r"`([^`]*)`", r"\1", text)


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def _html(data: bytes) -> str:
    parser = _TextOfHtml()
    parser.feed(_decode(data))
    parser.close()
    return "".join(parser.parts)


# python-docx and pypdf (with lxml and Pillow, 25 MB) are imported by the first document
# that needs them, not by every web process at start
def _docx(data: bytes) -> str:
    import docx

    try:
        check_archive(data, "The Word document", DOCX_LIMITS)
    except ArchiveError as error:
        raise ExtractionError(str(error)) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a damaged file
        raise ExtractionError("The Word document could not be opened; it may be damaged "
                              "or an older .doc file (save it as .docx).") from error
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(paragraphs)


def _pdf(data: bytes) -> list[str]:
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        pages = [] if encrypted else [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, *PDF_INNER_ERRORS) as error:
        raise ExtractionError("The PDF could not be read; it may be damaged.") from error
    if encrypted:
        raise ExtractionError("The PDF is protected by a password; save an unprotected copy "
                              "and add that.")
    return pages


_READERS: dict[str, Callable[[bytes], str | list[str]]] = {
    ".docx": _docx,
    ".pdf": _pdf,
    ".txt": _plain_text,
    ".md": _markdown,
    ".markdown": _markdown,
    ".html": _html,
    ".htm": _html,
}
