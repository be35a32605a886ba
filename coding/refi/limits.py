"""What Fieldwork reads from one REFI-QDA file at most, from the server's settings.

A .qdc, and the project's XML and each source's text inside a .qdpx, are read into memory:
each at most REFI_FILE_MB once unpacked, and all of one .qdpx together at most REFI_TEXT_MB.
Everything unpacked from one .qdpx, recordings included, comes to at most REFI_UNPACKED_MB,
and a recording may be as large as an upload (MAX_UPLOAD_MB). The XML of one file holds at
most REFI_XML_ELEMENTS elements, nested at most MAX_DEPTH deep, and no attribute longer than
MAX_ATTRIBUTE characters. Sizes are counted as the bytes come out of the decompressor, never
taken from the archive's headers (fieldwork.archives).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_app_context

from fieldwork.config import SETTINGS

#: files in one .qdpx
MAX_MEMBERS = 50_000
#: elements inside each other: a project, its codebook, codes and sources take a few levels,
#: a code tree a level for each of its own
MAX_DEPTH = 100
#: characters in one attribute: names, GUIDs, paths, dates and numbers are far shorter
MAX_ATTRIBUTE = 100_000
MB = 2**20


@dataclass(frozen=True)
class RefiLimits:
    #: one .qdc, or one file of a .qdpx read into memory, once unpacked (bytes)
    file: int
    #: all that is read into memory from one .qdpx (bytes)
    text: int
    #: all that is unpacked from one .qdpx (bytes)
    unpacked: int
    #: one recording inside a .qdpx (bytes)
    recording: int
    #: XML elements in one file
    elements: int
    members: int = MAX_MEMBERS


def refi_limits() -> RefiLimits:
    """The limits of this server (the settings' defaults outside an application)."""
    if has_app_context():
        config = current_app.config
    else:
        config = {key: setting.default for key, setting in SETTINGS.items()}
    return RefiLimits(file=config["REFI_FILE_MB"] * MB, text=config["REFI_TEXT_MB"] * MB,
                      unpacked=config["REFI_UNPACKED_MB"] * MB,
                      recording=config["MAX_UPLOAD_MB"] * MB,
                      elements=config["REFI_XML_ELEMENTS"])
