"""The background job queue (Huey) and the `job` decorator every package's tasks.py uses.

By default the queue is a SQLite file in the instance folder, consumed by the worker that
`fieldwork serve` starts as a child process; with FIELDWORK_REDIS_URL it is Redis,
consumed by any number of `fieldwork worker` processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, has_app_context
from huey import Huey
from huey.consumer import Consumer
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from fieldwork.database import writing

huey = Huey("fieldwork", storage_class=MemoryStorage, utc=True)

_bound_app: Flask | None = None


def queue_file(app: Flask) -> Path:
    return Path(app.instance_path) / "jobs.db"


def configure_queue(app: Flask) -> None:
    """Point the queue at this app's storage; tasks run inside this app's context."""
    global _bound_app
    if app.config["JOBS_IMMEDIATE"]:
        huey.storage_class, huey.storage_kwargs = MemoryStorage, {}
    elif app.config["REDIS_URL"]:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": str(queue_file(app))}
    huey.name = app.config["QUEUE_NAME"]
    huey.storage = huey.create_storage()
    huey.immediate = app.config["JOBS_IMMEDIATE"]
    _bound_app = app


def uses_embedded_worker(app: Flask) -> bool:
    return not app.config["REDIS_URL"] and not app.config["JOBS_IMMEDIATE"]


def job(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Register a background task that runs with an application context and its own commits."""

    def decorator(func: Callable[..., Any]) -> Any:
        @wraps(func)
        def run_in_app(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                return func(*args, **kwargs)
            if _bound_app is None:
                raise RuntimeError("the job queue is not configured: call create_app() first")
            with _bound_app.app_context(), writing():
                return func(*args, **kwargs)

        return huey.task(name=f"{func.__module__}.{func.__name__}", **options)(run_in_app)

    return decorator


def make_consumer(workers: int, periodic: bool = True) -> Consumer:
    """A consumer of this process's queue; run() blocks until stopped. With periodic, it
    also enqueues the scheduled tasks (one worker per queue should)."""
    logging.getLogger("huey").setLevel(logging.INFO)
    return huey.create_consumer(workers=workers, worker_type="thread", check_worker_health=True,
                                periodic=periodic)


def pending_count() -> int:
    return huey.pending_count()
