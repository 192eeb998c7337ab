"""After commit: the stream's rows to the users' sockets (the channel layer) and devices (push).

Both are after-commit handlers of the relay (`backend.relay`), so each event reaches them at
least once, in order per aggregate: a socket may get a frame twice (clients drop an `id` they
have seen) and a device a notification twice (it carries the event id as its tag, so the
second replaces the first). When the channel layer is unreachable (Redis down) the handler
fails, the relay counts the failure and the event waits in the outbox; the next relay run
after Redis is back delivers it (`manage.py relay` tries every few seconds).
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from backend.events import DevicesSignedOut, DomainEvent
from realtime.models import StreamEvent
from realtime.push import push_rows
from realtime.stream import frame_of


def user_group(user_id: int) -> str:
    """The channel-layer group of one user's sockets."""
    return f"user.{user_id}"


def device_group(device_public_id: str) -> str:
    """The channel-layer group of the sockets opened with one device's token."""
    return f"device.{device_public_id}"


def device_sockets_close(event: DomainEvent, *, sequence: int) -> None:
    """Close the live sockets of devices that were signed out (their token revoked)."""
    if isinstance(event, DevicesSignedOut) and event.devices:
        async_to_sync(_close_devices)(event.devices)


async def _close_devices(devices: list[str]) -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured (settings.CHANNEL_LAYERS)")
    for device in devices:
        await layer.group_send(device_group(device), {"type": "device.revoked"})


def stream_publish(event: DomainEvent, *, sequence: int) -> None:
    """Send the stream rows of one stored event to their users' sockets."""
    rows = list(StreamEvent.objects.filter(outbox_event_id=sequence).order_by("pk"))
    if rows:
        async_to_sync(_send)(rows)


async def _send(rows: list[StreamEvent]) -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured (settings.CHANNEL_LAYERS)")
    for row in rows:
        message: dict[str, Any] = {"type": "stream.event", "frame": frame_of(row)}
        await layer.group_send(user_group(row.user_id), message)


def stream_push(event: DomainEvent, *, sequence: int) -> None:
    """Push the stream rows of one stored event that are meant for closed apps."""
    push_rows(StreamEvent.objects.filter(outbox_event_id=sequence, push=True).order_by("pk"))
