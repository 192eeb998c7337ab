"""`manage.py run`: the whole system on one command, for development and the demo."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from backend.config import config
from backend.supervisor import Child, supervise


class Command(BaseCommand):
    help = (
        "Migrate, load the demo data, then serve the app and run the background worker side by "
        "side. Ctrl-C stops both; when one of them ends, the other is stopped too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="where to serve (host:port)"
        )
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=options["verbosity"])
        if not options["no_demo"]:
            call_command("seed_demo", verbosity=options["verbosity"])
        # The worker's daily run of the payments' reconciliation (queued once; each run queues
        # the next).
        call_command("payments_reconcile", schedule_daily=True, verbosity=options["verbosity"])
        # The academy's daily run: expired certifications leave the index, reminders go out.
        call_command("academy_daily", schedule=True, verbosity=options["verbosity"])
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = [
            Child("server", [*manage, "runserver", options["addrport"]]),
            Child("worker", [*manage, "db_worker"]),
            Child("relay", [*manage, "relay"]),
        ]
        if not config().stripe_secret_key:
            children.insert(0, self._stripe_emulator(options["addrport"]))
        code = supervise(
            children,
            say=lambda line: self.stdout.write(f"[run] {line}"),
        )
        if code:
            sys.exit(code)

    def _stripe_emulator(self, addrport: str) -> Child:
        """No Stripe keys: the local Stripe emulator (localstripe with Connect) takes payments,
        its state in var/, its events signed and sent to this server's webhook."""
        settings_now = config()
        port = settings_now.stripe_api_base.rstrip("/").rsplit(":", 1)[-1]
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        return Child(
            "stripe-emulator",
            [
                sys.executable,
                "-m",
                "stripe_emulator",
                "--port",
                port,
                "--state-dir",
                str(settings.BASE_DIR / "var" / "stripe-emulator"),
                "--quiet",
                "--webhook-url",
                f"http://{host}/stripe/webhook",
                "--webhook-secret",
                settings_now.stripe_webhook_secret,
            ],
        )
