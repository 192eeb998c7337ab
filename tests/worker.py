"""The real worker (`manage.py worker`, django-tasks-db's) and a real daphne, run from inside a
test session.

Both leave the test process as they found it. The worker's command installs its own SIGINT,
SIGTERM and SIGQUIT handlers (a graceful `sys.exit` on the first signal) and never removes them:
left in place, every process forked afterwards inherits them, and a daphne child then answers
SIGTERM with a graceful exit that waits for its busy request threads, sometimes for ever, so the
test run never ends. `run_worker` puts the handlers back; the daphne children start from the
default handlers, and `stop_daphne` kills a child that has not gone 10 seconds after SIGTERM.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

_WORKER_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


@contextmanager
def _signal_handlers_kept() -> Iterator[None]:
    saved = {number: signal.getsignal(number) for number in _WORKER_SIGNALS}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def run_worker() -> None:
    """Run the real worker over every due task; no task may fail."""
    with _signal_handlers_kept():
        call_command("worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    assert list(DBTaskResult.objects.failed().values_list("task_path", "traceback")) == []


def start_daphne(application_factory: Callable[[], Any]) -> Any:
    """daphne serving `application_factory()` on a free loopback port, in a forked child."""
    from daphne.testing import DaphneProcess

    class Daphne(DaphneProcess):
        def run(self) -> None:
            for number in _WORKER_SIGNALS:
                signal.signal(number, signal.SIG_DFL)
            super().run()

    process = Daphne("127.0.0.1", application_factory)
    process.start()
    if not process.ready.wait(timeout=30):
        stop_daphne(process)
        raise RuntimeError("daphne did not start")
    return process


def stop_daphne(process: Any) -> None:
    """SIGTERM, then SIGKILL if the child is still there 10 seconds later."""
    process.terminate()
    process.join(timeout=10)
    if process.is_alive():
        process.kill()
        process.join(timeout=10)
