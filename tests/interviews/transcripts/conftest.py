"""A transcript with known segments and word timings, made without transcribing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from io import BytesIO

import pytest

from fieldwork.extensions import db
from fieldwork.models import Project
from fieldwork.storage import store_upload
from interviews.models import Interview
from interviews.recordings.models import Recording
from interviews.transcripts.editing import save_version
from interviews.transcripts.models import Transcript, TranscriptSegment

TURNS = [
    (0.0, 3.0, "Speaker 1", "How did the partnership with Chengdu begin?",
     [0.9, 0.9, 0.9, 0.9, 0.9, 0.3, 0.9]),
    (3.5, 9.0, "Speaker 2", "It began with a visit of the mayor. Then we signed an agreement.",
     [0.9] * 13),
]


def words_of(text: str, start: float, end: float, probabilities: list[float]) -> list[dict]:
    tokens = text.split()
    step = (end - start) / len(tokens)
    return [{"start": round(start + i * step, 2), "end": round(start + (i + 1) * step, 2),
             "text": token, "probability": p} for i, (token, p) in
            enumerate(zip(tokens, probabilities, strict=True))]


@pytest.fixture
def transcript(project: Project, make_interview: Callable[..., Interview]) -> Transcript:
    interview = make_interview(project, datetime(2026, 3, 16, 10))
    stored = store_upload(BytesIO(b"not played in these tests"), "call.wav", None)
    recording = Recording(project_id=project.id, interview_id=interview.id, stored_file=stored,
                          duration_s=9.0, codec="pcm_s16le")
    transcript = Transcript(project_id=project.id, interview_id=interview.id,
                            recording=recording, language="en")
    transcript.segments = [
        TranscriptSegment(position=i, start=start, end=end, speaker=speaker, text=text,
                          words=words_of(text, start, end, probabilities),
                          flags=["low_confidence"] if min(probabilities) < 0.5 else [])
        for i, (start, end, speaker, text, probabilities) in enumerate(TURNS)
    ]
    db.session.add_all([recording, transcript])
    db.session.flush()
    save_version(transcript, None, "Transcribed with tiny.en")
    return transcript
