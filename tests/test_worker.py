"""The worker and daphne run from inside the test session leave its signal handling alone.

A worker run used to leave its graceful-exit handlers installed in the test process; a daphne
forked afterwards answered SIGTERM with a graceful exit that waited for its request threads, and
one such child kept a whole test run from ever ending.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

import pytest

from tests.worker import run_worker, start_daphne, stop_daphne


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
