"""Telling what a file is from its bytes: recorders' and phones' formats, documents, and
files that claim to be one thing and hold another."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import docx
import openpyxl
import pytest

from fieldwork.filetypes import (
    DOCX,
    OCTET_STREAM,
    XLSX,
    detect_type,
    named_text_type,
    playable,
    sniff,
)
from tests.audio import convert


def wav_bytes(frames: bytes = b"\x80" * 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(frames)
    return buffer.getvalue()


@pytest.mark.parametrize(("extension", "kind"), [
    ("mp3", "audio/mpeg"), ("m4a", "audio/mp4"), ("ogg", "audio/ogg"), ("opus", "audio/ogg"),
    ("webm", "audio/webm"), ("flac", "audio/flac"), ("aac", "audio/aac"), ("mp4", "video/mp4"),
])
def test_recorders_formats_are_told_by_their_bytes(tmp_path: Path, extension: str,
                                                    kind: str) -> None:
    source = tmp_path / "tone.wav"
    source.write_bytes(wav_bytes())
    made = convert(source, tmp_path / f"tone.{extension}")
    assert detect_type(made) == kind
    assert playable(kind)


def test_a_wav_that_holds_a_web_page_is_a_wav() -> None:
    page = b"<html><body><form><input type=password></form></body></html>"
    assert sniff(wav_bytes(page * 100)) == "audio/wav"


def test_documents_and_other_files(tmp_path: Path) -> None:
    docx.Document().save(tmp_path / "a.docx")
    openpyxl.Workbook().save(tmp_path / "a.xlsx")
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7\n...")
    (tmp_path / "a.html").write_text("<!doctype html><form><input name=password></form>")
    (tmp_path / "a.txt").write_text("Zażółć gęślą jaźń — 城市外交\n" * 400)
    (tmp_path / "a.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "a.zip").write_bytes(b"PK\x03\x04 not really a zip")
    assert {path.name: detect_type(path) for path in sorted(tmp_path.iterdir())} == {
        "a.bin": OCTET_STREAM, "a.docx": DOCX, "a.html": "text/plain",
        "a.pdf": "application/pdf", "a.txt": "text/plain", "a.xlsx": XLSX,
        "a.zip": OCTET_STREAM, "empty": OCTET_STREAM,
    }
    assert not any(playable(detect_type(path)) for path in tmp_path.iterdir())


def test_text_named_as_a_table_downloads_as_one() -> None:
    assert named_text_type("text/plain", "codings.csv") == "text/csv"
    assert named_text_type("text/plain", "chapter.MD") == "text/markdown"
    assert named_text_type("text/plain", "notes.txt") == "text/plain"
    assert named_text_type("audio/wav", "codings.csv") == "audio/wav"
