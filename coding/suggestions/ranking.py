"""The suggestion model: a classifier trained on the project's own codings each time it runs
(nothing to store, nothing to download). Each earlier coding of a code, and the code's
codebook entry (name, definition, include notes, example), is a training row labelled with
its code; the exclude notes are rows labelled with no code. A kernel ridge regression over
the cosines of character n-gram vectors learns, from all codes at once, which passages are
like a code's and unlike the others'; it learns the codebook entries more closely than any
one coding. To its score is added the passage's closeness to the code's codebook entry, in
character n-grams and in word stems (`definitions`), so that a passage unlike every earlier
coding can still be suggested from the definition's words, as a keyword search would. The
reason given is the closer of the code's nearest earlier coding and its codebook entry. The
weights were chosen on bench/suggestions.py's validation folds (`--validate`), never on its
test passages; scores are near 1 for a passage like a code's codings and near 0 otherwise,
so one threshold fits every code."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from coding.suggestions.definitions import STEM, DefinitionWords
from coding.suggestions.vectors import Passage, Vectoriser

#: the most earlier codings of one code that are learnt from (the latest ones)
MAX_EXAMPLES = 150
#: the most earlier codings learnt from in all: the regression solves a system as large as
#: its rows (1,500 rows: under a second on 2 cores); shared among the codes that have any
MAX_ROWS = 1500
#: a code keeps at least this many of its latest codings however many codes share MAX_ROWS
MIN_PER_CODE = 20


@dataclass(frozen=True)
class Weights:
    """The model's settings, chosen on bench/suggestions.py --validate."""

    #: the ridge: larger learns the examples less closely
    ridge: float
    #: how much more closely the codebook entries are learnt than one coding (their ridge
    #: is `ridge` divided by this)
    description: float
    #: of the passage's cosines to the code's codebook entry added to the score, in
    #: character n-grams and in word stems
    definition_ngrams: float
    definition_stems: float


#: the default model
NGRAMS = Weights(ridge=0.5, description=10.0, definition_ngrams=0.3, definition_stems=0.3)
#: with the sentence encoder: the weights above made it worse on validation (English unseen
#: sentences F1 0.67 against 0.70, the random split 0.87-0.99 against 1.00), so it keeps
#: the earlier ones
WITH_SENTENCES = Weights(ridge=1.0, description=1.0, definition_ngrams=0.0,
                         definition_stems=0.0)
#: below this a passage is not suggested for the code (chosen on bench/suggestions.py)
MIN_SCORE = 0.2
PER_PASSAGE = 3
QUOTE_IN_REASON = 90
DEFINITION_WORD = re.compile(r"\w{4,}", re.UNICODE)


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
    IDF is learnt from both, so words common in this project's texts weigh little). With
    `embed` (coding.suggestions.sentences), the cosines of sentence embeddings are added to
    those of the n-grams: the regression then learns from both."""

    def __init__(self, profiles: list[CodeProfile], passages: list[Passage],
                 embed: Callable[[list[str]], np.ndarray] | None = None) -> None:
        self.profiles = profiles
        share = MAX_ROWS // max(1, sum(1 for p in profiles if p.examples))
        for profile in profiles:
            profile.examples = profile.examples[-min(MAX_EXAMPLES, max(MIN_PER_CODE, share)):]
        self.examples = [example for profile in profiles for example in profile.examples]
        self.example_code = np.array([i for i, profile in enumerate(profiles)
                                      for _ in profile.examples], dtype=np.int64)
        exclusions = [(i, p.when_not_to_use) for i, p in enumerate(profiles)
                      if p.when_not_to_use.strip()]
        rows = ([e.text for e in self.examples] + [p.description for p in profiles] +
                [text for _i, text in exclusions])
        self.descriptions = slice(len(self.examples), len(self.examples) + len(profiles))
        self.vectoriser = Vectoriser().fit([p.text for p in passages] + rows)
        self.definitions = DefinitionWords([p.description for p in profiles],
                                           [p.text for p in passages] + rows)
        self.rows = self.vectoriser.matrix(rows)
        self.embed = embed
        self.sentence_rows = embed(rows) if embed is not None else None
        labels = np.zeros((len(rows), len(profiles)), dtype=np.float32)
        labels[np.arange(len(self.examples)), self.example_code] = 1
        labels[len(self.examples) + np.arange(len(profiles)), np.arange(len(profiles))] = 1
        gram = self.rows @ self.rows.T
        if self.sentence_rows is not None:
            gram += self.sentence_rows @ self.sentence_rows.T
        self.weights = NGRAMS if embed is None else WITH_SENTENCES
        ridge = np.full(len(rows), self.weights.ridge, dtype=np.float32)
        ridge[self.descriptions] /= self.weights.description
        self.dual = np.linalg.solve(gram + np.diag(ridge), labels)

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(texts x training rows) cosines, of n-grams (plus of sentence embeddings)."""
        similar = self.vectoriser.matrix(texts) @ self.rows.T
        if self.embed is not None and self.sentence_rows is not None:
            similar += self.embed(texts) @ self.sentence_rows.T
        return similar

    def scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(passages x codes) scores, and for each the index of the code's earlier coding
        most like the passage; -1 where the code has none, or where the code's codebook entry
        is closer to the passage than any of them (the reason is then its words)."""
        similar = self.similarities(texts)
        to_entry = similar[:, self.descriptions]
        scores = (similar @ self.dual + self.weights.definition_ngrams * to_entry +
                  self.weights.definition_stems * self.definitions.cosines(texts))
        nearest = np.full(scores.shape, -1, dtype=np.int64)
        for c in range(len(self.profiles)):
            mine = np.flatnonzero(self.example_code == c)
            if len(mine):
                best = np.argmax(similar[:, mine], axis=1)
                closer = similar[np.arange(len(texts)), mine[best]] >= to_entry[:, c]
                nearest[:, c] = np.where(closer, mine[best], -1)
        return scores, nearest

    def rank(self, passages: list[Passage], per_passage: int = PER_PASSAGE,
             min_score: float = MIN_SCORE) -> list[Suggestion]:
        """The best codes for each passage, at most `per_passage`, above `min_score`."""
        if not passages or not self.profiles:
            return []
        scores, nearest = self.scores([p.text for p in passages])
        result = []
        for i, passage in enumerate(passages):
            for c in np.argsort(-scores[i])[:per_passage]:
                if scores[i, c] < min_score:
                    break
                result.append(self.suggestion(passage, int(c), float(scores[i, c]),
                                              int(nearest[i, c])))
        return result

    def suggestion(self, passage: Passage, c: int, score: float, nearest: int) -> Suggestion:
        """The suggestion with its reason: the code's earlier coding `nearest` to the passage,
        or (-1) the definition's words."""
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
