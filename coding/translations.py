"""Quotes in the original language and in English: a coding on a transcript that has an
English version (or on the English version of one) can be quoted in either or both.

The other language's words are those of its segments at the same time of the recording
(whole segments: a machine's English has no word-for-word match with the original), and a
machine's English always says so ("translated automatically from Polish").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interviews.asr.languages import language_name
from interviews.transcripts.models import Transcript
from interviews.transcripts.translations import machine_translation_note, parallel_text

#: how excerpts are quoted, when their transcript has an English version
QUOTE_LANGUAGES = {
    "coded": "as coded",
    "original": "in the original language",
    "english": "in English",
    "both": "in the original language and in English",
}


@dataclass(frozen=True)
class QuoteVersion:
    """The words of a quote in one language."""

    text: str
    #: e.g. "pl", "en"; "" when not known
    language: str
    #: what a machine's translation says of itself; "" for words as transcribed
    note: str = ""

    @property
    def language_label(self) -> str:
        return language_name(self.language)


def note_of(transcript: Transcript | None) -> str:
    """"translated automatically from Polish" for a machine's English version, else ""."""
    if transcript is None or not transcript.translated_from:
        return ""
    return machine_translation_note(transcript.translated_from)


def times_of(paragraphs: list[dict[str, Any]], start: int, end: int) -> tuple[float, float] | None:
    """The stretch of the recording that the transcript segments holding offsets start to
    end cover."""
    covered = [p for p in paragraphs
               if "t0" in p and p["start"] < max(end, start + 1) and start < p["end"]]
    if not covered:
        return None
    return min(p["t0"] for p in covered), max(p["t1"] for p in covered)


def quote_versions(transcript: Transcript | None, paragraphs: list[dict[str, Any]],
                   coded: str, start: int, end: int, choice: str) -> list[QuoteVersion]:
    """The quote's words as `choice` (one of QUOTE_LANGUAGES) asks: the coded words, the
    other language's words at the same time, or both (the original first). A quote whose
    transcript has no other language, or whose other language has no words there, is
    quoted as coded."""
    own = QuoteVersion(coded, transcript.language if transcript else "", note_of(transcript))
    if choice == "coded" or transcript is None:
        return [own]
    other_transcript = transcript.translation_of or transcript.translation
    times = times_of(paragraphs, start, end)
    if other_transcript is None or times is None:
        return [own]
    other_text = parallel_text(other_transcript, *times)
    if not other_text:
        return [own]
    other = QuoteVersion(other_text, other_transcript.language, note_of(other_transcript))
    original, english = (other, own) if transcript.is_translation else (own, other)
    return {"original": [original], "english": [english]}.get(choice, [original, english])


def with_notes(citation: str, versions: list[QuoteVersion]) -> str:
    """The citation, followed by what the machine translations among the versions say."""
    notes = [f"{version.language_label or 'English'} {version.note}" if len(versions) > 1
             else version.note for version in versions if version.note]
    return "; ".join([citation, *notes])
