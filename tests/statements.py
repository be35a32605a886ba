"""Counting the SQL statements a request runs, to find queries repeated once per item shown.

Transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT, ROLLBACK) is left out: SQLite's
driver and PostgreSQL's differ there, and the tests' SAVEPOINT per commit would count too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from fieldwork.extensions import db

TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The data statements run on the app's engine while inside the block, as a list."""
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
