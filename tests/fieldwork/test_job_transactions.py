"""The check that no job holds a database transaction open across long work: a job's
transaction open longer than JOB_TRANSACTION_WARN_SECONDS is logged (and fails the test
it happens in, tests/conftest.py); a page's or a short one is not."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import nullcontext

import pytest
from flask import Flask

from fieldwork.database import writing
from fieldwork.extensions import db
from fieldwork.models import User

pytestmark = pytest.mark.committed


def hold_transaction(app: Flask, seconds: float, as_job: bool) -> None:
    """Read, wait, commit, in a thread of its own as a worker's job (or a page) would."""

    def work() -> None:
        with app.app_context(), writing() if as_job else nullcontext():
            db.session.scalar(db.select(db.func.count()).select_from(User))
            time.sleep(seconds)
            db.session.commit()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_a_job_that_holds_its_transaction_too_long_is_reported(
    app: Flask, monkeypatch: pytest.MonkeyPatch,
    long_job_transactions: list[logging.LogRecord],
) -> None:
    monkeypatch.setitem(app.config, "JOB_TRANSACTION_WARN_SECONDS", 1)
    hold_transaction(app, 0.1, as_job=True)
    hold_transaction(app, 1.3, as_job=False)
    assert long_job_transactions == []
    hold_transaction(app, 1.3, as_job=True)
    [record] = long_job_transactions
    assert record.levelno == logging.WARNING
    assert "A job held a database transaction open for 1." in record.getMessage()
    long_job_transactions.clear()

