"""The ZIP of a .qdpx: its entries found whatever the case of their folder, unpacked within
the server's limits (coding.refi.limits) by counting the bytes that come out, with clear
messages when the archive is damaged or hostile, and source texts decoded (UTF-8, with or
without a byte-order mark; UTF-16 when it has one)."""

from __future__ import annotations

import codecs
import io
from pathlib import PurePosixPath
from typing import IO

from coding.refi.limits import RefiLimits, refi_limits
from coding.refi.xmlio import RefiError
from fieldwork.archives import (
    ArchiveError,
    ArchiveLimits,
    Budget,
    NotZipError,
    SafeZip,
    shown,
    size_words,
)


class Archive:
    """A .qdpx's ZIP, its entries found whatever the case of their folder. What is read into
    memory (`read`, `text_file`) is at most `limits.file` a file and `limits.text` in all;
    a recording copied out (`copy`) at most `limits.recording`; all together at most
    `limits.unpacked`."""

    def __init__(self, data: bytes | IO[bytes], limits: RefiLimits | None = None) -> None:
        self.limits = limits or refi_limits()
        try:
            self.zip = SafeZip(data, "The .qdpx", ArchiveLimits(
                max_unpacked=self.limits.unpacked, max_members=self.limits.members,
                max_member=max(self.limits.file, self.limits.recording)))
        except NotZipError:
            raise RefiError("This is not a .qdpx file: a .qdpx is a ZIP archive, and this file "
                            "is not one (or it is damaged or cut short).") from None
        except ArchiveError as error:
            raise RefiError(str(error)) from None
        self.entries = {}
        for info in self.zip.members:
            if info.is_dir():
                continue
            name = info.filename.replace("\\", "/").lower()
            if name in self.entries:
                raise RefiError(f"The .qdpx holds two files named “{shown(info.filename)}” and "
                                f"“{shown(self.entries[name].filename)}”, so it is not clear which "
                                "one to read; it was not opened.")
            self.entries[name] = info
        self.in_memory = Budget(self.limits.text, "the project's XML and texts came to more "
                                                  "than {limit}, the most it holds in memory "
                                                  "from one archive")

    def project_entry(self) -> str:
        found = sorted(name for name in self.entries if name.endswith(".qde"))
        if "project.qde" in found:
            return "project.qde"
        if len(found) == 1:
            return found[0]
        if not found:
            raise RefiError("The .qdpx holds no project.qde (the project's XML): it may be "
                            "another kind of ZIP file.")
        raise RefiError(f"The .qdpx holds several project files ({', '.join(found)}); "
                        "export one project per file.")

    def read(self, name: str) -> bytes:
        """An entry read into memory: the project's XML or a source's text."""
        try:
            return self.zip.read(self.entries[name], self.limits.file, self.in_memory)
        except ArchiveError as error:
            raise RefiError(str(error)) from None

    def copy(self, name: str, out: IO[bytes]) -> int:
        """An entry (a recording) unpacked into the file `out`; returns its size. After a
        RefiError, what was written is the caller's to throw away."""
        try:
            return self.zip.copy(self.entries[name], out, self.limits.recording)
        except ArchiveError as error:
            raise RefiError(str(error)) from None

    def find(self, path: str) -> str | None:
        """The entry a source's path names (internal://x.txt, a bare name, or a path from
        another computer whose file name is looked for in sources/)."""
        name = path.split("://", 1)[-1].replace("\\", "/").strip("/").lower()
        base = PurePosixPath(name).name
        return next((candidate for candidate in (name, f"sources/{name}", f"sources/{base}",
                                                 base) if candidate in self.entries), None)

    def text_file(self, path: str) -> tuple[str, bytes] | None:
        """A source's text file named by plainTextPath (see `find`)."""
        entry = self.find(path)
        return None if entry is None else (self.entries[entry].filename, self.read(entry))


def decode_text(data: bytes, what: str) -> str:
    """The text, NUL characters dropped (no text column of PostgreSQL can hold one)."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig").replace("\x00", "")
    except UnicodeDecodeError as error:
        encoding = "UTF-16" if utf16 else "UTF-8"
        raise RefiError(f"The text of {shown(what)} is not {encoding} (at byte {error.start}); "
                        "REFI-QDA text files must be UTF-8.") from None


def head_of(data: bytes | IO[bytes]) -> bytes:
    """The first 4 KiB of a file in memory or open (read from its start, left at its start)."""
    if isinstance(data, bytes | bytearray):
        return bytes(data[:4096])
    data.seek(0)
    head = data.read(4096)
    data.seek(0)
    return head


def whole(data: bytes | IO[bytes], what: str) -> bytes:
    """An XML file's bytes, read only when they are within the server's limit."""
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    size, limit = data.seek(0, io.SEEK_END), refi_limits().file
    data.seek(0)
    if size > limit:
        raise RefiError(f"{what} is {size_words(size)} of XML, more than the "
                        f"{size_words(limit)} Fieldwork reads from one file; it was not read.")
    return data.read()
