"""The ASGI server leaves no database connection open after a request: each request's work runs
in a thread of its own, so a connection kept for reuse would never be reused, one more per
request, until PostgreSQL refuses new clients."""

from __future__ import annotations

import json
import time
import urllib.request
from functools import partial
from typing import Any

import pytest
from django.db import connection

from tests.api.api_assertions import API
from tests.factories import UserFactory
from tests.realtime.helpers import api_token
from tests.worker import start_daphne, stop_daphne


def _server_connections() -> int:
    """Connections to the test database besides this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_requests_through_daphne_leave_no_connection_open(django_db_blocker: Any) -> None:
    from channels.testing.live import make_application

    token = api_token(UserFactory.create())
    before = _server_connections()
    with django_db_blocker.unblock():
        process = start_daphne(partial(make_application, static_wrapper=None))
    try:
        for _ in range(20):
            request = urllib.request.Request(
                f"http://127.0.0.1:{process.port.value}{API}/me",
                headers={"Authorization": f"Token {token}"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                assert response.status == 200
                assert json.loads(response.read())["email"]
        # A request's connection closes as its answer goes out: give the last one a moment.
        deadline = time.monotonic() + 5
        while _server_connections() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _server_connections() == before
    finally:
        stop_daphne(process)
