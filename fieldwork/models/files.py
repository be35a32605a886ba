from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db


class StoredFile(db.Model):
    """An uploaded file; its bytes live in the file store under their sha256."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the name the user's file had
    filename: Mapped[str] = mapped_column(String(255))
    #: the type found in the bytes when the file was stored (fieldwork.filetypes), never
    #: the one the uploader's browser declared
    content_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int] = mapped_column(BigInteger)
    #: hex sha256 of the content, also its storage key
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
