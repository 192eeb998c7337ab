"""The tests that read the demo with its paid visits as seed_demo builds it against the Stripe
emulator (seed 3: 30 helpers, 30 customers, 30 requests) share one build
(`tests.demo.built_once`): it is made once, before the first of them, in a transaction rolled
back after the last; each test runs in a savepoint of it. The emulator keeps what the build
made there (accounts, cards, holds) for the whole run, as it keeps every test's.

Every test here must use the database (`django_db`, not `transaction=True`): a test without it
would be run apart from the others and build the demo once more for itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from tests.demo.built_once import BuiltDemo, built_once

PAID = {"helpers": 30, "customers": 30, "requests": 30, "seed": 3}


@pytest.fixture(scope="package", autouse=True)
def paid_demo(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, stripe_emulator: str
) -> Iterator[BuiltDemo]:
    yield from built_once(django_db_blocker, stripe_api_base=stripe_emulator, options=PAID)
