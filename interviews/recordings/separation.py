"""Separating speakers, a transcription job's last phase in the worker: each word gets a
voice (interviews.asr.speakers), a segment is split where the speaker changes, and the
speakers are named (recordings.speakers).

No transaction stays open while voices are compared: the segments are read and the
transaction ended first, and the result is written in a short one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldwork.extensions import db
from interviews.asr.base import Segment, Word
from interviews.asr.speakers import assign_speakers
from interviews.asr.voices.embedding import SpeakersUnavailable
from interviews.recordings.speakers import speaker_names, wanted_speakers
from interviews.transcripts.models import Transcript, TranscriptSegment

log = logging.getLogger(__name__)


def _as_segment(row: TranscriptSegment) -> Segment:
    return Segment(row.start, row.end, row.text, words=[
        Word(word["start"], word["end"], word["text"], word["probability"]) for word in row.words
    ])


def _words(segment: Segment) -> list[dict[str, Any]]:
    return [{"start": w.start, "end": w.end, "text": w.text, "probability": w.probability}
            for w in segment.words]


def _write(transcript: Transcript, kept: list[tuple[list[str], float | None]],
           pieces: list[list[Segment]]) -> None:
    """The transcript's segments become the pieces, each named, each keeping its flags and
    its estimated word error."""
    flat = [piece for split in pieces for piece in split]
    names = speaker_names([p.speaker for p in flat], [p.text for p in flat], transcript.interview)
    db.session.execute(db.delete(TranscriptSegment).where(
        TranscriptSegment.transcript_id == transcript.id))
    db.session.add_all(
        TranscriptSegment(
            transcript_id=transcript.id, position=position, start=piece.start, end=piece.end,
            speaker=names[piece.speaker], text=piece.text, words=_words(piece),
            flags=list(flags), estimated_word_error=estimate,
        )
        for position, (piece, (flags, estimate)) in enumerate(
            (piece, own) for own, split in zip(kept, pieces, strict=True) for piece in split
        )
    )
    db.session.flush()
    db.session.expire(transcript, ["segments"])


def separate_speakers(
    transcript: Transcript, audio: Path, options: dict[str, Any],
    on_progress: Callable[[float], None],
) -> str:
    """Name the speakers of the transcript's segments, splitting a segment where the speaker
    changes (flushed); return what was done, in words, for the transcript's version.
    on_progress may raise to stop the job."""
    rows = list(db.session.scalars(
        db.select(TranscriptSegment).where(TranscriptSegment.transcript_id == transcript.id)
        .order_by(TranscriptSegment.position)
    ))
    if not rows:
        return ""
    segments = [_as_segment(row) for row in rows]
    kept = [(list(row.flags), row.estimated_word_error) for row in rows]
    db.session.commit()  # no transaction (on SQLite, the write lock) while voices are compared
    try:
        pieces = assign_speakers(audio, segments, wanted_speakers(options), on_progress)
    except SpeakersUnavailable as error:
        return f"one speaker: {error}"
    except (MemoryError, OSError, ValueError, RuntimeError) as error:
        log.exception("speaker separation of transcript %s failed", transcript.id)
        return f"one speaker: the speakers could not be told apart ({error})"
    _write(transcript, kept, pieces)
    count = len({piece.speaker for split in pieces for piece in split})
    if count == 1:
        return "one speaker found"
    return f"{count} speakers found (names are a first guess)"
