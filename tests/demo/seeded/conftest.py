"""The tests that read the demo as seed_demo builds it (seed 1: 40 helpers, 40 customers, 60
requests, no Stripe emulator) share one build (`tests.demo.built_once`): it is made once,
before the first of them, in a transaction rolled back after the last. Each test runs in a
savepoint of it, rolled back after the test, so a test that changes the demo leaves it as built
for the next.

Every test here must use the database (`django_db`, not `transaction=True`): a test without it
would be run apart from the others and build the demo once more for itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from tests.demo.built_once import BuiltDemo, built_once
from tests.demo.conftest import NO_EMULATOR

SEEDED = {"helpers": 40, "customers": 40, "requests": 60, "seed": 1}


@pytest.fixture(scope="package", autouse=True)
def seeded_demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[BuiltDemo]:
    yield from built_once(django_db_blocker, stripe_api_base=NO_EMULATOR, options=SEEDED)
