"""After commit: the stream's rows to the users' sockets (the channel layer) and devices (push).

Both are after-commit handlers of the relay (`backend.relay`), so each event reaches them at
least once, in order per aggregate: a socket may get a frame twice (clients drop an `id` they
have seen) and a device a notification twice (it carries the event id as its tag, so the
second replaces the first). When the channel layer is unreachable (Redis down) the handler
fails, the relay counts the failure and the event waits in the outbox; the next relay run
after Redis is back delivers it (`manage.py relay` tries every few seconds).

The process that commits the rows also sends them itself, right after its commit, and wakes
the relays (`stream_send_on_commit`), so the sockets do not wait for the relay's hop; that
send is bounded in time and its failure ignored, the relay's delivery being the one that
counts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from backend.events import DevicesSignedOut, DomainEvent
from realtime.frames import frame_of
from realtime.models import StreamEvent
from realtime.push import push_rows
from realtime.wake import relay_wake_on_commit

logger = logging.getLogger(__name__)

# How long the committing process may spend sending its own rows (a request waits for it).
SEND_ON_COMMIT_SECONDS = 0.2


def user_group(user_id: int) -> str:
    """The channel-layer group of one user's sockets."""
    return f"user.{user_id}"


# The event loop of a long-running relay (`own_loop`): kept across sends, so the channel
# layer's Redis connections are too. None elsewhere: each send then runs in a loop of its own
# (asgiref's), or in the caller's when it is called from async code through sync_to_async.
_loop: asyncio.AbstractEventLoop | None = None
# The events whose rows this process sent ahead of their handler (`stream_publish_ahead`),
# and the last row it sent ahead: the next pass looks only after it.
_sent_ahead: set[int] = set()
_ahead_after = 0
# More than this many remembered means their handlers run elsewhere: forgotten, those events
# are only sent once more (clients drop a frame they have seen).
SENT_AHEAD_KEPT = 10_000


@contextmanager
def own_loop() -> Iterator[None]:
    """Within it, sends in this thread share one event loop (and its Redis connections)."""
    global _loop  # noqa: PLW0603 - one loop per relay process, set and cleared here only
    loop = asyncio.new_event_loop()
    _loop = loop
    try:
        yield
    finally:
        _loop = None
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def _run_send(rows: Sequence[StreamEvent]) -> None:
    if _loop is not None:
        _loop.run_until_complete(_send(rows))
    else:
        async_to_sync(_send)(rows)


def device_group(device_public_id: str) -> str:
    """The channel-layer group of the sockets opened with one device's token."""
    return f"device.{device_public_id}"


def device_sockets_close(event: DomainEvent, *, sequence: int) -> None:
    """Close the live sockets of devices that were signed out (their token revoked)."""
    if isinstance(event, DevicesSignedOut) and event.devices:
        if _loop is not None:
            _loop.run_until_complete(_close_devices(event.devices))
        else:
            async_to_sync(_close_devices)(event.devices)


async def _close_devices(devices: list[str]) -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured (settings.CHANNEL_LAYERS)")
    for device in devices:
        await layer.group_send(device_group(device), {"type": "device.revoked"})


def stream_send_on_commit(rows: Sequence[StreamEvent]) -> None:
    """Once the current transaction commits, send `rows` (just written) to their users'
    sockets from this process (at most SEND_ON_COMMIT_SECONDS, failures ignored: Redis down, a
    slow layer) and wake the relays. The relay sends them again; a socket drops a `seq` it
    has had already."""
    if rows:
        written = list(rows)
        transaction.on_commit(lambda: _send_now(written))
        relay_wake_on_commit()


def _send_now(rows: list[StreamEvent]) -> None:
    try:
        async_to_sync(_send_within)(rows, SEND_ON_COMMIT_SECONDS)
    except Exception:  # noqa: BLE001 - the relay's delivery retries and records failures
        logger.debug("sending on commit failed; the relay delivers", exc_info=True)


async def _send_within(rows: Sequence[StreamEvent], seconds: float) -> None:
    await asyncio.wait_for(_send(rows), seconds)


def stream_publish(event: DomainEvent, *, sequence: int) -> None:
    """Send the stream rows of one stored event to their users' sockets (unless this process
    sent them ahead already)."""
    if sequence in _sent_ahead:
        _sent_ahead.discard(sequence)
        return
    rows = list(StreamEvent.objects.filter(outbox_event_id=sequence).order_by("pk"))
    if rows:
        _run_send(rows)


def stream_publish_ahead(*, limit: int = 1000) -> int:
    """Send the rows written since the last call whose events still wait for the relay, in
    one go, ahead of the relay's per-event bookkeeping (one query, the users' sends side by
    side); returns how many events were sent.

    Their `stream_publish` delivery then only records them, so a socket gets each frame once;
    if this process dies before that, the relay sends them again (at least once). A row that
    commits after a newer one was sent ahead (another user's, in a transaction that took
    longer) is left to the relay's own delivery. A failed send (Redis down) marks nothing:
    the relay's delivery fails, counts and retries.
    """
    global _ahead_after  # noqa: PLW0603 - this process's cursor, moved here only
    if len(_sent_ahead) > SENT_AHEAD_KEPT:
        _sent_ahead.clear()
    rows = list(
        StreamEvent.objects.filter(
            pk__gt=_ahead_after, outbox_event__relayed_at__isnull=True
        ).order_by("pk")[:limit]
    )
    if not rows:
        return 0
    whole = rows
    if len(rows) == limit:
        # The last event's other rows may lie past the limit: it is sent next time, whole.
        whole = [row for row in rows if row.outbox_event_id != rows[-1].outbox_event_id]
    _run_send(whole or rows)
    _ahead_after = (whole or rows)[-1].pk
    sent = {row.outbox_event_id for row in whole}
    _sent_ahead.update(sent)
    return len(sent)


def forget_sent_ahead() -> None:
    """Start over, as a relay process does (for tests, whose rows' ids start over too)."""
    global _ahead_after  # noqa: PLW0603 - see stream_publish_ahead
    _sent_ahead.clear()
    _ahead_after = 0


async def _send(rows: Sequence[StreamEvent]) -> None:
    """Each user's rows in order; different users' side by side."""
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured (settings.CHANNEL_LAYERS)")

    async def send_to(user_id: int, theirs: list[StreamEvent]) -> None:
        for row in theirs:
            message: dict[str, Any] = {"type": "stream.event", "frame": frame_of(row)}
            await layer.group_send(user_group(user_id), message)

    by_user = groupby(sorted(rows, key=lambda row: (row.user_id, row.pk)), lambda row: row.user_id)
    await asyncio.gather(*(send_to(user_id, list(theirs)) for user_id, theirs in by_user))


def stream_push(event: DomainEvent, *, sequence: int) -> None:
    """Push the stream rows of one stored event that are meant for closed apps."""
    push_rows(StreamEvent.objects.filter(outbox_event_id=sequence, push=True).order_by("pk"))
