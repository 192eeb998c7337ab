"""`manage.py seed_demo`: fill the database with the demo community (see the `demo` package).

Idempotent: a second run finds the community manager with the seed marker and stops.
`--reset` deletes the demo people (@example.ch, @quartier.test) and everything hanging off
them, then builds again. Deterministic for a given `--seed` (up to the current date).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from backend.models import User
from bookings.management.progress import progress_bar
from demo.builder import Bar, build
from demo.paid import unavailable
from demo.people import MANAGER_EMAIL, SEED_MARKER, demo_users
from demo.reset import delete_demo_data
from demo.summary import summary_lines


class Command(BaseCommand):
    help = (
        "Fill the database with a believable demo community: a community manager, helpers and "
        "customers around Swiss cities, and help requests and visits in every state, all made "
        "through the services. Idempotent; --reset rebuilds it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--helpers", type=int, default=300, help="How many helpers.")
        parser.add_argument("--customers", type=int, default=300, help="How many customers.")
        parser.add_argument(
            "--requests",
            type=int,
            default=300,
            help="How many help-request scenarios to play (a few more are retried if a "
            "status would otherwise be missing).",
        )
        parser.add_argument("--seed", type=int, default=42, help="Seed for random.Random.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo people (@example.ch, @quartier.test) and everything hanging "
            "off them first, then build again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbosity = options["verbosity"]
        for name in ("helpers", "customers", "requests"):
            if options[name] < 0:
                raise CommandError(f"--{name} must be 0 or more.")
        if options["customers"] == 0 and options["requests"] > 0:
            raise CommandError("Requests need customers: give --customers.")
        if not options["reset"] and self._already_there(verbosity):
            return
        # The paid visits need the Stripe emulator (and no real Stripe keys).
        no_payments = unavailable()

        def progress(stage: str, total: int) -> Bar:
            return progress_bar(self.stderr, total=total, desc=stage, unit="", verbosity=verbosity)

        with transaction.atomic():
            if options["reset"]:
                deleted = delete_demo_data()
                if verbosity:
                    self.stdout.write(f"Deleted {deleted} demo people and what hung off them.")
            outcome = build(
                seed=options["seed"],
                helpers=options["helpers"],
                customers=options["customers"],
                requests=options["requests"],
                progress=progress,
                paid=no_payments is None,
            )
        if not verbosity:
            return
        tally = outcome.tally
        attempts = sum(tally.attempted.values())
        reached = sum(tally.reached.values())
        self.stdout.write(
            f"Seed {options['seed']}: {attempts} scenarios, {reached} as planned, "
            f"{attempts - reached} stopped early or turned out otherwise"
            + (f" (refused: {dict(sorted(tally.refused.items()))})" if tally.refused else "")
            + f"; sweep: {dict(outcome.swept)}; {time.monotonic() - started:.1f} s."
        )
        if no_payments:
            self.stdout.write(no_payments)
        missing = [name for name, reached in outcome.paid.items() if not reached]
        if missing:
            self.stdout.write(f"Paid visits that did not come out this time: {', '.join(missing)}.")
        if verbosity > 1:
            for name in sorted(tally.attempted):
                self.stdout.write(
                    f"  scenario {name}: {tally.reached[name]} of {tally.attempted[name]} "
                    "as planned"
                )
        self.stdout.write("\n".join(summary_lines()))

    def _already_there(self, verbosity: int) -> bool:
        """True (having said so) when the demo is there; refuses to mix with other accounts."""
        manager = User.objects.filter(email=MANAGER_EMAIL).first()
        if manager is not None and manager.display_name == SEED_MARKER:
            self.stdout.write("Demo data already present (use --reset to rebuild it).")
            if verbosity:
                self.stdout.write("\n".join(summary_lines()))
            return True
        if demo_users().exists():
            raise CommandError(
                "There are @example.ch / @quartier.test accounts that seed_demo did not "
                "make; run it with --reset to replace them."
            )
        return False
