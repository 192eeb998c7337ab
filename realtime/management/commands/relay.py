"""`manage.py relay`: deliver the stored events to their after-commit handlers, continuously.

The task worker relays the events of each change already (`emit` enqueues the relay task);
this process adds low latency and the retries. It waits on the wake-up that each transaction
writing stream rows publishes on commit (`realtime.wake`), so an offer leaves for the sockets
as soon as it is committed, and it looks every `--interval` seconds anyway: the poll catches
a lost wake-up, the other events, and runs without Redis. Each pass first sends the waiting
events' stream rows to the sockets in one go (`stream_publish_ahead`), then does the relay's
per-event bookkeeping. An event whose delivery failed, e.g. while Redis was down, is delivered
on a later pass after Redis is back. Run one or more beside daphne and the worker; relays take
turns on each event.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from backend.models import OutboxEvent
from backend.relay import relay_pending
from realtime.publish import own_loop, stream_publish_ahead
from realtime.wake import RelayWakeups

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0


def relay_pass() -> int:
    """One pass: the waiting stream rows to the sockets, then every waiting event to its
    handlers; returns how many events were completed."""
    try:
        stream_publish_ahead()
    except Exception:  # noqa: BLE001 - the relay's own delivery below retries and records it
        logger.debug("sending ahead failed; the relay's delivery retries", exc_info=True)
    return relay_pending()


class Command(BaseCommand):
    help = "Deliver stored events to sockets and devices continuously (Ctrl-C stops)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help="Seconds between passes when no wake-up comes (the safety poll).",
        )
        parser.add_argument("--once", action="store_true", help="One pass, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(f"{relay_pending()} events delivered")
            return
        wakeups = RelayWakeups()
        try:
            with own_loop():
                relay_forever(wakeups, options["interval"])
        except KeyboardInterrupt:
            # Ctrl-C (or `manage.py run` stopping its children) ends it; what is not relayed
            # yet waits in the outbox for the next start.
            self.stdout.write("Relay stopped")
        finally:
            wakeups.close()


def relay_forever(wakeups: RelayWakeups, interval: float, *, passes: int | None = None) -> None:
    """Relay until stopped (or for `passes` passes, for tests)."""
    backoff = interval
    newest = 0
    while passes is None or passes > 0:
        if passes is not None:
            passes -= 1
        close_old_connections()
        done = relay_pass()
        if done:
            backoff = interval
            newest = _newest_event()
            continue
        if OutboxEvent.objects.filter(relayed_at__isnull=True).exists():
            # Deliveries are failing (Redis down?): try again less and less often, but at
            # once when a new event comes in.
            newest = _wait_for_new_event(newest, backoff, interval)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        else:
            backoff = interval
            wakeups.wait(interval)


def _newest_event() -> int:
    return OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _wait_for_new_event(newest: int, seconds: float, step: float) -> int:
    """Sleep up to `seconds`, less if an event newer than `newest` is stored; the newest id."""
    deadline = time.monotonic() + seconds
    while True:
        latest = _newest_event()
        if latest > newest or time.monotonic() >= deadline:
            return latest
        time.sleep(min(max(step, 0.01), 0.05))
