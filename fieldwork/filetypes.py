"""What a file is, found from its first bytes (magic numbers), never from the type the
uploader's browser declared: an upload declared `audio/wav` may hold a web page.

Only the types Fieldwork may serve inline need to be right (audio and video, which the
browser plays and never renders as a page); the others go out as downloads, so a type
that is not recognised is simply `application/octet-stream`. Plain Python, so the web
process never loads PyAV to tell what a file is.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

#: enough for every signature below, and for the first page of an Ogg or WebM file
HEAD_BYTES = 4096
OCTET_STREAM = "application/octet-stream"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: control characters that plain text holds: tab, line feed, form feed, carriage return
TEXT_CONTROLS = frozenset(b"\t\n\f\r")
#: text types by the file name's suffix, for files whose bytes are plain text
TEXT_SUFFIXES = {".csv": "text/csv", ".md": "text/markdown", ".ics": "text/calendar"}
#: ISO base media brands of audio-only files (iTunes audio and audiobooks)
AUDIO_MP4_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ")
#: codec ids of video tracks in WebM and Matroska files
MATROSKA_VIDEO_CODECS = (b"V_VP8", b"V_VP9", b"V_AV1", b"V_MPEG", b"V_THEORA")


def _mp4(head: bytes) -> str:
    brand = head[8:12]
    if brand in AUDIO_MP4_BRANDS:
        return "audio/mp4"
    return "video/quicktime" if brand == b"qt  " else "video/mp4"


def _ogg(head: bytes) -> str:
    return "video/ogg" if b"\x80theora" in head else "audio/ogg"


def _matroska(head: bytes) -> str:
    """WebM or Matroska; a video track's codec id starts with V_ (V_VP8, V_AV1 ...)."""
    video = any(codec in head for codec in MATROSKA_VIDEO_CODECS)
    if b"webm" in head:
        return "video/webm" if video else "audio/webm"
    return "video/x-matroska" if video else "audio/x-matroska"


def _mpeg_audio(head: bytes) -> str | None:
    """An MPEG audio frame: MP3 (layers I-III), or AAC in ADTS frames (layer bits 00)."""
    if len(head) < 2 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    if head[1] & 0x06 == 0:
        return "audio/aac" if head[1] & 0xF0 == 0xF0 else None
    return "audio/mpeg"


def _text(head: bytes) -> str | None:
    """Valid UTF-8 without control characters: plain text (or HTML, which downloads as text)."""
    if not head:
        return None
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if all(ord(char) >= 32 or ord(char) in TEXT_CONTROLS for char in text):
            return "text/plain"
        return None
    return None


#: types told by the bytes a file starts with
PREFIXES = {
    b"ID3": "audio/mpeg",
    b"fLaC": "audio/flac",
    b"#!AMR": "audio/amr",
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
#: types of RIFF and IFF files, by the form named at bytes 8 to 12
FORMS = {
    (b"RIFF", b"WAVE"): "audio/wav",
    (b"RIFF", b"AVI "): "video/x-msvideo",
    (b"FORM", b"AIFF"): "audio/aiff",
    (b"FORM", b"AIFC"): "audio/aiff",
}


def _container(head: bytes) -> str | None:
    """Containers whose signature is more than a prefix."""
    if (head[:4], head[8:12]) in FORMS:
        return FORMS[head[:4], head[8:12]]
    if head[4:8] == b"ftyp":
        return _mp4(head)
    if head.startswith(b"OggS"):
        return _ogg(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _matroska(head)
    return None


def sniff(head: bytes) -> str:
    """The type of a file that starts with `head` (at least its first HEAD_BYTES)."""
    for prefix, kind in PREFIXES.items():
        if head.startswith(prefix):
            return kind
    return _container(head) or _mpeg_audio(head) or _text(head) or OCTET_STREAM


def zip_type(path: Path) -> str:
    """A Word or Excel file, or another zip archive, from the names of its members."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, struct.error):
        # damaged, cut short, or of a zip version Python cannot read: not a document we know
        return OCTET_STREAM
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return "application/zip"


def detect_type(path: Path) -> str:
    """The type of the file at `path`, from its bytes."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return zip_type(path)
    return sniff(head)


def named_text_type(kind: str, filename: str) -> str:
    """Plain text whose name says it is a table or Markdown is sent as such, so that a
    spreadsheet opens a CSV: it downloads all the same, never shown as a page."""
    if kind != "text/plain":
        return kind
    return TEXT_SUFFIXES.get(Path(filename).suffix.lower(), kind)


def playable(kind: str) -> bool:
    """Whether a browser given this type plays the file rather than render it as a page."""
    return kind.startswith(("audio/", "video/"))
