"""Running a translation job in a worker: the English version of a transcript, segment by
segment, saved as it goes.

Each original segment's stretch of the recording is decoded on its own with Whisper's
translate task (asr.faster), so each English segment has the original's start, end and
speaker. A gap of the original (speech without text) stays a gap; speech in which Whisper
finds nothing to translate becomes one ("[no translation …]"), for a person to fill in.
As in transcribing, no transaction stays open while Whisper works: each English segment
is saved with the job's progress in a short transaction of its own.

Only the worker imports this module (through recordings.running).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.storage import file_store
from interviews.asr.base import (
    DEFAULT_ENGINE,
    CannotTranslate,
    EngineUnavailable,
    InvalidModel,
    ModelNotInstalled,
    Segment,
    TranscriptionCancelled,
    TranslationOptions,
    UnknownEngine,
    Word,
)
from interviews.asr.engines import get_engine
from interviews.asr.languages import language_name
from interviews.recordings.models import TranscriptionJob
from interviews.recordings.progress import JobProgress
from interviews.recordings.running import finish, heartbeat_of, segment_flags
from interviews.transcripts.editing import clear_for_new_transcription, save_version
from interviews.transcripts.models import GAP, Transcript, TranscriptSegment
from interviews.transcripts.translations import (
    Stretch,
    english_version_for,
    stretches_of,
    untranslated_text,
    why_not_translatable,
)

log = logging.getLogger(__name__)


class EnglishSaver:
    """The engine's on_translated callback: saves each English segment where its original
    stands, with the original's times and speaker, and the job's progress."""

    def __init__(self, english: Transcript, decoded: list[Stretch],
                 progress: JobProgress) -> None:
        self.english_id = english.id
        self.decoded = decoded
        self.progress = progress

    def __call__(self, index: int, segment: Segment, progress: float) -> None:
        stretch = self.decoded[index]
        if not segment.text:
            segment = replace(segment, text=untranslated_text(stretch.start, stretch.end),
                              words=[], gap=True)
        db.session.add(english_segment(self.english_id, stretch, segment.text,
                                       segment_flags(segment), segment.words))
        self.progress.report(progress)


def english_segment(english_id: int, stretch: Stretch, text: str, flags: list[str],
                    words: list[Word] | None = None) -> TranscriptSegment:
    return TranscriptSegment(
        transcript_id=english_id, position=stretch.position, start=stretch.start,
        end=stretch.end, speaker=stretch.speaker, text=text, flags=flags,
        words=[{"start": w.start, "end": w.end, "text": w.text,
                "probability": round(w.probability, 3)} for w in words or []],
    )


def start(job: TranscriptionJob, original: Transcript) -> tuple[Transcript, list[Stretch]]:
    """Mark the job running and empty the English version (its text kept as a version);
    the original's gaps are copied at once. Returns the version and the stretches to decode."""
    job.state, job.started_at, job.heartbeat_at = "running", utcnow(), utcnow()
    job.progress, job.eta_s, job.error = 0.0, None, ""
    english = english_version_for(original)
    clear_for_new_transcription(english)
    english.translated_from = original.language
    stretches = stretches_of(original)
    for stretch in stretches:
        if stretch.gap:
            db.session.add(english_segment(english.id, stretch, stretch.text, [GAP]))
    db.session.commit()
    return english, [stretch for stretch in stretches if not stretch.gap]


def run_job(job_id: int, models_dir: Path | None) -> str:
    """Translate as a queued job asks; returns the job's final state. Its transactions take
    SQLite's write lock when they begin, as a transcription's do."""
    with writing():
        return translate_queued(job_id, models_dir)


def translate_queued(job_id: int, models_dir: Path | None) -> str:
    """Make the English version a queued translation job asks for; returns the job's final
    state."""
    job = db.session.get(TranscriptionJob, job_id)
    if job is None or job.state != "queued":
        return job.state if job is not None else "missing"
    if job.cancel_requested:
        finish(job_id, "cancelled")
        return "cancelled"
    original = db.session.get(Transcript, job.options.get("transcript_id") or 0)
    reason = ("The transcript to translate was deleted." if original is None
              else why_not_translatable(original))
    if reason is not None or original.recording_id != job.recording_id:
        finish(job_id, "failed", reason or "The transcript no longer belongs to this recording.")
        return "failed"
    english, decoded = start(job, original)
    options = TranslationOptions(model=job.options.get("model") or "base",
                                 language=job.options.get("language") or original.language)
    audio = file_store().blob_path(job.recording.stored_file.sha256)
    progress = JobProgress(job)
    saver = EnglishSaver(english, decoded, progress)
    db.session.commit()  # end the reads above: no transaction stays open while Whisper works
    try:
        with heartbeat_of(progress):
            engine = get_engine(DEFAULT_ENGINE, models_dir)
            engine.translate(audio, options, [(s.start, s.end) for s in decoded], saver)
    except TranscriptionCancelled:
        db.session.rollback()
        finish(job_id, "cancelled")
        return "cancelled"
    except (EngineUnavailable, ModelNotInstalled, UnknownEngine, InvalidModel,
            CannotTranslate) as error:
        db.session.rollback()
        finish(job_id, "failed", str(error))
        return "failed"
    except Exception as error:
        log.exception("translation job %s failed", job_id)
        db.session.rollback()
        finish(job_id, "failed", f"the translation stopped with an error: {error}")
        return "failed"
    english = db.session.get(Transcript, english.id)
    db.session.expire(english, ["segments"])
    save_version(english, None, f"Translated from {language_name(options.language)} with "
                                f"{options.model}")
    db.session.get(TranscriptionJob, job_id).progress = 1.0
    finish(job_id, "done")
    return "done"
