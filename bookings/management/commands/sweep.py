"""Run every time-based step that became due: expiries, automatic sign-offs, review windows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bookings.services import sweep_due_work


class Command(BaseCommand):
    help = (
        "Catch up on time-based work (offer expiry and re-offering, expired requests, automatic "
        "sign-off, review windows). The worker does this on time; run this after an outage."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = sweep_due_work()
        for name, count in counts.items():
            self.stdout.write(f"{name.replace('_', ' ')}: {count}")
