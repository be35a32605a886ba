"""English versions of transcripts in other languages.

An English version is a transcript of its own (`Transcript.translation_of` names the
original), so it is corrected, versioned, exported and coded like any transcript. A machine
makes it segment by segment: each English segment has the start and end of the original
segment it translates, so the two can be read side by side and a quote in one found in the
other by its time. Functions only flush.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.extensions import db
from interviews.asr.base import clock
from interviews.asr.languages import language_name
from interviews.transcripts.models import GAP, Transcript, TranscriptSegment

ENGLISH = "en"
#: times closer than this (seconds) are the same time: JSON and float columns round
SAME_TIME = 0.01


def machine_translation_note(language: str) -> str:
    """What a quote of a machine's English says of it, e.g. "translated automatically from
    Polish"."""
    return f"translated automatically from {language_name(language) or 'another language'}"


def untranslated_text(start: float, end: float) -> str:
    """The text of an English segment for speech in which Whisper found nothing to translate."""
    return f"[no translation {clock(start)}–{clock(end)}]"


def why_not_translatable(transcript: Transcript) -> str | None:
    """Why no English version can be made of this transcript, in words, or None."""
    if transcript.is_translation:
        return "This is an English version already."
    if not transcript.language:
        return "The transcript's language is not known: transcribe it first."
    if transcript.language == ENGLISH:
        return "The transcript is in English already."
    if not transcript.segments:
        return "The transcript has no text yet."
    if transcript.recording_id is None:
        return "The recording's audio was deleted, and a translation is made from the audio."
    return None


def english_version_for(original: Transcript) -> Transcript:
    """The original's English version, made empty the first time."""
    english = db.session.scalar(
        db.select(Transcript).where(Transcript.translation_of_id == original.id))
    if english is None:
        english = Transcript(project_id=original.project_id, interview_id=original.interview_id,
                             translation_of_id=original.id, language=ENGLISH)
        db.session.add(english)
        db.session.flush()
    return english


@dataclass(frozen=True)
class Stretch:
    """An original segment as the translation job reads it."""

    position: int
    start: float
    end: float
    speaker: str
    text: str
    gap: bool


def stretches_of(original: Transcript) -> list[Stretch]:
    return [Stretch(segment.position, segment.start, segment.end, segment.speaker, segment.text,
                    segment.is_gap)
            for segment in sorted(original.segments, key=lambda s: s.position)]


def same_time(a: float, b: float) -> bool:
    return abs(a - b) < SAME_TIME


def out_of_step(english: Transcript) -> int:
    """How many of the English version's segments no longer have the times of an original
    segment (the original was split, merged or transcribed again since)."""
    original = english.translation_of
    if original is None:
        return 0
    times = [(segment.start, segment.end) for segment in original.segments]
    return sum(not any(same_time(segment.start, start) and same_time(segment.end, end)
                       for start, end in times) for segment in english.segments)


def segments_between(transcript: Transcript, start: float, end: float) -> list[TranscriptSegment]:
    """The transcript's segments that lie mostly between two times of the recording: the
    parallel of a stretch of the other language's text."""
    found = []
    for segment in sorted(transcript.segments, key=lambda s: s.position):
        overlap = min(segment.end, end) - max(segment.start, start)
        length = max(segment.end - segment.start, SAME_TIME)
        if overlap > 0 and (overlap >= length / 2 or overlap >= (end - start) / 2):
            found.append(segment)
    return found


def parallel_text(transcript: Transcript, start: float, end: float) -> str:
    """The words of the transcript's segments between two times, gaps left out."""
    return " ".join(segment.text for segment in segments_between(transcript, start, end)
                    if segment.text.strip() and GAP not in (segment.flags or []))
