"""A transcript of a recording whose first segment needs review and whose second does not,
made a source with a coding in each: what the marks, exports and playback tests read."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from coding.codebook import CodeFields, create_code
from coding.codings import apply_codes
from coding.models import Code, Coding, Source
from coding.quotebank import add_quote
from coding.sources import source_of_transcript
from fieldwork.extensions import db
from fieldwork.models import Project, User
from fieldwork.storage import store_upload
from interviews.recordings.models import Recording, TranscriptionJob
from interviews.transcripts.editing import save_version, set_status
from interviews.transcripts.models import Transcript
from tests.coding.test_exports import interview_source

DOUBTFUL = "Współpraca z Guangzhou zaczęła się w 2015 roku."
SOUND = "Urząd miasta ma jedną osobę do spraw partnerstw."
#: the estimates the job would have stored for the two segments
ESTIMATES = (0.62, 0.05)


@dataclass(frozen=True)
class Sample:
    transcript_id: int
    source_id: int
    doubtful_id: int
    sound_id: int


def doubtful_sample(project: Project, people: dict[str, User], audio: Path) -> Sample:
    """The transcript (segments 0-10 s and 10-20 s of a 21-second recording), coded and
    both codings in the quote bank."""
    lead = people["lead"]
    source = interview_source(project, lead, "Ewa Zielińska", "role", [DOUBTFUL, SOUND])
    transcript: Transcript = source.transcript
    stored = store_upload(BytesIO(audio.read_bytes()), "call.wav", lead.id)
    recording = Recording(project_id=project.id, interview_id=transcript.interview_id,
                          stored_file=stored, duration_s=21.0, codec="pcm_s16le")
    recording.jobs = [TranscriptionJob(project_id=project.id, state="done", progress=1.0,
                                       options={"engine": "faster-whisper", "model": "base",
                                                "language": "pl"})]
    transcript.recording = recording
    for segment, estimate in zip(transcript.segments, ESTIMATES, strict=True):
        segment.estimated_word_error = estimate
    transcript.reliability_basis = ["as the job would have said"]
    set_status(transcript, "ready", lead)
    save_version(transcript, lead, "Transcribed with base")
    source = source_of_transcript(transcript)
    code = db.session.scalar(db.select(Code).where(Code.project_id == project.id,
                                                   Code.name == "Beginnings")) \
        or create_code(project, CodeFields(name="Beginnings"), None, lead)
    doubtful, sound = (code_words(source, code.id, words, people["coder"])
                       for words in ("z Guangzhou zaczęła", "jedną osobę"))
    for coding in (doubtful, sound):
        add_quote(project, coding, "Chapter 2", "", lead)
    db.session.flush()
    return Sample(transcript.id, source.id, doubtful.id, sound.id)


def code_words(source: Source, code_id: int, words: str, coder: User) -> Coding:
    start = source.text.index(words)
    (coding,) = apply_codes(source, [code_id], start, start + len(words), source.text_version,
                            coder)
    return coding
