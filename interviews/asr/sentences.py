"""Long segments cut at their sentences.

Whisper sometimes gives a whole 30-second window as one segment, notably with a prompt of
vocabulary or in a long answer: one block in the transcript editor, one paragraph to code,
and one speaker for all of it when two people talk in it. A segment longer than
`LONG_SEGMENT_SECONDS` whose words have timestamps is cut after the words that end a
sentence, as noScribe does; its text is kept character for character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from interviews.asr.base import Segment, Word

#: Segments longer than this (seconds) are cut at their sentences.
LONG_SEGMENT_SECONDS = 10.0
#: No piece shorter than this (seconds): a short exclamation stays with its sentence.
MIN_PIECE_SECONDS = 1.0

_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
#: Words ending in a full stop that do not end a sentence (English and Polish, Czech).
ABBREVIATIONS = frozenset({
    "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "e.g.", "i.e.", "etc.", "vs.", "no.",
    "u.s.", "u.k.", "np.", "tzw.", "ul.", "tj.", "m.in.", "ok.", "tzn.", "mgr.", "inż.",
})


def ends_sentence(word: Word) -> bool:
    text = word.text.strip()
    return bool(_SENTENCE_END.search(text)) and text.lower() not in ABBREVIATIONS


def word_ends_in_text(segment: Segment) -> list[int] | None:
    """Where each word ends in the segment's text, or None when a word is not found there
    (the words then do not match the text, and the segment is left whole)."""
    ends, at = [], 0
    for word in segment.words:
        found = segment.text.find(word.text.strip(), at)
        if found < 0:
            return None
        at = found + len(word.text.strip())
        ends.append(at)
    return ends


def sentence_cuts(segment: Segment) -> list[int]:
    """Indexes of the words after which the segment is cut."""
    cuts, piece_start = [], segment.start
    words = segment.words
    for index, word in enumerate(words[:-1]):
        long_enough = word.end - piece_start >= MIN_PIECE_SECONDS
        rest_long_enough = segment.end - words[index + 1].start >= MIN_PIECE_SECONDS
        if ends_sentence(word) and long_enough and rest_long_enough:
            cuts.append(index)
            piece_start = words[index + 1].start
    return cuts


def split_at_sentences(segment: Segment) -> list[Segment]:
    """The segment, or its sentences when it is long (each with its own words and times)."""
    if segment.end - segment.start <= LONG_SEGMENT_SECONDS or len(segment.words) < 2:
        return [segment]
    ends = word_ends_in_text(segment)
    cuts = sentence_cuts(segment) if ends is not None else []
    if not cuts:
        return [segment]
    pieces, first_word, text_from = [], 0, 0
    for cut in [*cuts, len(segment.words) - 1]:
        words = segment.words[first_word:cut + 1]
        last = cut == len(segment.words) - 1
        text_to = len(segment.text) if last else ends[cut]
        pieces.append(replace(
            segment,
            start=segment.start if first_word == 0 else words[0].start,
            end=segment.end if last else words[-1].end,
            text=segment.text[text_from:text_to].strip(),
            words=words,
        ))
        first_word, text_from = cut + 1, text_to
    return pieces


def sentences(segments: Iterable[Segment]) -> Iterator[Segment]:
    """The segments as they come, long ones cut at their sentences."""
    for segment in segments:
        yield from split_at_sentences(segment)
