"""English versions as jobs: which model translates, queueing a translation by hand, and
the translation a project that wants English versions gets after each transcription.
Running one is recordings.translating, which only the worker imports."""

from __future__ import annotations

from typing import Any

from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.asr.base import DEFAULT_ENGINE
from interviews.asr.offered import english_only
from interviews.recordings.models import ONE_SPEAKER, TRANSLATE, Recording, TranscriptionJob
from interviews.recordings.transcription import JobError, queue_job
from interviews.settings import settings_for
from interviews.transcripts.models import Transcript
from interviews.transcripts.translations import why_not_translatable

#: the model that translates when neither the transcription's nor the project's can:
#: multilingual, installed with Fieldwork (tiny.en knows only English and cannot translate)
TRANSLATION_MODEL = "base"


def translation_model(original: Transcript) -> str:
    """The model of the original's transcription, or the project's, when it knows other
    languages than English; base otherwise."""
    recording = db.session.get(Recording, original.recording_id or 0)
    job = recording.latest_job if recording is not None else None
    project = db.session.get(Project, original.project_id)
    for model in (job.options.get("model") if job else "",
                  settings_for(project).transcription_model):
        if model and not english_only(str(model)):
            return str(model)
    return TRANSLATION_MODEL


def translation_options(original: Transcript) -> dict[str, Any]:
    return {"task": TRANSLATE, "transcript_id": original.id, "engine": DEFAULT_ENGINE,
            "model": translation_model(original), "language": original.language,
            "speakers": ONE_SPEAKER}


def queue_translation(original: Transcript, user: User | None) -> TranscriptionJob:
    """Queue the making (or making again) of the original's English version (flushed); the
    caller commits and then enqueues the task."""
    reason = why_not_translatable(original)
    if reason is not None:
        raise JobError(reason)
    return queue_job(db.session.get(Recording, original.recording_id),
                     translation_options(original), user)


def translation_after(job: TranscriptionJob) -> Transcript | None:
    """The transcript a finished transcription made, when its project wants English versions
    and it is in another language."""
    if job.translates or job.state != "done":
        return None
    if not settings_for(db.session.get(Project, job.project_id)).translate_to_english:
        return None
    transcript = db.session.scalar(
        db.select(Transcript).where(Transcript.recording_id == job.recording_id))
    if transcript is None or why_not_translatable(transcript) is not None:
        return None
    return transcript
