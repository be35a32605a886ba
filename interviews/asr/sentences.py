"""Segments that end where sentences end.

Whisper cuts its segments where its 30-second windows and its own timing put them, not where
a sentence ends: "…the partnership between" / "Łódź and Chengdu began? Official, of
course." A segment whose last word does not end a sentence is joined with the next one, so
no sentence is cut in two, unless the joined text would pass `MAX_SENTENCE_SECONDS` of one
voice (then it is cut where it stands, as a person transcribing would). A gap, a doubtful
segment or a change of speaker is never joined across. Nor is a transcript that so far
shows no sentence punctuation at all (Whisper writes some Chinese that way): there is
nothing to tell where its sentences end, and joining would only make 30-second blocks.

Whisper also gives a whole window as one segment at times, notably with a prompt of
vocabulary or in a long answer: one block in the transcript editor, one paragraph to code,
and one speaker for all of it when two people talk in it. A segment longer than
`LONG_SEGMENT_SECONDS` whose words have timestamps is cut after the words that end a
sentence, as noScribe does. The text is kept character for character either way.
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
#: A sentence longer than this (seconds) is cut where Whisper cut it.
MAX_SENTENCE_SECONDS = 30.0

_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_AFTER_UNSPACED_STOP = re.compile(r"\s+|(?<=[。！？])")
#: Words ending in a full stop that do not end a sentence (English and Polish, Czech).
ABBREVIATIONS = frozenset({
    "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "e.g.", "i.e.", "etc.", "vs.", "no.",
    "u.s.", "u.k.", "np.", "tzw.", "ul.", "tj.", "m.in.", "ok.", "tzn.", "mgr.", "inż.",
})


def ends_sentence(word: Word) -> bool:
    text = word.text.strip()
    return bool(_SENTENCE_END.search(text)) and text.lower() not in ABBREVIATIONS


def text_ends_sentence(text: str) -> bool:
    """Whether a text's last word ends a sentence (for a segment without word times)."""
    words = text.split()
    return bool(words) and ends_sentence(Word(0.0, 0.0, words[-1], 1.0))


def has_sentence_end(text: str) -> bool:
    """Whether any word of the text ends a sentence (Chinese full stops end a "word")."""
    return any(text_ends_sentence(piece) for piece in _AFTER_UNSPACED_STOP.split(text))


def segment_ends_sentence(segment: Segment) -> bool:
    return ends_sentence(segment.words[-1]) if segment.words else text_ends_sentence(segment.text)


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


def _is_unspaced(character: str) -> bool:
    """Chinese, Japanese and Thai characters, written without spaces between words."""
    return ("\u0e00" <= character <= "\u0eff" or "\u3040" <= character <= "\u30ff"
            or "\u3400" <= character <= "\u9fff" or "\uf900" <= character <= "\ufaff")


def joined_text(first: str, second: str) -> str:
    first, second = first.rstrip(), second.lstrip()
    if not first or not second:
        return first + second
    unspaced = _is_unspaced(first[-1]) and _is_unspaced(second[0])
    return first + ("" if unspaced else " ") + second


def carries_on(open_segments: list[Segment], second: Segment) -> bool:
    """Whether `second` may carry on the sentence that the open segments leave open."""
    first, last = open_segments[0], open_segments[-1]
    plain = not (last.gap or second.gap or last.doubtful or second.doubtful)
    return (plain and last.speaker == second.speaker and not segment_ends_sentence(last)
            and second.end - first.start <= MAX_SENTENCE_SECONDS)


def joined(segments: list[Segment]) -> Segment:
    """One segment of several: their text, words and times; the weakest decoding's scores."""
    first = segments[0]
    text = first.text
    for segment in segments[1:]:
        text = joined_text(text, segment.text)
    return replace(
        first, end=segments[-1].end, text=text,
        words=[word for segment in segments for word in segment.words],
        avg_logprob=min(segment.avg_logprob for segment in segments),
        no_speech_prob=max(segment.no_speech_prob for segment in segments),
        repeated=all(segment.repeated for segment in segments),
    )


def sentences(segments: Iterable[Segment]) -> Iterator[Segment]:
    """The segments as they come, joined where a sentence runs on into the next one, and
    long ones cut at their sentences. Segments that leave their sentence open are held back
    until a later one shows whether it carries on."""
    held: list[Segment] = []
    punctuated = False
    for segment in segments:
        punctuated = punctuated or has_sentence_end(segment.text)
        if held and not carries_on(held, segment):
            yield from _settled(held, punctuated)
            held = []
        held.append(segment)
        if punctuated:
            *whole, last = split_at_sentences(joined(held))
            yield from whole
            held = [last]
    yield from _settled(held, punctuated)


def _settled(held: list[Segment], punctuated: bool) -> Iterator[Segment]:
    """Held segments given out: as one when the transcript has punctuation to tell its
    sentences by, else as Whisper cut them."""
    if not held:
        return
    for segment in [joined(held)] if punctuated else held:
        yield from split_at_sentences(segment)
