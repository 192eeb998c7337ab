"""`manage.py run`: the whole system on one command, for development and the demo."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.config import config
from backend.supervisor import Child, start, stop_all, supervise

# How long the Stripe emulator may take to answer after it was started.
EMULATOR_START_SECONDS = 30.0


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
        def say(line: str) -> None:
            self.stdout.write(f"[run] {line}")

        # Before anything starts: a server that cannot listen stays up saying so once, among
        # the worker's and the relay's lines, while the address serves another program.
        _refuse_a_taken_address(options["addrport"])

        # No Stripe keys: the emulator starts first and answers before the demo is loaded, so
        # the demo's paid visits are made against it.
        started: list[tuple[Child, subprocess.Popen[bytes]]] = []
        if not config().stripe_secret_key:
            emulator = self._stripe_emulator(options["addrport"])
            started.append((emulator, start(emulator)))
            say(f"started {emulator.name} (pid {started[0][1].pid})")
        try:
            if started:
                self._wait_for_emulator(started[0][1])
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            if not options["no_demo"]:
                call_command("seed_demo", verbosity=options["verbosity"])
            # The worker's daily run of the payments' reconciliation (queued once; each run
            # queues the next).
            call_command("payments_reconcile", schedule_daily=True, verbosity=options["verbosity"])
            # The academy's daily run: expired certifications leave the index, reminders go out.
            call_command("academy_daily", schedule=True, verbosity=options["verbosity"])
        except BaseException:
            stop_all([process for _, process in started])
            raise
        _links_to(options["addrport"])
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        # Quartier's worker, which waits out SQLite's write lock held past the busy timeout
        # where db_worker's claim gave up; without the autoreloader (which stayed up with no
        # worker in it after a failure, the tasks left due and nothing said), and started
        # again should it fail all the same.
        children = [
            Child("server", [*manage, "runserver", options["addrport"]]),
            Child("worker", [*manage, "worker", "--no-reload"], restart=True),
            Child("relay", [*manage, "relay"], restart=True),
        ]
        code = supervise(children, say=say, started=started)
        if code:
            sys.exit(code)

    def _wait_for_emulator(self, process: subprocess.Popen[bytes]) -> None:
        """Until the emulator accepts connections (it failed if it ended or took too long)."""
        address = urlsplit(config().stripe_api_base)
        host, port = address.hostname or "127.0.0.1", address.port or 80
        deadline = time.monotonic() + EMULATOR_START_SECONDS
        while True:
            try:
                socket.create_connection((host, port), timeout=0.5).close()
                return
            except OSError:
                if process.poll() is not None:
                    raise CommandError(
                        f"The Stripe emulator ended (exit {process.returncode}) before it "
                        f"answered on {host}:{port}; is the port taken?"
                    ) from None
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"The Stripe emulator did not answer on {host}:{port} within "
                        f"{EMULATOR_START_SECONDS:.0f} s."
                    ) from None
                time.sleep(0.1)

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


def _refuse_a_taken_address(addrport: str) -> None:
    """Stop with the reason when another program (an earlier `make run` still running, say)
    listens on the address this run would serve."""
    host, _colon, port = addrport.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server binds: a connection of an earlier run still closing does not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            raise CommandError(
                f"Cannot serve on {host}:{port}: {exc.strerror}. Another program listens "
                "there (an earlier `make run` still running?): stop it, or serve elsewhere, "
                f"e.g. `.venv/bin/python manage.py run {host}:{int(port) + 1}`."
            ) from None


# The settings of the links in e-mails, and each one's path on the web app.
E_MAIL_LINKS = {
    "QUARTIER_VERIFY_EMAIL_URL": "/verify-email?token={token}",
    "QUARTIER_PASSWORD_RESET_URL": "/password-reset",
    "QUARTIER_REQUEST_PAGE_URL": "/requests/{public_id}/",
    "QUARTIER_VISIT_PAGE_URL": "/helper/visits/{public_id}/",
    "QUARTIER_HELPER_APPLICATION_URL": "/helper/application",
}


def _links_to(addrport: str) -> None:
    """The links in the e-mails (confirming a sign-up, choosing a new password, a customer's
    request, a helper's visit) open the address this run serves, unless set otherwise: the
    defaults name port 8000, which may be another server or none. The children read them from
    the environment they inherit."""
    host, _colon, port = addrport.rpartition(":")
    if host in ("", "0.0.0.0"):  # noqa: S104 - a link, not a bind
        host = "127.0.0.1"
    origin = f"http://{host}:{port}"
    for name, path in E_MAIL_LINKS.items():
        if not os.environ.get(name, "").strip():
            os.environ[name] = origin + path
