"""The demo's tests: the Stripe emulator only for the tests that ask for it (`stripe_emulator`);
the others see none answering, so seed_demo makes no paid visits there."""

from __future__ import annotations

import pytest
from pytest_django import Settings

# Nothing listens on the discard port: the demo finds no emulator.
NO_EMULATOR = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _stripe_for_the_demo(request: pytest.FixtureRequest, settings: Settings) -> None:
    base = (
        request.getfixturevalue("stripe_emulator")
        if "stripe_emulator" in request.fixturenames
        else NO_EMULATOR
    )
    settings.QUARTIER = settings.QUARTIER.with_values(
        stripe_api_base=base, stripe_secret_key="", stripe_timeout_seconds=5.0
    )
