"""The relay: stored events to their after-commit handlers, at least once, in order per
aggregate.

Run by the `relay_events` task that `emit` enqueues with the events (one waiting task at a
time, whose runs deliver everything due: `backend.tasks.relay_events_wake`), by `manage.py relay`,
and by `manage.py sweep` for anything a lost task left behind. Each (event, handler) delivery
is acknowledged by an `EventDelivery` row written in the handler's own transaction: if the
process dies between the handler's effect and that row, the transaction undoes both and the
event is delivered again.
A handler whose effect lies outside the database (a push message, a payment provider) must
therefore be idempotent, e.g. by using the event's sequence number as its idempotency key.

When a handler fails, the failure is counted on the event and the aggregate's later events
wait, so no handler sees an aggregate's events out of order; other aggregates go on.

A task's run is bounded (`RUN_EVENTS`, `RUN_SECONDS`), since the worker runs one task at a
time and a backlog (the demo's thousands of events) would otherwise hold it for minutes, an
e-mail someone waits for included. A run that stops at its bound with events left queues the
next run and ends, so the tasks queued meanwhile go first (a higher priority before it, the
same priority in turn); the next run goes on after the last event this one looked at
(`after`). The series of runs keeps the order per aggregate:
an event up to `after` that a handler failed on (its `attempts`) is not tried again in the
series and holds its aggregate's later events, while one never tried (it committed after
the previous run read past its number) is delivered. The next run that starts from the
beginning (a change's wake-up, `manage.py relay`) tries the failed ones again.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from backend import clock
from backend.events import Phase, decode, listeners
from backend.models import EventDelivery, OutboxEvent

logger = logging.getLogger(__name__)


# How many waiting events a relay reads at a time.
BATCH_SIZE = 1000


def relay_pending(*, limit: int = BATCH_SIZE) -> int:
    """Deliver up to `limit` waiting events, oldest first; returns how many were completed."""
    pending = OutboxEvent.objects.filter(relayed_at__isnull=True).order_by("pk")[:limit]
    return _deliver_in_order(pending, waiting_behind_failure=set())


# A task's run stops after trying this many events, or once this many seconds have passed
# (whichever comes first, at least one event a run), and queues the next run: a task queued
# meanwhile, an e-mail someone waits for, waits that long at most behind a backlog (at
# ~50 ms an event, a run is ~5 s of the demo's 4-minute backlog), and a run's share of the
# worker does not depend on how fast the handlers are.
RUN_EVENTS = 100
RUN_SECONDS = 5.0


@dataclass(frozen=True)
class RelayRun:
    completed: int  # events delivered to every handler
    # The last event looked at when the run stopped at its bound with events left (the next
    # run goes on after it), else None: every event waiting was tried.
    resume_after: int | None = None


def relay_due(*, after: int = 0) -> RelayRun:
    """Deliver the waiting events, oldest first, reading on until none is left (those stored
    while it runs included) or the run's bound is reached; each is tried once, so a failing
    handler does not hold the run.

    `after`: the number the previous run of the series stopped at; an event up to it that
    has failed already is not tried again and holds its aggregate's later events (see the
    module's docstring). An event committed after this run's last read has woken another run
    (`emit` queues one whenever none is waiting to start), so nothing waits for the next
    change to be relayed."""
    deadline = time.monotonic() + RUN_SECONDS
    completed = tried = 0
    cursor = after
    waiting_behind_failure: set[tuple[str, int]] = set()
    for row in _waiting():
        aggregate = (row.aggregate_type, row.aggregate_id)
        if aggregate in waiting_behind_failure:
            cursor = max(cursor, row.pk)
            continue
        if row.pk <= after and row.attempts:
            waiting_behind_failure.add(aggregate)  # failed earlier in the series
            continue
        if tried and (tried >= RUN_EVENTS or time.monotonic() >= deadline):
            return RelayRun(completed=completed, resume_after=cursor)
        tried += 1
        cursor = max(cursor, row.pk)
        if deliver(row):
            completed += 1
        else:
            waiting_behind_failure.add(aggregate)
    return RelayRun(completed=completed)


def _waiting() -> Iterator[OutboxEvent]:
    """Every event waiting, oldest first, read a batch at a time up to the last one stored."""
    last = 0
    while True:
        batch = list(
            OutboxEvent.objects.filter(relayed_at__isnull=True, pk__gt=last).order_by("pk")[
                :BATCH_SIZE
            ]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


def _deliver_in_order(
    rows: Iterable[OutboxEvent], *, waiting_behind_failure: set[tuple[str, int]]
) -> int:
    """Deliver `rows` in their order, skipping the aggregates one of whose events failed (in
    `waiting_behind_failure`, which grows); how many were completed."""
    completed = 0
    for row in rows:
        aggregate = (row.aggregate_type, row.aggregate_id)
        if aggregate in waiting_behind_failure:
            continue
        if deliver(row):
            completed += 1
        else:
            waiting_behind_failure.add(aggregate)
    return completed


def deliver(row: OutboxEvent) -> bool:
    """Hand one stored event to each after-commit handler that has not acknowledged it yet.

    True when every handler has it (the row is then marked relayed), False after a failure.
    """
    try:
        event = decode(row.event_type, row.payload)
    except (LookupError, TypeError) as exc:
        _record_failure(row, exc)
        return False
    for subscription in listeners(event, Phase.AFTER_COMMIT):
        try:
            with transaction.atomic():
                # Relays running side by side take turns on each event.
                list(OutboxEvent.objects.select_for_update().filter(pk=row.pk).values_list("pk"))
                if EventDelivery.objects.filter(event=row, handler=subscription.name).exists():
                    continue
                subscription.handler(event, sequence=row.pk)
                EventDelivery.objects.create(
                    event=row, handler=subscription.name, delivered_at=clock.now()
                )
        except Exception as exc:  # noqa: BLE001 - any failure leaves the event for a retry
            _record_failure(row, exc)
            return False
    OutboxEvent.objects.filter(pk=row.pk, relayed_at__isnull=True).update(relayed_at=clock.now())
    return True


def _record_failure(row: OutboxEvent, exc: Exception) -> None:
    logger.exception("delivering event #%s (%s) failed", row.pk, row.event_type, exc_info=exc)
    OutboxEvent.objects.filter(pk=row.pk).update(
        attempts=F("attempts") + 1,
        last_error="".join(traceback.format_exception_only(exc)).strip()[:2000],
    )
