"""`manage.py payments_reconcile`: the ledger against Stripe; exit status 1 on any mismatch."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from payments.reconciliation import reconcile


class Command(BaseCommand):
    help = (
        "Compare the payments and the ledger with Stripe's PaymentIntents, charges, refunds and "
        "balance transactions; print every mismatch, on either side. Exit status 1 if any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        show = options["verbosity"] > 0

        def progress(accounts: Any) -> Any:
            return tqdm(accounts, desc="payout accounts", unit="account", disable=not show)

        mismatches = reconcile(progress=progress)
        for mismatch in mismatches:
            self.stdout.write(str(mismatch))
        if mismatches:
            self.stderr.write(f"{len(mismatches)} mismatches")
            sys.exit(1)
        self.stdout.write("The ledger agrees with Stripe: no mismatches.")
