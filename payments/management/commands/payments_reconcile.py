"""`manage.py payments_reconcile`: the ledger against Stripe; exit status 1 on any mismatch."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from payments.reconciliation import reconcile_and_record
from payments.tasks import schedule_daily_reconcile, schedule_key_expiry


class Command(BaseCommand):
    help = (
        "Compare the payments and the ledger with Stripe's PaymentIntents, charges, refunds and "
        "balance transactions; print every mismatch, on either side. Exit status 1 if any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule-daily",
            action="store_true",
            help=(
                "only queue the worker's daily run (03:30 Swiss time) and its hourly sweep of "
                "expired Idempotency-Keys, unless they are queued"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule_daily"]:
            at = schedule_daily_reconcile()
            self.stdout.write(f"The daily reconciliation runs next at {at.isoformat()}.")
            sweep_at = schedule_key_expiry()
            self.stdout.write(f"Expired Idempotency-Keys are swept next at {sweep_at.isoformat()}.")
            return
        show = options["verbosity"] > 0

        def progress(accounts: Any) -> Any:
            return tqdm(accounts, desc="payout accounts", unit="account", disable=not show)

        run = reconcile_and_record(progress=progress)
        for mismatch in run.mismatches:
            self.stdout.write(mismatch)
        if run.mismatch_count:
            self.stderr.write(f"{run.mismatch_count} mismatches")
            sys.exit(1)
        self.stdout.write("The ledger agrees with Stripe: no mismatches.")
