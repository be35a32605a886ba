"""Stable GUIDs: the same object of the same project gets the same GUID in every export, so
two exports can be compared line by line. An object that came from a REFI-QDA file keeps
the GUID it had there (its `guid` column); the others get one derived from their id."""

from __future__ import annotations

import hashlib
import uuid

#: Fieldwork's own namespace for uuid5; never change it, or every GUID changes
NAMESPACE = uuid.UUID("7d1f0c5e-3b0a-5b7e-9a61-2f4c8e0d9b13")
_PREFIX = NAMESPACE.bytes


def _uuid5(name: str) -> str:
    """str(uuid.uuid5(NAMESPACE, name)), computed without building UUID objects: an export
    makes two for each of 100,000 codings."""
    digest = bytearray(hashlib.sha1(_PREFIX + name.encode()).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    hexadecimal = digest[:16].hex()
    return (f"{hexadecimal[:8]}-{hexadecimal[8:12]}-{hexadecimal[12:16]}-"
            f"{hexadecimal[16:20]}-{hexadecimal[20:]}")


def guid(project_id: int, kind: str, key: int | str) -> str:
    """e.g. guid(3, "code", 17): the code 17 of project 3, always the same GUID."""
    return _uuid5(f"{project_id}/{kind}/{key}")


def guid_of(kind: str, key: str) -> str:
    """A GUID that follows from another GUID or a name alone, in any project: e.g. the case
    of a source from the source's GUID, a variable from its name."""
    return _uuid5(f"{kind}/{key}")


def new_guid() -> str:
    """A fresh random GUID, for one that a file uses twice or this project already uses."""
    return str(uuid.uuid4())
