"""The playback-copy job: an AAC copy of a recording that every browser plays, and its
waveform's peaks.

Converting a 2-hour recording takes minutes, so no transaction stays open meanwhile: on
SQLite a job's transaction holds the write lock from its first statement, and every save
on the site would wait for it (and fail after the busy timeout). The job reads what it
needs and commits, converts with no transaction open, then writes the result in a short
transaction of its own.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fieldwork.extensions import db
from fieldwork.models import StoredFile
from fieldwork.storage import file_store
from interviews.recordings.media import PLAYBACK_CONTENT_TYPE, make_playback_copy
from interviews.recordings.models import Recording
from interviews.recordings.probing import MediaError
from interviews.recordings.uploads import sha256_of


@dataclass(frozen=True)
class Original:
    """What the conversion needs to know of a recording, read before it starts."""

    recording_id: int
    path: Path
    stem: str
    uploaded_by_id: int | None


def original_of(recording_id: int) -> Original | None:
    """The recording's original file, or None when it is gone or already has its copy; the
    reading transaction is ended before the conversion starts."""
    recording = db.session.get(Recording, recording_id)
    original = None
    if recording is not None and recording.playback_file_id is None:
        original = Original(recording_id, file_store().blob_path(recording.stored_file.sha256),
                            Path(recording.stored_file.filename).stem, recording.uploaded_by_id)
    db.session.commit()
    return original


def convert(original: Original) -> tuple[Path, list[float]]:
    """The AAC copy in a temporary file of the store, and the waveform's peaks."""
    handle, temp_name = tempfile.mkstemp(dir=file_store().temp_dir(), suffix=".m4a")
    os.close(handle)
    temp = Path(temp_name)
    try:
        return temp, make_playback_copy(original.path, temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def save_copy(original: Original, temp: Path, peaks: list[float]) -> bool:
    """Keep the copy in the store and on the recording, in a short transaction; a
    recording deleted meanwhile gets nothing and the copy is dropped."""
    sha256, size = sha256_of(temp), temp.stat().st_size
    recording = db.session.get(Recording, original.recording_id)
    if recording is None or recording.playback_file_id is not None:
        db.session.commit()
        temp.unlink(missing_ok=True)
        return False
    file_store().adopt(temp, sha256)
    recording.playback_file = StoredFile(
        filename=f"{original.stem}-playback.m4a", content_type=PLAYBACK_CONTENT_TYPE,
        size=size, sha256=sha256, uploaded_by_id=original.uploaded_by_id,
    )
    recording.peaks = peaks
    recording.playback_error = ""
    db.session.commit()
    return True


def save_error(recording_id: int, error: Exception) -> None:
    recording = db.session.get(Recording, recording_id)
    if recording is not None:
        recording.playback_error = f"The playback copy could not be made: {error}"
    db.session.commit()


def make_playback_for(recording_id: int) -> bool:
    """Make the recording's playback copy; return whether one was made."""
    original = original_of(recording_id)
    if original is None:
        return False
    try:
        temp, peaks = convert(original)
    except (MediaError, OSError, ValueError) as error:
        save_error(recording_id, error)
        return False
    return save_copy(original, temp, peaks)
