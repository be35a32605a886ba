"""What coding does when another package signals a change (see fieldwork.signals)."""

from __future__ import annotations

from typing import Any

from coding import withdrawal
from coding.sources import follow_transcript
from fieldwork.signals import participant_exporting, transcript_saved, withdrawal_applying


def on_transcript_saved(transcript: Any, user: Any = None) -> None:
    follow_transcript(transcript, user)


def on_withdrawal_applying(participant: Any, transcripts: list[Any], delete_transcripts: bool,
                           keep_codings: bool, user: Any = None) -> int:
    return withdrawal.apply_withdrawal(participant, transcripts, delete_transcripts,
                                       keep_codings, user)


def on_participant_exporting(participant: Any, transcripts: list[Any]) -> dict[str, Any]:
    return withdrawal.export_codings(participant, transcripts)


def connect_receivers() -> None:
    """Connect once per process; blinker keeps one connection per receiver."""
    transcript_saved.connect(on_transcript_saved)
    withdrawal_applying.connect(on_withdrawal_applying)
    participant_exporting.connect(on_participant_exporting)
