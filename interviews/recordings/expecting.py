"""The accuracy to expect before transcribing, in words, with its source: for the language
and model chosen on the transcription page, and said at upload when the installed model
handles the recording's language poorly, offering the strongest model installed for it."""

from __future__ import annotations

from dataclasses import dataclass

from interviews.asr.expectations import Expectation, expected_accuracy, strongest_model
from interviews.asr.languages import WHISPER_LANGUAGES, language_name


@dataclass(frozen=True)
class Advice:
    #: None when the language is to be detected: nothing to expect yet
    expectation: Expectation | None
    #: the installed model expected to do better for the language, if any
    stronger: str | None
    language: str

    @property
    def poor(self) -> bool:
        return self.expectation is not None and self.expectation.level == "poor"

    def sentence(self) -> str:
        """What the page or the upload's answer says."""
        if self.expectation is None:
            return ("The accuracy to expect depends on the language: choose it to see what "
                    "to expect, or check the detected language once it is transcribed.")
        said = self.expectation.sentence
        if self.stronger:
            said += (f". The strongest model installed for {language_name(self.language)} is "
                     f"{self.stronger}: choose it to transcribe")
        return f"{said}."


def advice(language: str | None, model: str, installed: list[str]) -> Advice:
    """What to expect of the pair, and a stronger installed model where one is expected to
    do better."""
    if not language or language not in WHISPER_LANGUAGES:
        return Advice(None, None, "")
    expectation = expected_accuracy(language, model)
    best = strongest_model(language, installed)
    stronger = None
    if best is not None and best != model and expectation.level != "good":
        better = expected_accuracy(language, best)
        if expectation.percent is None or (better.percent is not None
                                           and better.percent < expectation.percent):
            stronger = best
    return Advice(expectation, stronger, language)


def upload_warning(language: str | None, model: str, installed: list[str]) -> str:
    """The words an upload's answer adds when its language is handled poorly, else ""."""
    found = advice(language, model, installed)
    return f" Before it is read: {found.sentence()}" if found.poor else ""
