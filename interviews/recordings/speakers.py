"""Speakers in a transcription job: how many to look for (the job's "speakers" option),
separating them as the job's last phase, and naming them.

Names are a first guess that the editor's "Relabel" changes everywhere at once: with two or
more speakers, the one who asks the most questions (on a tie, whoever speaks first) is the
Interviewer; when the interview has one participant and the recording two speakers, the
other is that participant's pseudonym; anyone else is Speaker 2, Speaker 3...
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldwork.extensions import db
from interviews.asr.base import Segment, Word
from interviews.asr.speakers import assign_speakers
from interviews.asr.voices.embedding import SpeakersUnavailable, voices_available
from interviews.models import Interview
from interviews.recordings.models import ONE_SPEAKER
from interviews.transcripts.models import Transcript, TranscriptSegment

log = logging.getLogger(__name__)

SPEAKER_CHOICES = {
    "1": "One speaker",
    "2": "Two speakers",
    "3": "Three speakers",
    "detect": "Find out how many (two or more)",
}
DEFAULT_SPEAKER = "Speaker 1"
INTERVIEWER = "Interviewer"
QUESTION_MARKS = ("?", "？")


def default_speakers(interview: Interview) -> str:
    """The interviewer and the interview's participants, two or three in all."""
    return str(min(1 + max(len(interview.participants), 1), 3))


def wanted_speakers(options: dict[str, Any]) -> int | None:
    """How many speakers a job's options ask for; None: find out."""
    value = str(options.get("speakers") or ONE_SPEAKER)
    return None if value == "detect" else int(value)


def unavailable_note() -> str:
    """Said next to the option when this server cannot tell voices apart."""
    if voices_available():
        return ""
    return (
        "Speaker separation by voice is missing from this server's installation (its voice "
        "encoder file), so the transcript will have one speaker (a stereo recording with one "
        "person on each channel is still separated). An administrator can install Fieldwork "
        "again to restore it."
    )


def is_question(text: str) -> bool:
    return text.rstrip().endswith(QUESTION_MARKS)


def speaker_names(numbers: list[int], texts: list[str], interview: Interview) -> dict[int, str]:
    """A name for each speaker number (numbered by first appearance), from what each says."""
    distinct = sorted(set(numbers))
    if len(distinct) < 2:
        return dict.fromkeys(distinct, DEFAULT_SPEAKER)
    questions = Counter(n for n, text in zip(numbers, texts, strict=True) if is_question(text))
    interviewer = max(distinct, key=lambda n: (questions[n], -n))
    others = [n for n in distinct if n != interviewer]
    names = {interviewer: INTERVIEWER}
    if len(others) == 1 and len(interview.participants) == 1:
        names[others[0]] = interview.participants[0].pseudonym
    else:
        names.update({n: f"Speaker {i}" for i, n in enumerate(others, start=2)})
    return names


def _as_segment(row: TranscriptSegment) -> Segment:
    return Segment(row.start, row.end, row.text, words=[
        Word(word["start"], word["end"], word["text"], word["probability"]) for word in row.words
    ])


def _words(segment: Segment) -> list[dict[str, Any]]:
    return [{"start": w.start, "end": w.end, "text": w.text, "probability": w.probability}
            for w in segment.words]


def _write(transcript: Transcript, flags: list[list[str]],
           pieces: list[list[Segment]]) -> None:
    """The transcript's segments become the pieces, each named, each keeping its flags."""
    flat = [piece for split in pieces for piece in split]
    names = speaker_names([p.speaker for p in flat], [p.text for p in flat], transcript.interview)
    db.session.execute(db.delete(TranscriptSegment).where(
        TranscriptSegment.transcript_id == transcript.id))
    db.session.add_all(
        TranscriptSegment(
            transcript_id=transcript.id, position=position, start=piece.start, end=piece.end,
            speaker=names[piece.speaker], text=piece.text, words=_words(piece),
            flags=list(kept),
        )
        for position, (piece, kept) in enumerate(
            (piece, kept) for kept, split in zip(flags, pieces, strict=True) for piece in split
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
    flags = [list(row.flags) for row in rows]
    db.session.commit()  # no transaction (on SQLite, the write lock) while voices are compared
    try:
        pieces = assign_speakers(audio, segments, wanted_speakers(options), on_progress)
    except SpeakersUnavailable as error:
        return f"one speaker: {error}"
    except (MemoryError, OSError, ValueError, RuntimeError) as error:
        log.exception("speaker separation of transcript %s failed", transcript.id)
        return f"one speaker: the speakers could not be told apart ({error})"
    _write(transcript, flags, pieces)
    count = len({piece.speaker for split in pieces for piece in split})
    if count == 1:
        return "one speaker found"
    return f"{count} speakers found (names are a first guess)"
