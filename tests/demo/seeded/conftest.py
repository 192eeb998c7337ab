"""The tests that read the demo as seed_demo builds it (seed 1: 40 helpers, 40 customers, 60
requests, no Stripe emulator) share one build: it is made once, before the first of them, in a
transaction rolled back after the last. Each test runs in a savepoint of it, rolled back after
the test (pytest-django's own), so a test that changes the demo leaves it as built for the next.

Every test here must use the database (`django_db`, not `transaction=True`): a test without it
would be run apart from the others and build the demo once more for itself.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from backend import clock
from tests.demo.conftest import NO_EMULATOR

SEEDED = {"helpers": 40, "customers": 40, "requests": 60, "seed": 1}


@dataclass(frozen=True)
class SeededDemo:
    """What seed_demo printed, and the services' clock just before and just after it ran."""

    output: str
    started: datetime
    finished: datetime


@pytest.fixture(scope="package", autouse=True)
def seeded_demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[SeededDemo]:
    quartier = settings.QUARTIER.with_values(
        stripe_api_base=NO_EMULATOR, stripe_secret_key="", stripe_timeout_seconds=5.0
    )
    stdout = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(QUARTIER=quartier):
            started = clock.now()
            call_command("seed_demo", **SEEDED, stdout=stdout, stderr=io.StringIO())
            finished = clock.now()
        yield SeededDemo(output=stdout.getvalue(), started=started, finished=finished)
        transaction.set_rollback(True)
