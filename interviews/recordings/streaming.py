"""Audio for the browser's player, with HTTP Range requests (seeking in a long recording
fetches only the bytes from there on). The file plays inline only when its bytes are audio
or video; anything else is a download (fieldwork.storage.stored_file_headers)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Request, Response
from werkzeug.wsgi import wrap_file

from fieldwork.filetypes import detect_type
from fieldwork.storage import stored_file_headers


class LazyFile(io.RawIOBase):
    """A file opened at its first read or seek: a response that is never sent (a HEAD
    request, an aborted connection) leaves no open file behind."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.handle: io.BufferedReader | None = None

    def opened(self) -> io.BufferedReader:
        if self.handle is None:
            self.handle = self.path.open("rb")
        return self.handle

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self.opened().readinto(buffer)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.opened().seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell() if self.handle is not None else 0

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
        super().close()


def audio_response(request: Request, path: Path, filename: str, etag: str) -> Response:
    """The file at path, with the type found in its bytes, answering Range and conditional
    requests (206, 304, 416)."""
    size = path.stat().st_size
    kind = detect_type(path)
    response = Response(wrap_file(request.environ, LazyFile(path)), mimetype=kind,
                        headers=stored_file_headers(filename, kind, inline=True),
                        direct_passthrough=True)
    response.content_length = size
    response.set_etag(etag)
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response.make_conditional(request, accept_ranges=True, complete_length=size)
