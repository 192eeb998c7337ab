"""Expire the certifications that ran out and send the reminders that are due, now; or, with
`--schedule`, queue the worker's daily run (each run queues the next)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from academy.services import certification_reminders_send, certifications_expire_due
from academy.tasks import schedule_daily_certifications


class Command(BaseCommand):
    help = "Expire run-out certifications and send reminders now, or queue the daily run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="Queue the worker's daily run instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            at = schedule_daily_certifications()
            self.stdout.write(f"The academy's daily run is queued for {at.isoformat()}.")
            return
        self.stdout.write("Expiring certifications that ran out...")
        expired = certifications_expire_due()
        self.stdout.write(f"  {expired} expired. Sending reminders...")
        reminded = certification_reminders_send()
        self.stdout.write(f"  {reminded} reminders sent.")
