"""Chunked, resumable uploads of recordings, and what happens when one is complete.

The browser slices the file into chunks (8 MiB) and posts each with its byte offset; the
server appends it to FILES_DIR/tmp/uploads/<upload id>/data. Asking for the upload's
status tells how many bytes arrived, so a dropped connection resumes from there. When all
bytes are in, the server computes the sha256, probes the media, and either keeps the file
as a new recording part or throws it away with a message.

Checksum: browsers' SubtleCrypto cannot hash a stream, only a whole buffer, so the browser
hashes files it can hold in memory (up to 256 MB) and compares its digest with the
server's; for larger files the page shows the server's checksum so it can be compared with
`sha256sum` on the recorder's copy.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.filetypes import detect_type
from fieldwork.models import Project, StoredFile, User
from fieldwork.storage import CHUNK_SIZE, file_store
from interviews.models import Interview
from interviews.participants import recording_allowed
from interviews.recordings.models import Recording
from interviews.recordings.probing import MediaError, MediaInfo, probe

#: largest recording accepted, whatever the size of one request
MAX_RECORDING_BYTES = 4 * 1024**3
#: what the browser sends per request
CLIENT_CHUNK_BYTES = 8 * 1024**2
#: an upload untouched this long is abandoned and its bytes removed
ABANDONED_AFTER_S = 2 * 24 * 3600
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


class UploadError(ValueError):
    """An upload that cannot go on or be kept, said in words."""


class OffsetMismatch(UploadError):
    """A chunk that does not continue where the upload stands; `offset` says where it does."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"The server has {offset} bytes of this file; continue from there.")
        self.offset = offset


@dataclass
class Upload:
    id: str
    project_id: int
    interview_id: int
    user_id: int | None
    filename: str
    size: int

    @property
    def folder(self) -> Path:
        return uploads_dir() / self.id

    @property
    def data_path(self) -> Path:
        return self.folder / "data"

    @property
    def received(self) -> int:
        return self.data_path.stat().st_size if self.data_path.exists() else 0


@dataclass(frozen=True)
class Finished:
    recording: Recording
    sha256: str
    #: the same file was already a recording of this interview: that one is returned
    duplicate: bool


def uploads_dir() -> Path:
    return Path(current_app.config["FILES_DIR"]) / "tmp" / "uploads"


def start_upload(interview: Interview, user: User | None, filename: str, size: int) -> Upload:
    allowed, reason = recording_allowed(interview)
    if not allowed:
        raise UploadError(f"This interview may not be recorded: {reason}")
    if size <= 0:
        raise UploadError("The file is empty.")
    if size > MAX_RECORDING_BYTES:
        raise UploadError("The file is larger than 4 GB; split it into parts and upload each.")
    upload = Upload(
        id=secrets.token_hex(16), project_id=interview.project_id, interview_id=interview.id,
        user_id=user.id if user else None, filename=Path(filename or "recording").name[:255],
        size=size,
    )
    upload.folder.mkdir(parents=True)
    upload.data_path.touch()
    (upload.folder / "upload.json").write_text(json.dumps(asdict(upload)))
    return upload


def find_upload(upload_id: str, project: Project) -> Upload | None:
    """The project's upload with this id, or None (also for a malformed id)."""
    if not UPLOAD_ID.fullmatch(upload_id):
        return None
    meta = uploads_dir() / upload_id / "upload.json"
    if not meta.exists():
        return None
    saved = json.loads(meta.read_text())
    # an upload begun before an upgrade may carry keys that are no longer kept
    upload = Upload(**{field.name: saved[field.name] for field in fields(Upload)})
    return upload if upload.project_id == project.id else None


def append_chunk(upload: Upload, offset: int, stream: BinaryIO) -> int:
    """Append the chunk that starts at `offset`; return the bytes received so far."""
    if offset != upload.received:
        raise OffsetMismatch(upload.received)
    with upload.data_path.open("ab") as out:
        while chunk := stream.read(CHUNK_SIZE):
            out.write(chunk)
            if out.tell() > upload.size:
                out.truncate(offset)
                raise UploadError("More bytes arrived than the file has; the chunk was dropped.")
    return upload.received


def discard_upload(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def existing_recording(interview: Interview, sha256: str) -> Recording | None:
    return db.session.scalar(
        db.select(Recording).join(StoredFile, Recording.stored_file_id == StoredFile.id)
        .where(Recording.interview_id == interview.id, StoredFile.sha256 == sha256)
    )


def next_part(interview: Interview) -> int:
    highest = db.session.scalar(
        db.select(db.func.max(Recording.part)).where(Recording.interview_id == interview.id)
    )
    return (highest or 0) + 1


def finish_upload(upload: Upload, interview: Interview) -> Finished:
    """Check the complete file and keep it as the interview's next recording part.

    The temporary bytes are removed whatever happens: kept files move into the store.
    """
    try:
        if upload.received != upload.size:
            raise UploadError(
                f"The upload is incomplete: {upload.received} of {upload.size} bytes arrived."
            )
        sha256 = sha256_of(upload.data_path)
        duplicate = existing_recording(interview, sha256)
        if duplicate is not None:
            return Finished(duplicate, sha256, duplicate=True)
        try:
            info = probe(upload.data_path)
        except MediaError as error:
            raise UploadError(f"{upload.filename} was not kept. {error}") from None
        kind = detect_type(upload.data_path)
        file_store().adopt(upload.data_path, sha256)
        recording = add_recording(interview, upload, sha256, kind, info)
        return Finished(recording, sha256, duplicate=False)
    finally:
        discard_upload(upload)


def add_recording(interview: Interview, upload: Upload, sha256: str, kind: str,
                  info: MediaInfo) -> Recording:
    """The recording's rows (flushed); `kind` is the type found in its bytes."""
    stored = StoredFile(
        filename=upload.filename, content_type=kind, size=upload.size,
        sha256=sha256, uploaded_by_id=upload.user_id,
    )
    db.session.add(stored)
    recording = Recording(
        project_id=interview.project_id, interview_id=interview.id, stored_file=stored,
        part=next_part(interview), duration_s=info.duration_s, codec=info.codec,
        channels=info.channels, sample_rate=info.sample_rate, uploaded_by_id=upload.user_id,
    )
    db.session.add(recording)
    db.session.flush()
    audit.record(
        "recording.upload", recording, project=db.session.get(Project, interview.project_id),
        summary=f"Recording part {recording.part} of interview {interview.id} uploaded "
                f"({upload.filename}, {info.duration_s / 60:.1f} min)",
        user_id=upload.user_id, sha256=sha256,
    )
    return recording


def purge_abandoned_uploads(now: float | None = None) -> int:
    """Remove uploads untouched for two days; return how many."""
    now = now if now is not None else time.time()
    removed = 0
    folder = uploads_dir()
    if not folder.is_dir():
        return 0
    for upload_folder in folder.iterdir():
        data = upload_folder / "data"
        touched = data.stat().st_mtime if data.exists() else upload_folder.stat().st_mtime
        if now - touched > ABANDONED_AFTER_S:
            shutil.rmtree(upload_folder, ignore_errors=True)
            removed += 1
    return removed
