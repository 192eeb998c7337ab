"""Background work of the core, run by the django-tasks-db worker."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import router, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from backend.password_reset import password_reset_mail
from backend.prepared import Prepared
from backend.relay import relay_due


@task()
def relay_events(after: int = 0) -> int:
    """Deliver the stored events that are waiting to their after-commit handlers, those stored
    while it runs included, for a bounded time; returns how many were delivered.

    A run that stops at its bound with events left queues the next run (after the last event
    it looked at), unless a relay task waits already, and ends: the worker takes the next task
    by priority, so a task someone waits for, queued meanwhile, goes before the backlog's rest.
    """
    run = relay_due(after=after)
    if run.resume_after is not None:
        with transaction.atomic():
            relay_events_wake(after=run.resume_after)
    return run.completed


def relay_events_wake(*, after: int = 0) -> None:
    """Have the relay task run after the current transaction commits: queue one unless one is
    queued already and has not started, so a burst of changes wakes the worker once, and a
    bounded run's next run is not queued beside a waiting one. `after`: where a bounded run
    stopped, for the next run of its series (`backend.relay.relay_due`); a waiting task of
    another series does that work too (it delivers every event not tried in its series).

    Caller: inside the transaction that stored the events (`emit`), or a transaction of its
    own at the end of a bounded run (`relay_events`). The queued task found is
    held until that transaction ends, so no worker starts it before the events are committed
    and readable; on PostgreSQL by a shared row lock (the worker claims with FOR UPDATE SKIP
    LOCKED and passes it by meanwhile; changes committing side by side share it), on SQLite by
    the write lock every transaction takes at BEGIN. A task being claimed or running does not
    count: it may have read the outbox already, so a new one is queued. Two transactions that
    both find none each queue one; the second run finds nothing left to do.
    """
    if not isinstance(relay_events.get_backend(), DatabaseBackend):
        _relay_events_enqueue(after)
        return
    using = router.db_for_read(DBTaskResult)
    if not RELAY_QUEUED.rows(using, now=timezone.now()):
        _relay_events_enqueue(after)


def _relay_queued(now: datetime) -> QuerySet[DBTaskResult, tuple[UUID]]:
    """A relay task queued and not yet started (`DBTaskResult.objects.ready()` at `now`)."""
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lte=now))
        .filter(
            task_path=relay_events.module_path,
            backend_name=relay_events.backend,
            queue_name=relay_events.queue_name,
            priority=relay_events.priority,
        )
        .order_by()
        .values_list("pk")[:1]
    )


# Every change that emits an event someone hears after commit asks it: built once per database
# (the ORM took longer to build it than the database to answer). On PostgreSQL the task found is
# held with a shared row lock (see `relay_events_wake`).
RELAY_QUEUED = Prepared(
    _relay_queued, suffix={"postgresql": " FOR SHARE SKIP LOCKED"}, now=datetime
)


def _relay_events_enqueue(after: int) -> None:
    if after:
        relay_events.enqueue(after=after)
    else:
        relay_events.enqueue()


# A task someone is waiting for (an e-mail they just asked for) goes before the background
# work queued ahead of it: the worker takes the highest priority first.
SOMEONE_WAITS = 50


@task(priority=SOMEONE_WAITS)
def password_reset_mail_send(email: str) -> None:
    """The e-mail asked for on the password-reset form, sent here so that the form's answer
    does not wait for the mail server (its time would tell which addresses have accounts)."""
    password_reset_mail(email=email)
