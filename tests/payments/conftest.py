"""The payments tests run against a real local Stripe: the emulator (`stripe_emulator`,
localstripe with Connect), started once per test session on 127.0.0.1 with its state in a
temporary folder, and spoken to over HTTP by the official SDK through payments.stripe_gateway.
"""

from __future__ import annotations

import pytest
from pytest_django import Settings

# The emulator itself (`stripe_emulator`, once per session) is started by tests/conftest.py,
# for the API's schema test too.


@pytest.fixture(autouse=True)
def _stripe_at_the_emulator(stripe_emulator: str, settings: Settings) -> None:
    settings.QUARTIER = settings.QUARTIER.with_values(
        stripe_api_base=stripe_emulator, stripe_secret_key="", stripe_timeout_seconds=5.0
    )
