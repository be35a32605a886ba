"""The suggestion model: for each code, how like a passage is to the code's earlier codings
(its nearest ones and their centroid) and to the code's definition, include notes and
example, less its exclude notes. A nearest-neighbour and nearest-centroid classifier trained
on the project's own codings each time it runs: nothing to store, nothing to download."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from coding.suggestions.vectors import Passage, Vectoriser

MODEL_NAME = ("Fieldwork's own classifier: character n-grams (TF-IDF), nearest earlier codings "
              "and the codebook's words; numpy only")
MODEL_LICENCE = "Fieldwork's own code (no third-party model or weights)"
#: how many of a code's nearest earlier codings are averaged
NEIGHBOURS = 3
#: the most earlier codings of one code that are learnt from (the latest ones)
MAX_EXAMPLES = 300
WEIGHTS = {"neighbours": 0.5, "centroid": 0.3, "definition": 0.2, "exclusion": 0.15}
#: below this a passage is not suggested for the code (chosen on bench/suggestions.py)
MIN_SCORE = 0.12
PER_PASSAGE = 3
QUOTE_IN_REASON = 90
DEFINITION_WORD = re.compile(r"\w{4,}", re.UNICODE)
STEM = 5


@dataclass(frozen=True)
class Example:
    """An earlier coding a code is learnt from."""

    text: str
    coding_id: int | None = None


@dataclass
class CodeProfile:
    """What a code is learnt from: its codebook entry and earlier codings."""

    code_id: int
    name: str
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    examples: list[Example] = field(default_factory=list)

    @property
    def description(self) -> str:
        return " ".join([self.name, self.definition, self.when_to_use, self.example])


@dataclass(frozen=True)
class Suggestion:
    """A passage suggested for a code, with its score and the reason in words."""

    passage: Passage
    code_id: int
    score: float
    reason: str
    like_coding_id: int | None = None


def stems(text: str) -> dict[str, str]:
    """The first letters of each longer word, with one word that has them."""
    return {word[:STEM]: word for word in reversed(DEFINITION_WORD.findall(text.casefold()))}


class Ranker:
    """Scores passages for codes; built from the codes' profiles and the passages to rank (the
    IDF is learnt from both, so words common in this project's texts weigh little)."""

    def __init__(self, profiles: list[CodeProfile], passages: list[Passage]) -> None:
        self.profiles = profiles
        for profile in profiles:
            profile.examples = profile.examples[-MAX_EXAMPLES:]
        examples = [example for profile in profiles for example in profile.examples]
        self.vectoriser = Vectoriser().fit(
            [p.text for p in passages] + [e.text for e in examples] +
            [profile.description for profile in profiles])
        self.examples = examples
        self.example_matrix = self.vectoriser.matrix([e.text for e in examples])
        self.example_code = np.array([i for i, profile in enumerate(profiles)
                                      for _ in profile.examples], dtype=np.int32)
        self.definitions = self.vectoriser.matrix([p.description for p in profiles])
        self.exclusions = self.vectoriser.matrix([p.when_not_to_use for p in profiles])
        self.centroids = self.centroid_matrix()

    def centroid_matrix(self) -> np.ndarray:
        centroids = np.zeros((len(self.profiles), self.example_matrix.shape[1]),
                             dtype=np.float32)
        np.add.at(centroids, self.example_code, self.example_matrix)
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        return np.divide(centroids, norms, out=centroids, where=norms > 0)

    def scores(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(passages x codes) scores, and for each the index of the nearest example of the
        code (-1 where the code has none)."""
        scores = (WEIGHTS["definition"] * vectors @ self.definitions.T -
                  WEIGHTS["exclusion"] * np.clip(vectors @ self.exclusions.T, 0, None))
        nearest = np.full(scores.shape, -1, dtype=np.int64)
        if not self.examples:
            return scores, nearest
        similar = vectors @ self.example_matrix.T
        scores += WEIGHTS["centroid"] * vectors @ self.centroids.T
        for c in range(len(self.profiles)):
            mine = np.flatnonzero(self.example_code == c)
            if not len(mine):
                continue
            ours = similar[:, mine]
            k = min(NEIGHBOURS, len(mine))
            top = np.partition(ours, len(mine) - k, axis=1)[:, len(mine) - k:]
            scores[:, c] += WEIGHTS["neighbours"] * top.mean(axis=1)
            nearest[:, c] = mine[np.argmax(ours, axis=1)]
        return scores, nearest

    def rank(self, passages: list[Passage], per_passage: int = PER_PASSAGE,
             min_score: float = MIN_SCORE) -> list[Suggestion]:
        """The best codes for each passage, at most `per_passage`, above `min_score`."""
        if not passages or not self.profiles:
            return []
        vectors = self.vectoriser.matrix([p.text for p in passages])
        scores, nearest = self.scores(vectors)
        result = []
        for i, passage in enumerate(passages):
            for c in np.argsort(-scores[i])[:per_passage]:
                if scores[i, c] < min_score:
                    break
                result.append(self.suggestion(passage, int(c), float(scores[i, c]),
                                              int(nearest[i, c])))
        return result

    def suggestion(self, passage: Passage, c: int, score: float, nearest: int) -> Suggestion:
        profile = self.profiles[c]
        if nearest >= 0:
            example = self.examples[nearest]
            quote = " ".join(example.text.split())
            if len(quote) > QUOTE_IN_REASON:
                quote = quote[:QUOTE_IN_REASON].rsplit(" ", 1)[0] + "…"
            return Suggestion(passage, profile.code_id, score, f"Like an earlier coding: “{quote}”",
                              example.coding_id)
        return Suggestion(passage, profile.code_id, score, self.definition_reason(profile,
                                                                                  passage))

    @staticmethod
    def definition_reason(profile: CodeProfile, passage: Passage) -> str:
        wanted = stems(profile.description)
        found = [wanted[stem] for stem in stems(passage.text) if stem in wanted]
        if not found:
            return "Close to the words of the code's definition"
        return "Words of the code's definition: " + ", ".join(sorted(set(found))[:5])
