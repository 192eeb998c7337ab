"""`manage.py relay`: deliver the stored events to their after-commit handlers, continuously.

The task worker relays the events of each change already (`emit` enqueues the relay task);
this process adds low latency (it looks every `--interval` seconds) and the retries: an event
whose delivery failed, e.g. while Redis was down, is delivered on the next pass after Redis
is back. Run one or more beside daphne and the worker; relays take turns on each event.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from backend.models import OutboxEvent
from backend.relay import relay_pending

MAX_BACKOFF_SECONDS = 5.0


class Command(BaseCommand):
    help = "Deliver stored events to sockets and devices continuously (Ctrl-C stops)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.05, help="Seconds between passes.")
        parser.add_argument("--once", action="store_true", help="One pass, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(f"{relay_pending()} events delivered")
            return
        interval = options["interval"]
        backoff = interval
        newest = 0
        while True:
            close_old_connections()
            done = relay_pending()
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
                time.sleep(interval)


def _newest_event() -> int:
    return OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _wait_for_new_event(newest: int, seconds: float, step: float) -> int:
    """Sleep up to `seconds`, less if an event newer than `newest` is stored; the newest id."""
    deadline = time.monotonic() + seconds
    while True:
        latest = _newest_event()
        if latest > newest or time.monotonic() >= deadline:
            return latest
        time.sleep(max(step, 0.01))
