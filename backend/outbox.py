"""`emit`: the one way a domain event leaves the code that caused it.

It must run inside the transaction that made the change (it refuses otherwise). In that
transaction it stores one `OutboxEvent` row per event, runs the in-transaction handlers, and,
when an after-commit handler listens to any of the events, wakes the relay: it queues the
relay task unless one is queued and not yet started (`relay_events_wake`). The task row is
written in the same transaction, so it exists if and only if the events committed;
`manage.py sweep` relays whatever a lost task left behind.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db import transaction

from backend import clock
from backend.events import DomainEvent, Phase, batches, listeners
from backend.models import OutboxEvent
from backend.prepared import PreparedInsert
from backend.tasks import relay_events_wake

# The rows of the `emit` call whose in-transaction handlers are running: id(event) -> row.
_stored: ContextVar[dict[int, OutboxEvent] | None] = ContextVar("outbox_stored", default=None)


# Every change stores its events: the INSERT is written once per database and number of rows.
OUTBOX_INSERT = PreparedInsert(OutboxEvent)


def sequence_of(event: DomainEvent) -> int:
    """The event log's sequence number of `event`, for an in-transaction handler of the `emit`
    call that stored it (a per-user stream keys its rows on it)."""
    stored = _stored.get()
    row = stored.get(id(event)) if stored is not None else None
    if row is None or row.pk is None:
        raise LookupError("sequence_of() is for the events of the emit() call being handled")
    return row.pk


def emit(*events: DomainEvent) -> list[OutboxEvent]:
    """Store `events` in the event log and run their in-transaction handlers, in order.

    Handlers may emit further events (a figure change after an expired offer); those are
    stored after the events that caused them, so the log reads in causal order.
    """
    if not events:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must run inside the transaction that made the change")
    now = clock.now()
    rows = []
    relay = False
    for event in events:
        if event.abstract:
            raise TypeError(f"{type(event).__name__} is a base class, not an event")
        heard = bool(listeners(event, Phase.AFTER_COMMIT))
        relay = relay or heard
        rows.append(
            OutboxEvent(
                event_type=event.type_name(),
                aggregate_type=event.aggregate_type,
                aggregate_id=event.aggregate_id,
                payload=event.payload(),
                occurred_at=now,
                relayed_at=None if heard else now,
            )
        )
    stored = OUTBOX_INSERT.insert(rows)
    if relay:
        relay_events_wake()
    token = _stored.set({id(event): row for event, row in zip(events, stored, strict=True)})
    try:
        for subscription, wanted in batches(events):
            subscription.handler(wanted)
    finally:
        _stored.reset(token)
    return stored
