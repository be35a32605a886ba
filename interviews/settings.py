"""A project's interview settings: pseudonym rule, conflict buffer, sensible hours, and how
recordings are transcribed (model, language, English versions)."""

from __future__ import annotations

from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project
from interviews.asr.languages import language_name
from interviews.asr.offered import english_only
from interviews.asr.reliability import REVIEW_THRESHOLD
from interviews.models import InterviewSettings
from interviews.pseudonyms import PatternError, check_pattern


class SettingsError(ValueError):
    """Settings that cannot be saved, said in words, with the field that is wrong."""

    def __init__(self, message: str, field: str = "pseudonym_pattern") -> None:
        super().__init__(message)
        self.field = field


def settings_for(project: Project) -> InterviewSettings:
    """The project's interview settings, made with the defaults on first use."""
    settings = db.session.scalar(
        db.select(InterviewSettings).where(InterviewSettings.project_id == project.id)
    )
    if settings is None:
        settings = InterviewSettings(project_id=project.id)
        db.session.add(settings)
        db.session.flush()
    return settings


def check_model_and_language(model: str, language: str) -> None:
    if english_only(model) and language != "en":
        wanted = language_name(language) if language else "detecting the language"
        raise SettingsError(f"{model} knows only English, so it cannot do {wanted}: choose "
                            "English, or the base model, which knows every language of the "
                            "study.", field="transcription_model")


def update_settings(
    project: Project, *, pseudonym_pattern: str, buffer_minutes: int, day_starts_hour: int,
    day_ends_hour: int, transcription_model: str, transcription_language: str,
    translate_to_english: bool = False,
    review_threshold: float = REVIEW_THRESHOLD,
) -> InterviewSettings:
    try:
        check_pattern(pseudonym_pattern)
    except PatternError as error:
        raise SettingsError(str(error)) from None
    if not 0 <= buffer_minutes <= 24 * 60:
        raise SettingsError("The buffer is a number of minutes between 0 and 1440.")
    if not 0 <= day_starts_hour < day_ends_hour <= 24:
        raise SettingsError("The sensible hours must start before they end (hours 0 to 24).")
    check_model_and_language(transcription_model, transcription_language)
    if not 0 < review_threshold <= 1:
        raise SettingsError("The review threshold is a percentage from 1 to 100.",
                            field="review_percent")
    settings = settings_for(project)
    settings.pseudonym_pattern = pseudonym_pattern
    settings.buffer_minutes = buffer_minutes
    settings.day_starts_hour = day_starts_hour
    settings.day_ends_hour = day_ends_hour
    settings.transcription_model = transcription_model
    settings.transcription_language = transcription_language
    settings.translate_to_english = translate_to_english
    settings.review_threshold = review_threshold
    audit.record(
        "interviews.settings", settings, project=project, summary="Interview settings changed",
        pattern=pseudonym_pattern, buffer_minutes=buffer_minutes,
        hours=[day_starts_hour, day_ends_hour], model=transcription_model,
        language=transcription_language or "detect", english_versions=translate_to_english,
        review_threshold=review_threshold,
    )
    return settings
