"""A demo built once for several tests: seed_demo runs in a transaction kept open while they
run, each in a savepoint of it (pytest-django's own, rolled back after the test), and rolled
back after the last of them. A package's conftest makes it a package-scoped fixture."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from backend import clock


@dataclass(frozen=True)
class BuiltDemo:
    """What seed_demo printed, and the services' clock just before and just after it ran."""

    output: str
    started: datetime
    finished: datetime


def built_once(
    blocker: DjangoDbBlocker, *, stripe_api_base: str, options: dict[str, int]
) -> Iterator[BuiltDemo]:
    """The body of a fixture that builds the demo (`options` for seed_demo) against the Stripe
    emulator at `stripe_api_base` (or none answering there), yields it and takes it back."""
    quartier = settings.QUARTIER.with_values(
        stripe_api_base=stripe_api_base, stripe_secret_key="", stripe_timeout_seconds=5.0
    )
    stdout = io.StringIO()
    with blocker.unblock(), transaction.atomic():
        with override_settings(QUARTIER=quartier):
            started = clock.now()
            call_command("seed_demo", **options, stdout=stdout, stderr=io.StringIO())
            finished = clock.now()
        yield BuiltDemo(output=stdout.getvalue(), started=started, finished=finished)
        transaction.set_rollback(True)
