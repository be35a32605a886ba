"""What coding does when another package signals a change (see fieldwork.signals)."""

from __future__ import annotations

from typing import Any

from coding.sources import follow_transcript
from fieldwork.signals import transcript_saved


def on_transcript_saved(transcript: Any, user: Any = None) -> None:
    follow_transcript(transcript, user)


def connect_receivers() -> None:
    """Connect once per process; blinker keeps one connection per receiver."""
    transcript_saved.connect(on_transcript_saved)
