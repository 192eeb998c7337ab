"""Run every time-based step that became due: expiries, automatic sign-offs, review windows,
and the delivery of stored events a lost relay task left behind."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backend.relay import relay_pending
from bookings.services import sweep_due_work


class Command(BaseCommand):
    help = (
        "Catch up on time-based work (offer expiry and re-offering, expired requests, automatic "
        "sign-off, review windows) and relay stored events not yet delivered to their "
        "after-commit handlers. The worker does this on time; run this after an outage."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = sweep_due_work()
        for name, count in counts.items():
            self.stdout.write(f"{name.replace('_', ' ')}: {count}")
        relayed = 0
        while batch := relay_pending():
            relayed += batch
        self.stdout.write(f"events relayed: {relayed}")
