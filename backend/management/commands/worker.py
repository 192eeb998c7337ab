"""`manage.py worker`: the background worker, django-tasks-db's `db_worker` made to wait out
a locked SQLite database.

On SQLite the worker claims the next task in an exclusive transaction. When another process
holds the write lock past the busy timeout (the relay delivering a backlog on a loaded machine,
a long write of the server's), that transaction's BEGIN fails with "database is locked", before
django-tasks-db's own handling of a locked claim, and `db_worker` ended. Here the claim is tried
again after `CLAIM_RETRY_SECONDS`, with one warning for each stretch of locked claims; any other
error, and any error of a task's own bookkeeping, still ends the worker.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from django.core.management.base import CommandError
from django.db.utils import OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("backend.worker")

# The pause before claiming again after a claim found the database locked. Short: each claim
# waits out the busy timeout (20 s) first, so this only spares a busy loop when SQLite answers
# "locked" at once.
CLAIM_RETRY_SECONDS = 1.0


class _StartedOnce(logging.Filter):
    """Lets db_worker's "Starting worker" line through once: claiming again after a locked
    claim enters its run again, which would say it once more each time."""

    def __init__(self) -> None:
        super().__init__()
        self.said = False

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Starting worker"):
            return True
        said, self.said = self.said, True
        return not said


class Worker(db_worker.Worker):
    """django-tasks-db's worker, whose claim of the next task waits out a locked database."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._warned = False  # this stretch of locked claims has been reported
        self._task_error: BaseException | None = None

    def run(self) -> None:
        started = _StartedOnce()
        db_worker.logger.addFilter(started)
        try:
            self._run_through_locks()
        finally:
            db_worker.logger.removeFilter(started)

    def _run_through_locks(self) -> None:
        while True:
            try:
                super().run()
            except OperationalError as error:
                # An error out of a task's bookkeeping passed through run_task: not a claim's.
                if error is self._task_error or not is_locked_database_exception(error):
                    raise
                if not self._warned:
                    logger.warning(
                        "Claiming the next task found the database locked (%s); claiming "
                        "again %.1f s after each claim that finds it so.",
                        error,
                        CLAIM_RETRY_SECONDS,
                    )
                    self._warned = True
                self.startup_delay = False
                time.sleep(CLAIM_RETRY_SECONDS)
            else:
                return

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self._warned = False  # the claim went through
        try:
            super().run_task(db_task_result)
        except BaseException as error:
            self._task_error = error
            raise


class Command(db_worker.Command):
    help = (
        "Run the background worker (django-tasks-db's db_worker, which waits out a locked SQLite "
        "database instead of ending)."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        # As db_worker's own handle, with this module's Worker.
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # in the reloader's child only
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
