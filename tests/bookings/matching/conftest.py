"""The seeded world of helpers the match index's search and ranking tests compare against."""

from __future__ import annotations

import pytest

from tests.bookings.matching.world import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world(seed=20261123, count=1500)
