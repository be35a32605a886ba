"""ZIP archives that users send (.qdpx, .xlsx, .docx): checked when they are opened, and
unpacked by counting the bytes that actually come out, never trusting the sizes they declare.

Opening (`SafeZip`) refuses, before anything is unpacked, an archive whose directory holds
more entries than a limit (counted by walking their headers, before zipfile builds an object
for each), whose members declare more than a limit once unpacked (an honest zip bomb is
refused at once) or more than MAX_RATIO times their packed size, whose member names are
empty, repeated, absolute, carry a drive letter or climb out of their folder (`../`:
Fieldwork never writes members to disk, but a name like that only comes from a tool that
means harm), whose local headers disagree with its directory, or whose members overlap: two
entries pointing into the same bytes, the trick of zip bombs that name one compressed stream
thousands of times.

Unpacking (`SafeZip.chunks`, `read`, `copy`) puts a member's compressed bytes through
Fieldwork's own decompressor (stored, deflate, bzip2 or LZMA) a slice at a time, at most
`SLICE` bytes out per step, and counts what comes out. It stops, in words that name the member
and the limit, as soon as a member produces more than it declared, more than MAX_RATIO times
its packed size, more than the limit for one member, or the archive more than its limit for
all members together (or a `Budget` that several reads share). Python's own `zipfile.read`
inflates a member's whole stream in one call before it cuts it to the declared size: a 902-byte
archive whose bzip2 member declares 1,000 bytes took 2.1 GB of memory and 16 s. A checksum
that does not match says the archive is damaged.

`check_archive` (Word and Excel files, which python-docx and openpyxl then read with
`zipfile`) opens the archive and unpacks every member into nothing: once it has passed,
every member is known to unpack to exactly the size it declares, within the limits.
"""

from __future__ import annotations

import bz2
import io
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import PurePosixPath
from typing import IO

_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
#: at most this many bytes come out of one step of a decompressor
SLICE = 1 << 20
#: compressed bytes are read this many at a time
RAW_SLICE = 1 << 16
#: a member may unpack to this many times its packed size at most (past SLICE): deflate can
#: never pass 1,032 to 1 and real texts stay under 20 to 1, while a bzip2 bomb reaches
#: millions to 1
MAX_RATIO = 1_100
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_CENTRAL_SIGNATURE = b"PK\x01\x02"
#: a directory entry's signature and the lengths of its name, extra field and comment
_CENTRAL = struct.Struct("<4s24xHHH12x")
_END_SIGNATURE, _END_SIZE = b"PK\x05\x06", 22
_ZIP64_LOCATOR, _ZIP64_END = b"PK\x06\x07", b"PK\x06\x06"
#: the smallest dictionary liblzma accepts
_LZMA_MIN_DICTIONARY = 4096
_ENCRYPTED, _UTF8_NAME = 0x1, 0x800


class ArchiveError(ValueError):
    """An archive that is refused, said in words."""


class NotZipError(ArchiveError):
    """Bytes that are no ZIP archive at all, or one cut short before its directory."""


@dataclass(frozen=True)
class ArchiveLimits:
    #: the members together once unpacked: what they declare, and what they produce
    max_unpacked: int
    max_members: int
    #: one member once unpacked (None: max_unpacked)
    max_member: int | None = None

    @property
    def member_cap(self) -> int:
        return self.max_unpacked if self.max_member is None else self.max_member


@dataclass
class Budget:
    """Bytes that several reads share and may not pass together, e.g. all the text an import
    holds in memory. `words` says what passed the limit, with {limit} where the limit goes:
    "the project's XML and texts came to more than {limit}, the most it holds in memory"."""

    limit: int
    words: str
    used: int = 0


def count_directory(stream: IO[bytes], most: int) -> int:
    """How many entries the archive's central directory holds, counted up to `most` by
    walking their headers (46 bytes and three lengths each) without building them: zipfile
    builds an object for every entry before anyone can count them, and a directory of
    millions takes gigabytes and minutes. 0 when the directory cannot be found (zipfile then
    says what is wrong)."""
    end = stream.seek(0, io.SEEK_END)
    stream.seek(max(0, end - _END_SIZE - 0xFFFF))
    tail = stream.read()
    found = tail.rfind(_END_SIGNATURE)
    if found < 0 or len(tail) - found < _END_SIZE:
        return 0
    record = end - len(tail) + found
    size = int.from_bytes(tail[found + 12:found + 16], "little")
    directory = record - size
    locator = tail[found - 20:found] if found >= 20 else b""
    if locator[:4] == _ZIP64_LOCATOR:
        stream.seek(int.from_bytes(locator[8:16], "little"))
        zip64 = stream.read(56)
        if zip64[:4] == _ZIP64_END:
            size = int.from_bytes(zip64[40:48], "little")
            directory = record - 20 - 56 - size
    if directory < 0:
        return 0
    count, position, buffer, start = 0, directory, b"", directory
    while count < most and directory <= position < directory + size:
        if position + _CENTRAL.size > start + len(buffer):
            stream.seek(position)
            buffer, start = stream.read(RAW_SLICE), position
        at = position - start
        if len(buffer) - at < _CENTRAL.size:
            break
        signature, name, extra, comment = _CENTRAL.unpack_from(buffer, at)
        if signature != _CENTRAL_SIGNATURE:
            break
        count += 1
        position += _CENTRAL.size + name + extra + comment
    return count


def most_from(member: zipfile.ZipInfo) -> int:
    """The most a member may unpack to for its packed size (MAX_RATIO)."""
    return max(MAX_RATIO * member.compress_size, SLICE)


def size_words(size: int) -> str:
    if size >= 2**30:
        return f"{size / 2**30:.1f} GB"
    if size >= 2**20:
        return f"{size / 2**20:.0f} MB"
    if size >= 2**10:
        return f"{size / 2**10:,.0f} KB"
    return f"{size:,} bytes"


def shown(name: str) -> str:
    """A member's name as a message quotes it: control characters (a NUL, which no database
    text can hold) shown as �, and cut after 120 characters."""
    name = _CONTROL.sub("\ufffd", name)
    return name if len(name) <= 120 else name[:119] + "…"


def in_sentence(what: str) -> str:
    """"The .qdpx" as it reads inside a sentence: "the .qdpx"."""
    return what[:1].lower() + what[1:]


def unsafe_name(name: str) -> bool:
    """Whether a member's name is absolute (/x, C:\\x) or climbs out of its folder (../x)."""
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or bool(_DRIVE.match(name))


@dataclass(frozen=True)
class _Span:
    """Where a member's compressed bytes lie in the archive."""

    start: int
    data: int
    end: int


class SafeZip:
    """A ZIP archive checked when opened (see the module's docstring), whose members are
    unpacked only by counting what they produce. `what` names it in messages ("The .qdpx")."""

    def __init__(self, source: bytes | IO[bytes], what: str, limits: ArchiveLimits) -> None:
        self.what, self.limits = what, limits
        self.stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
        entries = count_directory(self.stream, limits.max_members + 1)
        if entries > limits.max_members:
            raise ArchiveError(f"{what} holds more than {limits.max_members:,} files; Fieldwork "
                               f"opens archives of at most {limits.max_members:,}.")
        try:
            self.zip = zipfile.ZipFile(self.stream)
        except (zipfile.BadZipFile, ValueError, EOFError, OSError, struct.error):
            raise NotZipError(f"{what} is not a ZIP archive (or it is damaged or cut "
                              "short).") from None
        except NotImplementedError:
            raise ArchiveError(f"{what} is a ZIP archive of a kind Fieldwork cannot unpack (or "
                               "it is damaged); save it again.") from None
        self.members = self.zip.infolist()
        self.unpacked = Budget(limits.max_unpacked, "its files came to more than {limit}, the "
                                                    "most it unpacks from one archive")
        self._check_members()
        self._spans = self._find_spans()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.zip.close()

    # --- opening -----------------------------------------------------------------------

    def _check_members(self) -> None:
        what, limits, members = self.what, self.limits, self.members
        if len(members) > limits.max_members:
            raise ArchiveError(f"{what} holds {len(members):,} files; Fieldwork opens archives "
                               f"of at most {limits.max_members:,}.")
        declared = sum(member.file_size for member in members)
        if declared > limits.max_unpacked:
            raise ArchiveError(f"{what} unpacks to {size_words(declared)}, more than the "
                               f"{size_words(limits.max_unpacked)} Fieldwork opens; it may "
                               "be a “zip bomb”.")
        largest = max(members, key=lambda member: member.file_size, default=None)
        if largest is not None and largest.file_size > limits.member_cap:
            raise ArchiveError(self._over_cap(largest, limits.member_cap, largest.file_size))
        packed = next((member for member in members if member.file_size > most_from(member)),
                      None)
        if packed is not None:
            raise ArchiveError(self._too_packed(packed))
        if any(not member.filename for member in members):
            raise ArchiveError(f"{what} is damaged: a file in it has no name. Save or export it "
                               "again.")
        unsafe = next((member.filename for member in members if unsafe_name(member.filename)),
                      None)
        if unsafe is not None:
            raise ArchiveError(f"{what} holds a file named “{shown(unsafe)}”, which points "
                               "outside the archive's folder; it was not opened.")
        names: set[str] = set()
        for member in members:
            if member.filename in names:
                raise ArchiveError(f"{what} holds two files named “{shown(member.filename)}”, "
                                   "so it is not clear which one to read; it was not opened.")
            names.add(member.filename)

    def _find_spans(self) -> dict[int, _Span]:
        """Each member's bytes, from its local header; members that share bytes, or whose
        headers disagree with the directory, are refused."""
        end_of_data = getattr(self.zip, "start_dir", None)
        if end_of_data is None:
            end_of_data = self.stream.seek(0, io.SEEK_END)
        spans: dict[int, _Span] = {}
        for member in self.members:
            self.stream.seek(member.header_offset)
            header = self.stream.read(_LOCAL_HEADER.size)
            if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
                raise ArchiveError(f"{self.what} is damaged: “{shown(member.filename)}” is not "
                                   "where its directory says. Save or export it again.")
            fields = _LOCAL_HEADER.unpack(header)
            name_length, extra_length, flags = fields[10], fields[11], fields[3]
            raw_name = self.stream.read(name_length)
            name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437", "replace")
            if name != member.orig_filename:
                raise ArchiveError(f"{self._damaged(member)[:-1]}: its own header names it "
                                   f"“{shown(name)}”.")
            data = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
            spans[id(member)] = _Span(member.header_offset, data, data + member.compress_size)
        ordered = sorted(self.members, key=lambda member: spans[id(member)].start)
        for before, after in pairwise(ordered):
            if spans[id(after)].start < spans[id(before)].end:
                raise ArchiveError(f"{self.what} is damaged or made to harm: "
                                   f"“{shown(before.filename)}” and “{shown(after.filename)}” "
                                   "share the same bytes (overlapping files, a trick of zip "
                                   "bombs); it was not opened.")
        if ordered and spans[id(ordered[-1])].end > end_of_data:
            raise ArchiveError(f"{self.what} is damaged: “{shown(ordered[-1].filename)}” runs past "
                               "the end of the archive's files. Save or export it again.")
        return spans

    # --- unpacking ---------------------------------------------------------------------

    def _too_packed(self, member: zipfile.ZipInfo) -> str:
        return (f"“{shown(member.filename)}” in {in_sentence(self.what)} unpacks to more than "
                f"{MAX_RATIO:,} times its packed size ({size_words(member.compress_size)}), as "
                "only a “zip bomb” does; it was not opened.")

    def _over_cap(self, member: zipfile.ZipInfo, cap: int, size: int | None = None) -> str:
        how_much = f"to {size_words(size)}, more than" if size is not None else "to more than"
        return (f"“{shown(member.filename)}” in {in_sentence(self.what)} unpacks {how_much} the "
                f"{size_words(cap)} Fieldwork unpacks from one file; it may be a “zip bomb”, "
                "and it was not opened.")

    def _lying(self, member: zipfile.ZipInfo) -> str:
        return (f"“{shown(member.filename)}” in {in_sentence(self.what)} unpacks to more than the "
                f"{size_words(member.file_size)} its header declares; an archive that lies "
                "about its sizes may be a “zip bomb”, and it was not opened.")

    def _damaged(self, member: zipfile.ZipInfo) -> str:
        return (f"“{shown(member.filename)}” in {in_sentence(self.what)} is damaged and cannot be "
                "unpacked.")

    def _raw(self, member: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's compressed bytes, a slice at a time."""
        span = self._spans[id(member)]
        position = span.data
        while position < span.end:
            self.stream.seek(position)
            piece = self.stream.read(min(RAW_SLICE, span.end - position))
            if not piece:
                raise ArchiveError(self._damaged(member))
            position += len(piece)
            yield piece

    def chunks(self, member: zipfile.ZipInfo, cap: int | None = None,
               budget: Budget | None = None) -> Iterator[bytes]:
        """The member's bytes as they are unpacked, each piece counted against the member's
        declared size, `cap` (at most the limit for one member), the archive's limit and
        `budget`. A consumer keeps nothing until the last piece: the checksum is compared
        after it, and a damaged member raises then."""
        cap = self.limits.member_cap if cap is None else min(cap, self.limits.member_cap)
        if member.file_size > cap:
            raise ArchiveError(self._over_cap(member, cap, member.file_size))
        if member.flag_bits & _ENCRYPTED:
            raise ArchiveError(f"{self.what} is protected by a password; save or export it "
                               "again without one.")
        inflate = _INFLATERS.get(member.compress_type)
        if inflate is None:
            raise ArchiveError(f"“{shown(member.filename)}” in {in_sentence(self.what)} uses a "
                               f"compression Fieldwork cannot unpack (method "
                               f"{member.compress_type}); zip it again with ordinary "
                               "compression.")
        produced, checksum, ratio_cap = 0, 0, most_from(member)
        shared = [self.unpacked, *([budget] if budget is not None else [])]
        pieces = inflate(self._raw(member), member)
        while True:
            try:
                piece = next(pieces, None)
            except (zlib.error, lzma.LZMAError, OSError, EOFError, ValueError):
                raise ArchiveError(self._damaged(member)) from None
            if piece is None:
                break
            produced += len(piece)
            if produced > member.file_size:
                raise ArchiveError(self._lying(member))
            if produced > ratio_cap:
                raise ArchiveError(self._too_packed(member))
            for counted in shared:
                counted.used += len(piece)
                if counted.used > counted.limit:
                    raise ArchiveError(self._over_budget(counted, member))
            checksum = zlib.crc32(piece, checksum)
            yield piece
        if produced != member.file_size or checksum != member.CRC:
            raise ArchiveError(self._damaged(member))

    def _over_budget(self, budget: Budget, member: zipfile.ZipInfo) -> str:
        return (f"Fieldwork stopped unpacking {in_sentence(self.what)} at "
                f"“{shown(member.filename)}”: "
                f"{budget.words.format(limit=size_words(budget.limit))}; it may be a “zip "
                "bomb”, and it was not opened.")

    def read(self, member: zipfile.ZipInfo, cap: int | None = None,
             budget: Budget | None = None) -> bytes:
        """The member's bytes, unpacked within the limits (see `chunks`)."""
        return b"".join(self.chunks(member, cap, budget))

    def copy(self, member: zipfile.ZipInfo, out: IO[bytes], cap: int | None = None,
             budget: Budget | None = None) -> int:
        """Unpack the member into `out` (a file: what is written before a refusal is the
        caller's to throw away); returns its size."""
        size = 0
        for piece in self.chunks(member, cap, budget):
            out.write(piece)
            size += len(piece)
        return size

    def verify(self) -> None:
        """Unpack every member into nothing: afterwards each is known to unpack to exactly
        its declared size, within the limits."""
        for member in self.members:
            for _piece in self.chunks(member):
                pass


# --- decompressors: each yields at most SLICE bytes a step ----------------------------------

Inflater = Callable[[Iterator[bytes], zipfile.ZipInfo], Iterator[bytes]]


def _stored(raw: Iterator[bytes], _member: zipfile.ZipInfo) -> Iterator[bytes]:
    yield from raw


def _deflated(raw: Iterator[bytes], _member: zipfile.ZipInfo) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for piece in raw:
        data = piece
        while data and not inflater.eof:
            out = inflater.decompress(data, SLICE)
            data = inflater.unconsumed_tail
            if out:
                yield out
        if inflater.eof:
            return
    while not inflater.eof:
        out = inflater.decompress(b"", SLICE)
        if not out:
            return
        yield out


def _until_end(decompressor: bz2.BZ2Decompressor | lzma.LZMADecompressor,
               raw: Iterator[bytes], first: bytes = b"") -> Iterator[bytes]:
    """Drive a decompressor that keeps its own input (bzip2, LZMA) a slice at a time."""
    pending: bytes | None = first
    while not decompressor.eof:
        if decompressor.needs_input:
            data = pending if pending else next(raw, None)
            pending = None
            if data is None:
                return
        else:
            data = b""
        out = decompressor.decompress(data, SLICE)
        if out:
            yield out


def _bzip2(raw: Iterator[bytes], _member: zipfile.ZipInfo) -> Iterator[bytes]:
    yield from _until_end(bz2.BZ2Decompressor(), raw)


def _lzma(raw: Iterator[bytes], member: zipfile.ZipInfo) -> Iterator[bytes]:
    """ZIP's LZMA: a version (2 bytes), the size of the properties (2), the properties (5:
    lc/lp/pb and the dictionary's size), then raw LZMA1 data. The dictionary is never given
    more room than the member declares to unpack to: an honest member never looks further
    back, and a hostile one cannot make the decoder reserve gigabytes."""
    head = b""
    for piece in raw:
        head += piece
        if len(head) >= 9:
            break
    if len(head) < 9:
        raise lzma.LZMAError("LZMA header cut short")
    properties_size = int.from_bytes(head[2:4], "little")
    if properties_size != 5:
        raise lzma.LZMAError("unexpected LZMA properties")
    packed, dictionary = head[4], int.from_bytes(head[5:9], "little")
    if packed >= 9 * 5 * 5:
        raise lzma.LZMAError("invalid LZMA properties")
    dictionary = max(_LZMA_MIN_DICTIONARY, min(dictionary, member.file_size))
    decoder = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[{
        "id": lzma.FILTER_LZMA1, "dict_size": dictionary, "lc": packed % 9,
        "lp": packed // 9 % 5, "pb": packed // 45}])
    yield from _until_end(decoder, raw, head[9:])


_INFLATERS: dict[int, Inflater] = {zipfile.ZIP_STORED: _stored, zipfile.ZIP_DEFLATED: _deflated,
                                   zipfile.ZIP_BZIP2: _bzip2, zipfile.ZIP_LZMA: _lzma}


def check_archive(data: bytes, what: str, limits: ArchiveLimits) -> None:
    """Refuse the ZIP archive in `data` if it breaks a rule, unpacking every member into
    nothing (see the module's docstring); `what` names it in messages ("The workbook"). Bytes
    that are no ZIP archive at all are left to the reader, which says so in its own words."""
    try:
        archive = SafeZip(data, what, limits)
    except NotZipError:
        return
    with archive:
        archive.verify()
