"""The live-update tests run consumers in the test's own thread and transaction."""

from __future__ import annotations

import socket

import pytest

from tests.realtime.fake_dns import FakeDns


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # channels closes "old" connections around each database call of a consumer, which would
    # close the test's connection (and its transaction) under it.
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


# The variables that name an outbound proxy (requests reads them in capitals or not).
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """Name resolution faked for the test (`FakeDns`): fill in `names`, read `asked`. No proxy
    of the machine's environment: a test that wants one names it."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    dns = FakeDns()
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    monkeypatch.setattr(socket.socket, "connect", dns.connect_for(socket.socket.connect))
    return dns
