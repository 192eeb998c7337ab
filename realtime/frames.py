"""A stream row as the client gets it, over the socket and over REST alike."""

from __future__ import annotations

from typing import Any

from backend import clock
from realtime.models import StreamEvent


def frame_of(row: StreamEvent) -> dict[str, Any]:
    """A stream row as the client gets it, over the socket and over REST alike."""
    return {
        "id": row.pk,
        "seq": row.seq,
        "event": row.type,
        "data": row.data,
        "at": clock.iso(row.created_at),
    }
