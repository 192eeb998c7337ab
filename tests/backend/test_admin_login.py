"""The back office's log-in form has the same limits as the API's token endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from backend import clock
from backend.config import config
from tests.factories import PASSWORD, ManagerFactory

pytestmark = pytest.mark.django_db


def _admin_log_in(email: str, password: str, *, client: str = "198.51.100.20", **headers: Any):
    return Client(REMOTE_ADDR=client, **headers).post(
        "/admin/login/", {"username": email, "password": password, "next": "/admin/"}
    )


@pytest.fixture
def clock_standing_still() -> Iterator[None]:
    # On a busy machine forty password checks take seconds, and the time left to wait would
    # shrink while they run.
    with time_machine.travel(clock.now(), tick=False):
        yield


def test_wrong_manager_passwords_at_the_back_office_lock_the_guesser_out(clock_standing_still):
    # Given the community manager, and a guesser at the back office's log-in form
    manager = ManagerFactory.create()
    limit = config().login_failures_per_client

    # When 40 wrong passwords are tried, each with another X-Forwarded-For
    responses = [
        _admin_log_in(manager.email, f"guess-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        for n in range(40)
    ]

    # Then the form answers the first five, and a 429 page with the time to wait the rest
    assert [response.status_code for response in responses] == [200] * limit + [429] * (40 - limit)
    locked = responses[-1]
    assert locked["Retry-After"] == "60"
    assert locked["Content-Type"].startswith("text/html")
    assert b"Too many failed log-ins. Try again in 1 minute." in locked.content

    # And the right password from there is refused as well, with the same page
    right = _admin_log_in(manager.email, PASSWORD)
    assert (right.status_code, right.content) == (429, locked.content)

    # While the manager, at their own desk, logs in
    at_desk = _admin_log_in(manager.email, PASSWORD, client="192.0.2.44")
    assert (at_desk.status_code, at_desk.url) == (302, "/admin/")
