"""Background file work: an export or an import that runs as a job, with its progress, its
result (a stored file, or a report) and whether its starter has been told it ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models.files import StoredFile
from fieldwork.models.users import User

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)


class BackgroundTask(db.Model):
    """One export or import run by a worker; written by fieldwork.background only."""

    __tablename__ = "background_tasks"
    __table_args__ = (Index("ix_background_tasks_notices", "user_id", "seen_at", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            index=True)
    #: who started it: told when it ends, may download its file
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: which registered work it runs, e.g. "coding.export"
    kind: Mapped[str] = mapped_column(String(60))
    #: what it makes, in words, e.g. "XLSX export of 100,000 codings"
    label: Mapped[str] = mapped_column(String(200))
    #: the project permission needed to download its file or start it again
    permission: Mapped[str] = mapped_column(String(40))
    #: what the work needs to know (the export's choices), as JSON
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: queued, running, done or failed
    status: Mapped[str] = mapped_column(String(20), default=QUEUED)
    #: 0 to 1
    progress: Mapped[float] = mapped_column(default=0.0)
    #: the progress in words, e.g. "40,000 of 100,000 codings written"
    message: Mapped[str] = mapped_column(String(300), default="")
    #: the uploaded file an import reads
    input_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"))
    #: the file an export made; None until done, and again once deleted after retention
    result_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"))
    #: what an import did or found: {"lines": [...], "problems": [...],
    #: "next": [link text, endpoint], "action": [button text, endpoint, {field: value}]}
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: why it failed, in words
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: written with each progress report: a running task without one for long lost its worker
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when its starter was told it ended (a notice on their next page, or its own page)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when its file was deleted after the retention period
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    input_file: Mapped[StoredFile | None] = relationship(foreign_keys=[input_file_id])
    result_file: Mapped[StoredFile | None] = relationship(foreign_keys=[result_file_id])

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        return round((self.progress or 0.0) * 100)


class ImportLock(db.Model):
    """A project that a background import is filling: its pages stay closed (but for its
    tasks) until the import ends, so nobody sees it half written. `marks` tell which rows the
    import wrote, for deleting them should it fail or its worker die."""

    __tablename__ = "import_locks"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            unique=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("background_tasks.id", ondelete="CASCADE"),
                                         unique=True)
    #: table name -> the lowest id a row the import writes there can have
    marks: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[BackgroundTask] = relationship()
