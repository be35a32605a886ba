"""The form that sets a transcription's options."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import Length

from fieldwork.forms import choices
from interviews.asr.base import ENGINES
from interviews.recordings.models import ONE_SPEAKER
from interviews.recordings.speakers import SPEAKER_CHOICES
from interviews.recordings.transcription import LANGUAGES


class TranscribeForm(FlaskForm):
    #: the models offered here (asr.offered), set by the view
    model = SelectField("Model")
    language = SelectField("Language", choices=choices(LANGUAGES))
    engine = SelectField("Engine", choices=choices([(e, e) for e in ENGINES]))
    speakers = SelectField("Speakers", choices=choices(SPEAKER_CHOICES), default=ONE_SPEAKER)
    vad = BooleanField("Skip silence (voice-activity filter; avoids invented text)",
                       default=True)
    word_timestamps = BooleanField("Word timings (needed to mark uncertain words)", default=True)
    initial_prompt = TextAreaField(
        "Vocabulary (names of places, institutions, pseudonyms to spell right)",
        validators=[Length(max=800, message="Keep the vocabulary under 800 characters.")],
    )

    def options(self) -> dict[str, object]:
        return {
            "engine": self.engine.data, "model": self.model.data,
            "language": self.language.data or None, "vad": bool(self.vad.data),
            "word_timestamps": bool(self.word_timestamps.data),
            "initial_prompt": (self.initial_prompt.data or "").strip(),
            "speakers": self.speakers.data,
        }

    def fill(self, options: dict[str, object]) -> None:
        self.engine.data = options.get("engine")
        self.model.data = options.get("model")
        self.language.data = options.get("language") or ""
        self.vad.data = bool(options.get("vad", True))
        self.word_timestamps.data = bool(options.get("word_timestamps", True))
        self.initial_prompt.data = options.get("initial_prompt") or ""
        self.speakers.data = str(options.get("speakers") or ONE_SPEAKER)
