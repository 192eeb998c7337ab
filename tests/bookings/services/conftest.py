"""The clock of the bookings services' tests: frozen at T0, moved by the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.bookings.services.state import T0


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller
