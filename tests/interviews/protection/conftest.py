"""An interview with a real recording (original and playback copy in the file store) and a
transcript that names its participant, for the data protection tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

import pytest

from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User
from fieldwork.storage import file_store, store_upload
from interviews.models import Interview, Participant
from interviews.participants import record_consent
from interviews.recordings.models import Recording
from interviews.transcripts.editing import save_version
from interviews.transcripts.models import Transcript, TranscriptSegment
from tests.access_samples import tone_wav

TURNS = [
    ("Interviewer", "Thank you for your time, Ms Secretname."),
    ("Claire Secretname", "I am Claire Secretname; write to claire.secret@example.org "
                          "or call +32 2 555 0199. The city signed an agreement with Chengdu."),
]


@dataclass
class Recorded:
    participant: Participant
    interview: Interview
    recording: Recording
    transcript: Transcript

    @property
    def blobs(self) -> list[str]:
        files = [self.recording.stored_file, self.recording.playback_file]
        return [stored.sha256 for stored in files if stored is not None]


def blob_exists(sha256: str) -> bool:
    return file_store().blob_path(sha256).exists()


def stored_rows(sha256: str) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(StoredFile)
                             .where(StoredFile.sha256 == sha256))


@pytest.fixture
def record_interview(
    project: Project, people: dict[str, User], make_participant: Callable[..., Participant],
    make_interview: Callable[..., Interview], files_dir: object,
) -> Callable[..., Recorded]:
    """An interview of a new participant (consent with `wish`), recorded and transcribed,
    its transcript saved with `status` `days_ago` days ago."""

    def make(wish: str = "project", status: str = "corrected", days_ago: int = 0,
             audio: bytes | None = None) -> Recorded:
        participant = make_participant(project)
        record_consent(participant, recording_allowed=True, attribution="named",
                       given_on=datetime(2026, 3, 1).date(), retention=wish, user=None)
        interview = make_interview(project, datetime(2026, 3, 16, 10),
                                   participants=[participant])
        stored = store_upload(BytesIO(audio or tone_wav()), "claire-secretname.wav",
                              people["interviewer"].id)
        playback = store_upload(BytesIO(b"playback copy of " + stored.sha256.encode()),
                                "claire-secretname-playback.m4a", None)
        recording = Recording(project_id=project.id, interview_id=interview.id,
                              stored_file=stored, playback_file=playback, duration_s=9.0)
        transcript = Transcript(project_id=project.id, interview_id=interview.id,
                                recording=recording, language="en", status=status)
        transcript.segments = [
            TranscriptSegment(position=i, start=i * 3.0, end=i * 3.0 + 3.0, speaker=speaker,
                              text=text, words=[{"start": 0.0, "end": 1.0, "text": "Claire",
                                                 "probability": 0.9}])
            for i, (speaker, text) in enumerate(TURNS)
        ]
        db.session.add_all([recording, transcript])
        db.session.flush()
        version = save_version(transcript, people["interviewer"], f"Marked {status}")
        version.saved_at = utcnow() - timedelta(days=days_ago)
        db.session.flush()
        return Recorded(participant, interview, recording, transcript)

    return make
