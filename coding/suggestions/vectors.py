"""Passages and their vectors: TF-IDF over character n-grams of words, which match the
inflected forms of Polish and Czech as well as English without a dictionary, folded into a
fixed number of dimensions with signed feature hashing (a random projection that keeps dot
products), so that all the maths is dense numpy on small matrices."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

import numpy as np

#: hashed dimensions: enough for cosines to within about 0.02 of the exact ones
DIMENSIONS = 4096
NGRAM_SIZES = (3, 4, 5)
#: texts made into vectors at once: bounds the memory of a long source's passages
CHUNK = 256
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


def word_grams(word: str) -> list[str]:
    """Character n-grams of a (case-folded) word, padded with a space on both sides."""
    padded = f" {word} "
    return [padded[i:i + size] for size in NGRAM_SIZES
            for i in range(max(1, len(padded) - size + 1))]


def words_of(text: str) -> list[str]:
    return WORD.findall(text.casefold())


class Vectoriser:
    """Turns texts into unit vectors: the sum of the TF-IDF weights of the n-grams of their
    words, each n-gram in a dimension with a sign from its checksum (the same in every
    process). The IDF is learnt from the texts given to `fit`; each distinct word is worked
    out once, which makes a long source cheap (its words repeat)."""

    def __init__(self) -> None:
        self.idf: dict[str, float] = {}
        self.default_idf = 1.0
        self.grams: dict[str, list[str]] = {}
        self.forget_words()

    def forget_words(self) -> None:
        """Each word once: its id, and its n-grams' dimensions and signed weights."""
        self.word_ids: dict[str, int] = {}
        self.word_dims: list[np.ndarray] = []
        self.word_weights: list[np.ndarray] = []

    def grams_of(self, word: str) -> list[str]:
        found = self.grams.get(word)
        if found is None:
            found = self.grams[word] = word_grams(word)
        return found

    def fit(self, texts: list[str]) -> Vectoriser:
        """Learn each n-gram's IDF from the number of the texts it appears in."""
        gram_ids: dict[str, int] = {}
        of_word: dict[str, np.ndarray] = {}
        rows, grams = [], [np.zeros(0, dtype=np.int64)]
        for row, text in enumerate(texts):
            for word in set(words_of(text)):
                ids = of_word.get(word)
                if ids is None:
                    ids = of_word[word] = np.array(
                        [gram_ids.setdefault(g, len(gram_ids)) for g in self.grams_of(word)],
                        dtype=np.int64)
                rows.append(row)
                grams.append(ids)
        sizes = [len(ids) for ids in grams[1:]]
        pairs = np.repeat(np.array(rows, dtype=np.int64), sizes) * len(gram_ids)
        keys = np.sort(pairs + np.concatenate(grams))
        # sorted, each (text, gram) once; np.unique's hashing is ten times slower here
        first = np.concatenate([keys[:1], keys[1:][keys[1:] != keys[:-1]]])
        counts = np.bincount(first % max(1, len(gram_ids)), minlength=len(gram_ids))
        total = len(texts) + 1
        self.idf = dict(zip(gram_ids, (np.log(total / (counts + 1)) + 1).tolist(),
                            strict=True))
        self.default_idf = float(np.log(total) + 1)
        self.forget_words()
        return self

    def word_id(self, word: str) -> int:
        found = self.word_ids.get(word)
        if found is None:
            found = self.word_ids[word] = len(self.word_dims)
            grams = self.grams_of(word)
            checksums = np.array([zlib.crc32(g.encode("utf-8")) for g in grams], dtype=np.int64)
            weights = np.array([self.idf.get(g, self.default_idf) for g in grams],
                               dtype=np.float32)
            self.word_dims.append(checksums % DIMENSIONS)
            self.word_weights.append(np.where(checksums & 0x80000000, weights, -weights))
        return found

    def matrix(self, texts: list[str]) -> np.ndarray:
        """One unit row per text (a zero row for a text without words)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.concatenate(list(self.unit_chunks(texts)))

    def unit_chunks(self, texts: list[str]) -> Iterator[np.ndarray]:
        """The unit rows of CHUNK texts at a time: a long list never lies whole in memory."""
        tokens = [[self.word_id(word) for word in words_of(text)] for text in texts]
        sizes = np.array([len(d) for d in self.word_dims], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)])
        dims = np.concatenate([np.zeros(0, dtype=np.int64), *self.word_dims])
        weights = np.concatenate([np.zeros(0, dtype=np.float32), *self.word_weights])
        for first in range(0, len(texts), CHUNK):
            rows = summed_rows(tokens[first:first + CHUNK], starts, dims, weights)
            norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))[:, None]
            yield np.divide(rows, norms, out=rows, where=norms > 0)

    def vector(self, text: str) -> np.ndarray:
        return self.matrix([text])[0]


def summed_rows(texts: list[list[int]], starts: np.ndarray, dims: np.ndarray,
                weights: np.ndarray) -> np.ndarray:
    """Each text's vector: the sum of its words' (given by id) weights in their dimensions,
    with the words' n-grams laid end to end in `dims` and `weights` from `starts`."""
    ids = np.fromiter(chain.from_iterable(texts), dtype=np.int64)
    text_of = np.repeat(np.arange(len(texts)), [len(t) for t in texts])
    sizes = starts[ids + 1] - starts[ids]
    before = np.cumsum(sizes) - sizes
    where = np.arange(int(sizes.sum())) + np.repeat(starts[ids] - before, sizes)
    flat = np.bincount(np.repeat(text_of, sizes) * DIMENSIONS + dims[where], weights[where],
                       minlength=len(texts) * DIMENSIONS)
    return flat.astype(np.float32).reshape(len(texts), DIMENSIONS)
