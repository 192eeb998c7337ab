"""The live-update tests run consumers in the test's own thread and transaction."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # channels closes "old" connections around each database call of a consumer, which would
    # close the test's connection (and its transaction) under it.
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
