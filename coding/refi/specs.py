"""What reading a REFI-QDA project gives: plain specs of its users, notes, sources and their
codings, before anything touches the database; and how a source's name and line ends are
settled while it is read."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from coding.refi.codes import CodeSpec, free_name
from coding.refi.media import MediaSpec
from coding.refi.offsets import Finding
from coding.sources import MAX_TITLE as MAX_SOURCE_TITLE

if TYPE_CHECKING:
    from coding.refi.archive import Archive

_CRLF = re.compile("\r\n")
_GUID_NAME = re.compile(r"\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?",
                        re.I)
#: a source without a name is named by this many first words of its text
NAME_WORDS = 8


@dataclass
class UserSpec:
    guid: str
    name: str
    #: the other tool's login or id, sometimes an email address
    login: str


@dataclass
class NoteSpec:
    guid: str
    title: str
    body: str
    author: str
    created: datetime | None
    modified: datetime | None


@dataclass
class CodingSpec:
    #: the GUIDs of the Coding and of the selection that holds it ("" when absent)
    guid: str
    selection_guid: str
    code_guid: str
    start: int
    end: int
    coder: str
    created: datetime | None
    note_guids: list[str]
    #: descriptions of the selection, taken as memo text
    descriptions: list[str]


@dataclass
class SourceSpec:
    guid: str
    name: str
    text: str
    creator: str
    created: datetime | None
    codings: list[CodingSpec] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    description: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    #: for an interview with its recording (AudioSource, VideoSource): the recording and its
    #: transcript's sync points; `text` is the transcript's
    media: MediaSpec | None = None
    #: for a PDF: (offset, number) where each page begins, and its file in the archive
    #: (entry, file name; "" when the archive does not hold it)
    pages: list[tuple[int, int]] = field(default_factory=list)
    original: tuple[str, str] = ("", "")


@dataclass
class ProjectFile:
    name: str
    origin: str
    description: str
    users: dict[str, UserSpec]
    codes: list[CodeSpec]
    sources: list[SourceSpec]
    notes: dict[str, NoteSpec]
    project_notes: list[str]
    skipped: Counter[str]
    #: how the file counts positions, and how that was found
    positions: Finding
    #: the archive it came in, for copying out recordings while they are imported
    archive: Archive | None = None


def pages_of(text: str) -> tuple[str, list[tuple[int, int]]]:
    """A PDF's text version with its pages told apart by form feeds (as pdftotext and
    Fieldwork write them): the text, each form feed a line end, and where each page begins."""
    if "\f" not in text:
        return text, []
    starts = [(0, 1)] + [(match.end(), number) for number, match in
                         enumerate(re.finditer("\f", text), start=2)]
    return text.replace("\f", "\n"), [(start, number) for start, number in starts
                                        if start < len(text)]


class LineEnds:
    """Text with CRLF turned into LF, and positions moved back by the CRs dropped before them."""

    def __init__(self, text: str) -> None:
        self.dropped = [match.start() for match in _CRLF.finditer(text)]
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.original_length = len(text)

    def position(self, original: int) -> int:
        return original - bisect_left(self.dropped, original)


def source_name(given: str, path: str, text: str) -> str:
    """The file's name for a source; else the name of its text file in the archive (unless
    that is only a GUID); else its first words."""
    name = " ".join(given.split())
    if not name and path:
        stem = PurePosixPath(path.split("://", 1)[-1].replace("\\", "/")).stem
        name = "" if _GUID_NAME.fullmatch(stem) else " ".join(stem.split())
    if not name:
        words = text.split()
        name = " ".join(words[:NAME_WORDS]) + ("…" if len(words) > NAME_WORDS else "")
    name = name or "Empty source"
    return name if len(name) <= MAX_SOURCE_TITLE else name[:MAX_SOURCE_TITLE - 1] + "…"


def unique_names(sources: list[SourceSpec]) -> None:
    """Give a source whose name another has (any case) a number: “Notes (2)”."""
    taken = {source.name.casefold() for source in sources}
    seen: set[str] = set()
    for source in sources:
        if source.name.casefold() in seen:
            source.name = free_name(source.name, taken, MAX_SOURCE_TITLE)
            taken.add(source.name.casefold())
        seen.add(source.name.casefold())
