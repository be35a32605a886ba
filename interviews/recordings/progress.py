"""A running job's progress, time left and heartbeat, as the interview and queue pages see
them.

Whisper hands over a segment only when it has decoded a whole window of audio: about 3 s
on the base model on a laptop, but a minute or more for a large model on a busy machine.
Between segments a heartbeat thread keeps the job's row alive, so that the page does not
stand still and the recovery of stale jobs does not take a slow job for a dead one, and
moves the progress on at the pace measured so far, never past the end of the window being
decoded.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from fieldwork.database import writing
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from interviews.asr.base import TranscriptionCancelled
from interviews.recordings.models import TranscriptionJob

log = logging.getLogger(__name__)

#: the heartbeat writes when nothing was reported for this long (seconds)
HEARTBEAT_SECONDS = 10.0


class JobProgress:
    """Writes a running job's progress, time left and heartbeat, and stops the job (by
    raising TranscriptionCancelled) when someone asked it to."""

    def __init__(self, job: TranscriptionJob) -> None:
        self.job_id = job.id
        self.started = time.monotonic()
        self.last = 0.0
        self.last_at = self.started
        self.ceiling = 0.0
        self.lock = threading.Lock()

    def report(self, progress: float, ceiling: float | None = None) -> None:
        """Progress made; until the next report the heartbeat may estimate up to `ceiling`."""
        with self.lock:
            self.last, self.last_at = progress, time.monotonic()
            self.ceiling = max(progress, ceiling or 0.0)
        if self.write(progress):
            raise TranscriptionCancelled

    def pulse(self) -> None:
        """The heartbeat's write: the job is alive, with the progress estimated since the
        last report."""
        self.write(self.estimate())

    def quiet_for(self) -> float:
        with self.lock:
            return time.monotonic() - self.last_at

    def estimate(self, now: float | None = None) -> float:
        """The last progress moved on at the pace so far, up to the ceiling."""
        with self.lock:
            worked = self.last_at - self.started
            if self.last <= 0 or worked <= 0:
                return self.last
            pace = self.last / worked
            since = (now if now is not None else time.monotonic()) - self.last_at
            return min(self.last + pace * since, self.ceiling)

    def write(self, progress: float) -> bool:
        """Write the progress in one short transaction; return whether someone asked the job
        to stop. No transaction stays open while Whisper works: on SQLite a worker's
        transaction holds the write lock, and everyone's saves would wait for it."""
        job = db.session.get(TranscriptionJob, self.job_id)
        job.progress = max(job.progress or 0.0, progress)
        job.eta_s = self.eta(job.progress)
        job.heartbeat_at = utcnow()
        cancelled = job.cancel_requested
        db.session.commit()
        return cancelled

    def eta(self, progress: float) -> float | None:
        if progress <= 0:
            return None
        elapsed = time.monotonic() - self.started
        return round(elapsed / progress * (1 - progress), 1)


class Heartbeat:
    """A thread that pulses the job's progress whenever nothing was reported for `every`
    seconds, from its own application context and database session."""

    def __init__(self, app: Flask, progress: JobProgress,
                 every: float = HEARTBEAT_SECONDS) -> None:
        self.app = app
        self.progress = progress
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.beat, name="job-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stopped.set()
        self.thread.join()

    def beat(self) -> None:
        while not self.stopped.wait(self.every / 2):
            if self.progress.quiet_for() >= self.every:
                self.pulse()

    def pulse(self) -> None:
        with self.app.app_context(), writing():
            try:
                self.progress.pulse()
            except SQLAlchemyError:
                # a missed beat is harmless; the job's own next report writes again
                log.warning("job %s: the heartbeat could not be written", self.progress.job_id,
                            exc_info=True)
                db.session.rollback()
