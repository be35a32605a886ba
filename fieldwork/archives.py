"""ZIP archives that users send (.qdpx, .xlsx, .docx), checked before anything unpacks them.

An archive is refused when it would unpack to more than a limit (a zip bomb), when it holds
more members than a limit, or when a member's name is absolute or climbs out of its folder
(`../`): Fieldwork never writes members to disk, but a name like that only comes from a
tool that means harm. Declared sizes cannot lie past this check: `zipfile` stops reading a
member at its declared size and then fails its checksum.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

_DRIVE = re.compile(r"[A-Za-z]:")


class ArchiveError(ValueError):
    """An archive that is refused, said in words."""


@dataclass(frozen=True)
class ArchiveLimits:
    #: the members' sizes once unpacked, added up
    max_unpacked: int
    max_members: int


def check_archive(data: bytes, what: str, limits: ArchiveLimits) -> None:
    """Refuse the ZIP archive in `data` if it breaks a rule; `what` names it in messages
    ("The workbook"). Bytes that are no ZIP archive at all are left to the reader, which
    says so in its own words."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        return
    except NotImplementedError:
        raise ArchiveError(f"{what} is a ZIP archive of a kind Fieldwork cannot unpack (or "
                           "it is damaged); save it again.") from None
    with archive:
        check_zip(archive, what, limits)


def check_zip(archive: zipfile.ZipFile, what: str, limits: ArchiveLimits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise ArchiveError(f"{what} holds {len(members):,} files; Fieldwork opens archives "
                           f"of at most {limits.max_members:,}.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked:
        raise ArchiveError(f"{what} unpacks to {size_words(unpacked)}, more than the "
                           f"{size_words(limits.max_unpacked)} Fieldwork opens; it may be "
                           "a “zip bomb”.")
    if any(not member.filename for member in members):
        raise ArchiveError(f"{what} is damaged: a file in it has no name. Save or export it "
                           "again.")
    unsafe = next((member.filename for member in members if unsafe_name(member.filename)),
                  None)
    if unsafe is not None:
        raise ArchiveError(f"{what} holds a file named “{unsafe}”, which points outside the "
                           "archive's folder; it was not opened.")


def unsafe_name(name: str) -> bool:
    """Whether a member's name is absolute (/x, C:\\x) or climbs out of its folder (../x)."""
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or bool(_DRIVE.match(name))


def size_words(size: int) -> str:
    if size >= 2**30:
        return f"{size / 2**30:.1f} GB"
    return f"{size / 2**20:.0f} MB"
