"""Content-addressed file storage: bytes under their sha256, streamed, never read whole."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import Response, abort, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from fieldwork.downloads import content_disposition
from fieldwork.extensions import db
from fieldwork.filetypes import detect_type, named_text_type, playable
from fieldwork.models import StoredFile
from fieldwork.security import STORED_FILE_HEADERS

CHUNK_SIZE = 1024 * 1024


class FileStore:
    """A folder of blobs named by sha256, e.g. files/ab/cd/abcd…"""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def blob_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def temp_dir(self) -> Path:
        path = self.root / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Copy a stream into the store in chunks; return its sha256 and size."""
        digest = hashlib.sha256()
        size = 0
        handle, temp_name = tempfile.mkstemp(dir=self.temp_dir())
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := stream.read(CHUNK_SIZE):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            return self.adopt(Path(temp_name), digest.hexdigest()), size
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def adopt(self, temp_path: Path, sha256: str) -> str:
        """Move a fully written file into place under its checksum (same file system)."""
        target = self.blob_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            temp_path.unlink()
        else:
            os.replace(temp_path, target)
        return sha256

    def iter_chunks(self, sha256: str) -> Iterator[bytes]:
        with self.blob_path(sha256).open("rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk

    def checksum_of(self, sha256: str) -> str:
        digest = hashlib.sha256()
        for chunk in self.iter_chunks(sha256):
            digest.update(chunk)
        return digest.hexdigest()

    def remove(self, sha256: str) -> None:
        self.blob_path(sha256).unlink(missing_ok=True)


def file_store() -> FileStore:
    return FileStore(Path(current_app.config["FILES_DIR"]))


def store_upload(stream: BinaryIO, filename: str, uploaded_by_id: int | None) -> StoredFile:
    """Stream an upload into the store and add its row (flushed, not committed), with the
    type found in its bytes: the type the uploader's browser declared is never kept."""
    store = file_store()
    sha256, size = store.put_stream(stream)
    stored = StoredFile(
        filename=Path(filename or "upload").name[:255],
        content_type=detect_type(store.blob_path(sha256)),
        size=size,
        sha256=sha256,
        uploaded_by_id=uploaded_by_id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def delete_row_of(stored: StoredFile) -> str | None:
    """Delete a file's row (flushed); return the sha256 of its bytes when no other row
    points at them, else None."""
    sha256 = stored.sha256
    db.session.delete(stored)
    db.session.flush()
    still_used = db.session.scalar(
        db.select(db.func.count()).select_from(StoredFile).where(StoredFile.sha256 == sha256)
    )
    return None if still_used else sha256


def delete_stored_file(stored: StoredFile) -> None:
    """Delete a file's row, and its bytes once no other row points at them."""
    unused = delete_row_of(stored)
    if unused:
        file_store().remove(unused)


#: session.info key: blobs whose last row was deleted, removed once the deletion is committed
_BLOBS_TO_REMOVE = "fieldwork.blobs_to_remove"


def discard_stored_file(stored: StoredFile) -> None:
    """Delete a file's row now, and its bytes once the deletion is committed if no other row
    points at them; a rollback keeps the bytes."""
    unused = delete_row_of(stored)
    if unused:
        db.session.info.setdefault(_BLOBS_TO_REMOVE, []).append((file_store(), unused))


@event.listens_for(Session, "after_commit")
def _remove_discarded_blobs(session: Session) -> None:
    for store, sha256 in session.info.pop(_BLOBS_TO_REMOVE, []):
        store.remove(sha256)


@event.listens_for(Session, "after_soft_rollback")
def _keep_discarded_blobs(session: Session, _transaction: object) -> None:
    session.info.pop(_BLOBS_TO_REMOVE, None)


def find_damaged_files() -> list[StoredFile]:
    """Every stored file whose bytes are missing or no longer match their checksum."""
    store = file_store()
    damaged = []
    for stored in db.session.scalars(db.select(StoredFile).order_by(StoredFile.id)):
        path = store.blob_path(stored.sha256)
        if not path.exists() or store.checksum_of(stored.sha256) != stored.sha256:
            damaged.append(stored)
    return damaged


def stored_file_headers(filename: str, kind: str, inline: bool = False) -> dict[str, str]:
    """How a stored file goes out: audio and video (when asked) play inline, anything else
    is a download; never sniffed, and sandboxed should a browser open it as a page."""
    return {**STORED_FILE_HEADERS,
            "Content-Disposition": content_disposition(filename, inline and playable(kind))}


def download_response(stored: StoredFile) -> Response:
    """Send a stored file as a download, streamed in chunks under its original name, with
    the type found in its bytes now (rows stored before types were probed hold the
    uploader's)."""
    store = file_store()
    path = store.blob_path(stored.sha256)
    if not path.exists():
        abort(404)
    kind = named_text_type(detect_type(path), stored.filename)
    return Response(
        store.iter_chunks(stored.sha256), mimetype=kind,
        headers={**stored_file_headers(stored.filename, kind),
                 "Content-Length": str(path.stat().st_size)},
    )
