"""The worker and daphne run from inside the test session leave its signal handling alone, and
the worker waits out a locked SQLite database.

A worker run used to leave its graceful-exit handlers installed in the test process; a daphne
forked afterwards answered SIGTERM with a graceful exit that waited for its request threads, and
one such child kept a whole test run from ever ending.

django-tasks-db's worker ended when its claim of the next task found SQLite's write lock held
past the busy timeout; Quartier's (`manage.py worker`) claims again after a pause.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import sys
import threading
from types import FrameType
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.utils import OperationalError
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from backend.management.commands import worker
from backend.tasks import password_reset_mail_send
from tests.factories import UserFactory
from tests.worker import run_worker, start_daphne, stop_daphne

# How long the other connection holds SQLite's write lock, and the worker's busy timeout.
LOCK_HELD_SECONDS = 1.5
BUSY_TIMEOUT_SECONDS = 0.2
# The signals the worker's command answers (and the tests hand back as they were).
WORKER_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def _graceful(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


async def _nothing(scope: dict[str, Any], receive: Any, send: Any) -> None:
    return None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_run_leaves_the_signal_handlers_as_they_were():
    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    run_worker()
    assert {number: signal.getsignal(number) for number in before} == before


def test_a_daphne_child_dies_of_sigterm_whatever_handler_the_test_process_has():
    previous = signal.signal(signal.SIGTERM, _graceful)
    try:
        process = start_daphne(lambda: _nothing)
    finally:
        signal.signal(signal.SIGTERM, previous)
    stop_daphne(process)
    assert process.exitcode == -signal.SIGTERM


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch):
    """The worker's connection gives up waiting for SQLite's write lock after 0.2 s (20 s in
    the settings), and claims again 0.05 s later."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", BUSY_TIMEOUT_SECONDS)
    monkeypatch.setattr(worker, "CLAIM_RETRY_SECONDS", 0.05)
    connection.close()
    yield
    connection.close()  # the next connection has the settings' timeout again


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("short_busy_timeout")
def test_the_worker_waits_out_a_write_lock_held_past_the_busy_timeout(caplog):
    # Given a task waiting, and another connection holding SQLite's write lock for 1.5 s
    UserFactory.create(email="anna@example.ch")
    password_reset_mail_send.enqueue("anna@example.ch")
    holder = sqlite3.connect(
        connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(LOCK_HELD_SECONDS, holder.execute, ["COMMIT"])
    release.start()

    # When the worker claims meanwhile (its claims give up after 0.2 s)
    try:
        with caplog.at_level(logging.WARNING, logger="backend.worker"):
            run_worker()
    finally:
        release.join()
        holder.close()

    # Then it stayed up, said so once, and ran the task once the lock was released
    assert [(r.name, r.levelname) for r in caplog.records if r.name == "backend.worker"] == [
        ("backend.worker", "WARNING")
    ]
    assert "database is locked" in caplog.records[0].getMessage()
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("backend.tasks.password_reset_mail_send", "SUCCESSFUL")
    ]
    assert [message.to for message in mail.outbox] == [["anna@example.ch"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_any_other_error_of_the_claim_still_ends_the_worker(monkeypatch):
    # Given a task waiting, and a claim that fails otherwise than on a lock
    password_reset_mail_send.enqueue("anna@example.ch")
    claims: list[str] = []

    def broken(queryset: DBTaskResultQuerySet) -> None:
        claims.append("claim")
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", broken)

    # When the worker runs, then it ends at the first claim with the error, the task untouched
    with pytest.raises(OperationalError, match="disk I/O error"):
        run_worker()
    assert claims == ["claim"]
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["READY"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("short_busy_timeout")
def test_the_worker_says_it_starts_once_however_often_its_claim_found_the_lock(caplog):
    # Given a task waiting, and another connection holding SQLite's write lock for 1.5 s, so
    # that several claims in a row find it locked
    password_reset_mail_send.enqueue("anna@example.ch")
    holder = sqlite3.connect(
        connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(LOCK_HELD_SECONDS, holder.execute, ["COMMIT"])
    release.start()

    # When the worker runs with its INFO lines shown, as `make run` starts it
    handlers = {number: signal.getsignal(number) for number in WORKER_SIGNALS}
    try:
        with caplog.at_level(logging.INFO):
            call_command("worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    finally:
        release.join()
        holder.close()
        for number, handler in handlers.items():
            signal.signal(number, handler)

    # Then its log says it started once, warned once of the lock, and ran the task
    lines = [record.getMessage() for record in caplog.records]
    assert len([line for line in lines if line.startswith("Starting worker")]) == 1
    assert len([line for line in lines if line.startswith("Claiming the next task")]) == 1
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"]
