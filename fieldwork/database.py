"""Engine settings per database: SQLite in WAL mode with a busy timeout, so several coders
can write at once, and transactions that SAVEPOINTs work inside; PostgreSQL as it is.

A job's transaction that stays open longer than JOB_TRANSACTION_WARN_SECONDS is logged as
a warning: on SQLite it holds the write lock, so every save on the site waits for it (and
fails after the busy timeout). Jobs do their long work (a conversion, a transcription)
between short transactions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.expression import Executable

from fieldwork.config import SETTINGS
from fieldwork.extensions import db
from fieldwork.folding import fold_text

SQLITE_BUSY_TIMEOUT_MS = 15_000
#: connection.info key: when the open transaction began, and whether a job began it
_BEGAN = "fieldwork.transaction_began"

log = logging.getLogger(__name__)

#: True: transactions take SQLite's write lock up front; False: they only read; None: a form
#: post writes, anything else reads
_writer: ContextVar[bool | None] = ContextVar("fieldwork_writer", default=None)


@contextmanager
def writing() -> Iterator[None]:
    """Mark work outside a form post (a job, a command) that reads and then writes, so its
    SQLite transactions take the write lock up front; such work keeps transactions short."""
    token = _writer.set(True)
    try:
        yield
    finally:
        _writer.reset(token)


@contextmanager
def reading() -> Iterator[None]:
    """Mark long work that only reads (a job building a file), even inside `writing()`: its
    SQLite transactions take no lock, so everyone else's saves go on while it works."""
    token = _writer.set(False)
    try:
        yield
    finally:
        _writer.reset(token)


def configure_engine(url: str) -> dict[str, Any]:
    """SQLAlchemy engine options for the database at `url`."""
    if url.startswith("sqlite"):
        # Connections are kept open: closing the last one checkpoints the WAL, which would
        # cost every request several milliseconds.
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                 "check_same_thread": False},
                "pool_size": 5, "max_overflow": 10}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


@event.listens_for(Engine, "connect")
def prepare_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy issue BEGIN itself: pysqlite's own transaction handling breaks SAVEPOINT.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function("fold_text", 1, fold_text, deterministic=True)


@event.listens_for(Engine, "begin")
def begin_sqlite_transaction(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        return
    writer = _writer.get()
    if writer is None:
        writer = has_request_context() and request.method not in {"GET", "HEAD"}
    if writer:
        # A form post reads, then writes: taking the write lock up front makes concurrent
        # posts wait for each other (busy timeout) instead of failing on the upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        # Pages and commands read without blocking writers (WAL).
        connection.exec_driver_sql("BEGIN")


@event.listens_for(Engine, "begin")
def note_transaction_start(connection: Any) -> None:
    connection.info[_BEGAN] = (time.monotonic(), _writer.get())


def transaction_limit() -> float:
    if has_app_context():
        return current_app.config["JOB_TRANSACTION_WARN_SECONDS"]
    return SETTINGS["JOB_TRANSACTION_WARN_SECONDS"].default


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def check_transaction_length(connection: Any) -> None:
    """Warn when a job (work marked `writing`) held its transaction open too long."""
    began, by_job = connection.info.pop(_BEGAN, (None, False))
    if began is None or not by_job:
        return
    held, limit = time.monotonic() - began, transaction_limit()
    if held > limit:
        log.warning("A job held a database transaction open for %.1f s (more than %s s): "
                    "on SQLite every save on the site waited for it.", held, limit)


def declared_in_models(name: str | None, type_: str, _parents: dict[str, Any]) -> bool:
    """Whether Alembic compares this schema object with the models: full-text indexes
    (tables, columns and indexes whose names contain "_fts", with SQLite's shadow tables) are
    made by DDL for one database or the other, which Alembic cannot compare."""
    return not (type_ in ("table", "index", "column") and name is not None and "_fts" in name)


def plain_rows(statement: Executable) -> list[tuple[Any, ...]]:
    """The rows of a SELECT as the database driver gives them: plain tuples, in the session's
    transaction. For reads of 100,000 rows or more, where SQLAlchemy's rows (about 1.3 µs
    each) would cost as much as the database's work; columns come without type processing,
    so select only integers, text and the like."""
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    values = compiled.construct_params()
    parameters = (tuple(values[name] for name in compiled.positiontup or ())
                  if compiled.positional else values)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), parameters)
        return cursor.fetchall()
    finally:
        cursor.close()
