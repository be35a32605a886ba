"""Passages and their vectors: TF-IDF over character n-grams of words, which match the
inflected forms of Polish and Czech as well as English without a dictionary, folded into a
fixed number of dimensions with signed feature hashing (a random projection that keeps dot
products), so that all the maths is dense numpy on small matrices."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: hashed dimensions: enough for cosines to within about 0.02 of the exact ones
DIMENSIONS = 4096
NGRAM_SIZES = (3, 4, 5)
#: a sentence shorter than this joins the next one: too few words to say anything
SHORT_PASSAGE = 40
LONG_PASSAGE = 600
WORD = re.compile(r"\w+", re.UNICODE)
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»)]*\s+(?=[\"„«(]*[\w])")


@dataclass(frozen=True)
class Passage:
    """A stretch of a source's text (code points `start` to `end`) that can be suggested."""

    source_id: int
    start: int
    end: int
    text: str


def sentence_spans(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Sentences of text[start:end]: a short one joins the next (the last, the one before),
    a long one is cut at a clause boundary near LONG_PASSAGE."""
    cuts = [start]
    for match in SENTENCE_END.finditer(text, start, end):
        if match.start() - cuts[-1] >= SHORT_PASSAGE:
            cuts.append(match.end())
    if len(cuts) > 1 and end - cuts[-1] < SHORT_PASSAGE:
        cuts.pop()
    for first, last in zip(cuts, [*cuts[1:], end], strict=True):
        yield from long_split(text, first, last)


def long_split(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    while end - start > LONG_PASSAGE:
        stop = max(text.rfind(mark, start, start + LONG_PASSAGE) for mark in (";", ",", " "))
        stop = stop + 1 if stop > start + SHORT_PASSAGE else start + LONG_PASSAGE
        yield start, stop
        start = stop
    if text[start:end].strip():
        yield start, end


def passages_of(source_id: int, text: str, paragraphs: list[dict]) -> list[Passage]:
    """The source's passages: its sentences, within its paragraphs, trimmed of spaces."""
    result = []
    for paragraph in paragraphs or [{"start": 0, "end": len(text)}]:
        for start, end in sentence_spans(text, paragraph["start"], paragraph["end"]):
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                result.append(Passage(source_id, start, end, text[start:end]))
    return result


def ngrams(text: str) -> list[str]:
    """Character n-grams of each word, padded with a space on both sides."""
    grams = []
    for word in WORD.findall(text.casefold()):
        padded = f" {word} "
        for size in NGRAM_SIZES:
            grams.extend(padded[i:i + size] for i in range(max(1, len(padded) - size + 1)))
    return grams


class Vectoriser:
    """Turns texts into unit vectors; the IDF is learnt from the texts given to `fit`."""

    def __init__(self) -> None:
        self.idf: dict[str, float] = {}
        self.default_idf = 1.0
        self.slots: dict[str, tuple[int, float]] = {}

    def fit(self, texts: list[str]) -> Vectoriser:
        counts: dict[str, int] = {}
        for text in texts:
            for gram in set(ngrams(text)):
                counts[gram] = counts.get(gram, 0) + 1
        total = len(texts) + 1
        self.idf = {gram: float(np.log(total / (count + 1)) + 1) for gram, count in
                    counts.items()}
        self.default_idf = float(np.log(total) + 1)
        return self

    def slot(self, gram: str) -> tuple[int, float]:
        """The gram's dimension and sign, from a checksum: the same in every process."""
        found = self.slots.get(gram)
        if found is None:
            checksum = zlib.crc32(gram.encode("utf-8"))
            found = (checksum % DIMENSIONS, 1.0 if checksum & 0x80000000 else -1.0)
            self.slots[gram] = found
        return found

    def vector(self, text: str) -> np.ndarray:
        counts: dict[str, int] = {}
        for gram in ngrams(text):
            counts[gram] = counts.get(gram, 0) + 1
        vector = np.zeros(DIMENSIONS, dtype=np.float32)
        for gram, count in counts.items():
            dimension, sign = self.slot(gram)
            vector[dimension] += sign * (1 + np.log(count)) * self.idf.get(gram, self.default_idf)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def matrix(self, texts: list[str]) -> np.ndarray:
        """One unit row per text (a zero row for a text without words)."""
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            rows[i] = self.vector(text)
        return rows
