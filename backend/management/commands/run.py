"""`manage.py run`: the whole system on one command, for development and the demo."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

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
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        code = supervise(
            [
                Child("server", [*manage, "runserver", options["addrport"]]),
                Child("worker", [*manage, "db_worker"]),
            ],
            say=lambda line: self.stdout.write(f"[run] {line}"),
        )
        if code:
            sys.exit(code)
