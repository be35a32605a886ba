"""ZIP archives that attack their reader, made in memory in milliseconds, for the tests and
bench/refi_limits.py: zip bombs (bzip2 and deflate, sizes declared honestly or not),
members that overlap, and archives built entry by entry so that any header can lie.

A bzip2 bomb repeats one block: libbzip2 (level 9) packs 45,899,235 zero bytes into a block of
exactly 32 bytes, so blocks follow each other on byte boundaries and a stream of N of them is
"BZh9", the block N times, the end-of-stream mark and the stream's checksum (each block's
checksum folded in). 160 blocks, 5,134 bytes, unpack to 6.8 GiB. The block was taken from
`bz2.compress(bytes(100_000_000), 9)[4:36]`; `test_the_bzip2_block_is_what_libbzip2_makes`
checks it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

BZIP2_BLOCK = bytes.fromhex("3141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a8097")
BZIP2_BLOCK_ZEROS = 45_899_235
BZIP2_BLOCK_CRC = 0x0E09E2DF
_BZIP2_END = bytes.fromhex("177245385090")


def bzip2_zeros(blocks: int) -> bytes:
    """A bzip2 stream of `blocks` × BZIP2_BLOCK_ZEROS zero bytes."""
    combined = 0
    for _ in range(blocks):
        combined = (((combined << 1) | (combined >> 31)) & 0xFFFFFFFF) ^ BZIP2_BLOCK_CRC
    return b"BZh9" + BZIP2_BLOCK * blocks + _BZIP2_END + combined.to_bytes(4, "big")


def deflate_repeated(block: bytes, count: int) -> tuple[bytes, int]:
    """Raw deflate data of `block` `count` times and its CRC-32, made without holding it
    all: each block is compressed after a full flush, so the compressed blocks are alike."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return piece * count + b"\x03\x00", crc


def deflate_zeros(size: int) -> tuple[bytes, int]:
    """Raw deflate data of `size` zero bytes and their CRC-32 (about 1,000 to 1)."""
    block = bytes(2**24)
    count, rest = divmod(size, len(block))
    data, crc = deflate_repeated(block, count)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    return data[:-2] + tail.compress(bytes(rest)) + tail.flush(), zlib.crc32(bytes(rest), crc)


@dataclass
class Entry:
    """One member as it is written: its compressed bytes and what its headers say."""

    name: str
    data: bytes
    method: int = zipfile.ZIP_STORED
    #: the size once unpacked that the headers declare (for stored data: its length)
    size: int | None = None
    crc: int | None = None
    flags: int = 0
    #: the name in the local header, when it is to differ from the directory's
    local_name: str | None = None

    @classmethod
    def stored(cls, name: str, content: bytes) -> Entry:
        return cls(name, content, crc=zlib.crc32(content))

    @classmethod
    def deflated(cls, name: str, content: bytes) -> Entry:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return cls(name, compressor.compress(content) + compressor.flush(),
                   zipfile.ZIP_DEFLATED, len(content), zlib.crc32(content))

    @classmethod
    def packed(cls, name: str, content: bytes, method: int) -> Entry:
        """`content` packed as zipfile packs it with `method` (ZIP's LZMA has a header of
        its own), headers telling the truth."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", method) as archive:
            archive.writestr("x", content)
        with zipfile.ZipFile(out) as archive:
            info = archive.infolist()[0]
        start = info.header_offset + 30 + 1 + len(info.extra)
        data = out.getvalue()[start:start + info.compress_size]
        return cls(name, data, method, len(content), zlib.crc32(content), info.flag_bits)

    @property
    def declared(self) -> int:
        return len(self.data) if self.size is None else self.size


def local_record(entry: Entry) -> bytes:
    """The local header, name and data of `entry`."""
    name = (entry.local_name if entry.local_name is not None else entry.name).encode()
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, entry.flags, entry.method, 0, 0,
                       entry.crc or 0, len(entry.data), entry.declared & 0xFFFFFFFF,
                       len(name), 0) + name + entry.data


def central_record(entry: Entry, offset: int) -> bytes:
    name = entry.name.encode()
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, entry.flags, entry.method,
                       0, 0, entry.crc or 0, len(entry.data), entry.declared & 0xFFFFFFFF,
                       len(name), 0, 0, 0, 0, 0, offset) + name


def archive_of(entries: list[Entry], pointers: list[tuple[Entry, int]] | None = None) -> bytes:
    """A ZIP of `entries` one after another; `pointers` adds directory entries that point
    at any offset (another entry's header: overlapping members)."""
    body, directory = b"", []
    for entry in entries:
        directory.append((entry, len(body)))
        body += local_record(entry)
    directory += pointers or []
    central = b"".join(central_record(entry, offset) for entry, offset in directory)
    count = len(directory) & 0xFFFF  # zipfile reads the directory by its size, not its count
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count,
                      len(central), len(body), 0)
    return body + central + end


def bzip2_bomb(name: str, blocks: int, declared: int | None = None) -> bytes:
    """A ZIP whose one bzip2 member unpacks to `blocks` × 45.9 MB of zeros, declaring
    `declared` (None: the truth)."""
    size = blocks * BZIP2_BLOCK_ZEROS
    return archive_of([Entry(name, bzip2_zeros(blocks), zipfile.ZIP_BZIP2,
                             size if declared is None else declared)])


def deflate_bomb(name: str, size: int, declared: int | None = None) -> bytes:
    """A ZIP whose one deflate member unpacks to `size` zeros, declaring `declared`."""
    data, crc = deflate_zeros(size)
    return archive_of([Entry(name, data, zipfile.ZIP_DEFLATED,
                             size if declared is None else declared, crc)])


def overlapping(first: Entry, second: Entry) -> bytes:
    """Two members whose bytes overlap: `first` (stored) holds `second`'s whole record, which
    the directory also names, so both check out and the one range is unpacked twice."""
    inner = local_record(second)
    outer = Entry.stored(first.name, inner)
    offset = len(local_record(outer)) - len(inner)
    return archive_of([outer], [(second, offset)])
