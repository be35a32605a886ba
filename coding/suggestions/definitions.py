"""How close a passage is to each code's codebook entry in words: the cosine of TF-IDF vectors
of word stems (each word cut to its first letters, a crude stemmer that also serves Polish
and Czech endings). It is what a keyword search for the definition's words does, weighted so
that words common in the project's texts count little and long passages are not favoured;
`ranking` adds it to the classifier's score, so that a passage unlike every earlier coding
can still be suggested from the definition's words."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

WORD = re.compile(r"\w+", re.UNICODE)
#: letters of a word kept as its stem (the same as the reasons' definition words)
STEM = 5


def stems_of(text: str) -> list[str]:
    return [word[:STEM] for word in WORD.findall(text.casefold())]


class DefinitionWords:
    """The codes' codebook entries as stem vectors, with an IDF learnt from the texts given
    (the passages to rank and the training rows)."""

    def __init__(self, descriptions: list[str], texts: list[str]) -> None:
        found_in = Counter(stem for text in texts for stem in set(stems_of(text)))
        total = len(texts) + 1
        self.idf = {stem: math.log(total / (count + 1)) + 1 for stem, count in found_in.items()}
        self.default_idf = math.log(total) + 1
        entries = [self.unit_weights(text) for text in descriptions]
        self.column = {stem: i for i, stem in enumerate({s for e in entries for s in e})}
        self.codes = self.rows(entries)

    def weights(self, text: str) -> dict[str, float]:
        return {stem: count * self.idf.get(stem, self.default_idf)
                for stem, count in Counter(stems_of(text)).items()}

    def unit_weights(self, text: str) -> dict[str, float]:
        weights = self.weights(text)
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {stem: w / norm for stem, w in weights.items()}

    def rows(self, vectors: list[dict[str, float]]) -> np.ndarray:
        """The vectors as rows over the codebook entries' stems (others add nothing to a
        cosine with an entry)."""
        result = np.zeros((len(vectors), len(self.column)), dtype=np.float32)
        for i, vector in enumerate(vectors):
            for stem, weight in vector.items():
                if stem in self.column:
                    result[i, self.column[stem]] = weight
        return result

    def cosines(self, texts: list[str]) -> np.ndarray:
        """(texts x codes) cosines between each text and each codebook entry."""
        return self.rows([self.unit_weights(text) for text in texts]) @ self.codes.T
