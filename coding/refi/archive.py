"""The ZIP of a .qdpx: its entries found whatever the case of their folder, read with clear
messages when the archive is damaged, and source texts decoded (UTF-8, with or without a
byte-order mark; UTF-16 when it has one)."""

from __future__ import annotations

import codecs
import io
import zipfile
import zlib
from pathlib import PurePosixPath

from coding.refi.xmlio import RefiError
from fieldwork.archives import ArchiveError, ArchiveLimits, check_zip

#: an archive that unpacks to more than this, or holds more files, is refused
LIMITS = ArchiveLimits(max_unpacked=2 * 2**30, max_members=50_000)


class Archive:
    """A .qdpx's ZIP, its entries found whatever the case of their folder."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, EOFError):
            raise RefiError("This is not a .qdpx file: a .qdpx is a ZIP archive, and this file "
                            "is not one (or it is damaged or cut short).") from None
        except NotImplementedError:
            raise RefiError("The .qdpx is a ZIP archive of a kind Fieldwork cannot unpack (or "
                            "it is damaged); export it again.") from None
        try:
            check_zip(self.zip, "The .qdpx", LIMITS)
        except ArchiveError as error:
            raise RefiError(str(error)) from None
        self.entries = {info.filename.replace("\\", "/").lower(): info
                        for info in self.zip.infolist() if not info.is_dir()}

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
        info = self.entries[name]
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
            raise RefiError(f"{info.filename} in the .qdpx is damaged and cannot be "
                            "unpacked.") from None
        except NotImplementedError:
            raise RefiError(f"{info.filename} in the .qdpx uses a compression Fieldwork cannot "
                            "unpack; zip the folder again with ordinary compression.") from None
        except RuntimeError:
            raise RefiError("The .qdpx is protected by a password; export it again "
                            "without one.") from None

    def text_file(self, path: str) -> tuple[str, bytes] | None:
        """A source's text file named by plainTextPath (internal://x.txt, a bare name, or a
        path from another computer whose file name is looked for in sources/)."""
        name = path.split("://", 1)[-1].replace("\\", "/").strip("/").lower()
        base = PurePosixPath(name).name
        for candidate in (name, f"sources/{name}", f"sources/{base}", base):
            if candidate in self.entries:
                return self.entries[candidate].filename, self.read(candidate)
        return None


def decode_text(data: bytes, what: str) -> str:
    """The text, NUL characters dropped (no text column of PostgreSQL can hold one)."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig").replace("\x00", "")
    except UnicodeDecodeError as error:
        raise RefiError(f"The text of {what} is not {'UTF-16' if utf16 else 'UTF-8'} (at byte "
                        f"{error.start}); REFI-QDA text files must be UTF-8.") from None
