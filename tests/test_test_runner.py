"""Which half of `make test` runs which tests (tests/conftest.py, `half_of`): the domain's tests
in both, each interface's in one, and what needs PostgreSQL or Redis in the PostgreSQL half."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import INTERFACE_HALVES, half_of

REPO = Path(__file__).resolve().parents[1]


@dataclass
class _Item:
    nodeid: str
    markers: set[str] = field(default_factory=set)
    fixturenames: list[str] = field(default_factory=list)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


def test_each_interface_half_names_a_folder_that_exists():
    for folder in INTERFACE_HALVES:
        assert (REPO / folder).is_dir(), folder


@pytest.mark.parametrize(
    ("nodeid", "markers", "half"),
    [
        ("tests/bookings/test_services.py::test_a", set(), None),
        ("tests/bookings/test_concurrency.py::test_a", {"postgres"}, None),
        ("tests/api/test_requests.py::test_a", set(), "postgresql"),
        ("tests/web/test_pages.py::test_a", set(), "sqlite"),
        ("tests/web/browser/test_customer.py::test_a", {"browser"}, "sqlite"),
        ("tests/web/browser/test_live_offers.py::test_a", {"browser", "redis"}, "postgresql"),
        ("tests/web/test_pages.py::test_b", {"postgres"}, "postgresql"),
        ("tests/web/browser/test_admin.py::test_a", {"browser", "postgres_half"}, "postgresql"),
        ("tests/demo/test_seed.py::test_a", set(), "sqlite"),
        ("tests/webhooks/test_a.py::test_a", set(), None),
    ],
)
def test_the_half_of_a_test(nodeid, markers, half):
    assert half_of(_Item(nodeid, markers)) == half


@pytest.mark.parametrize(
    ("nodeid", "fixtures", "half"),
    [
        ("tests/payments/test_card_pages.py::test_a", ["db", "client"], "postgresql"),
        ("tests/helpers/test_admin.py::test_a", ["manager_client"], "postgresql"),
        ("tests/bookings/test_services.py::test_a", ["db", "settings"], None),
        ("tests/web/test_pages.py::test_a", ["client"], "sqlite"),
    ],
)
def test_a_test_driving_the_app_through_a_client_runs_in_one_half(nodeid, fixtures, half):
    assert half_of(_Item(nodeid, fixturenames=fixtures)) == half
