"""Real sockets against daphne in a child process, with a real Redis as the channel layer:
offers arrive live, the race is lost live, and a Redis that the test stops and starts again
loses nothing (the events wait in the outbox; the client resumes after its last number)."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import aiohttp
import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.test import override_settings

from backend.models import OutboxEvent
from backend.relay import relay_pending
from bookings.models import Offer
from tests.api.api_assertions import API
from tests.factories import UserFactory, make_helper, next_slot_start
from tests.realtime.helpers import api_token
from tests.worker import start_daphne as fork_daphne
from tests.worker import stop_daphne

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_daphne(django_db_blocker: Any) -> tuple[Any, str]:
    from channels.testing.live import make_application

    with django_db_blocker.unblock():
        process = fork_daphne(partial(make_application, static_wrapper=None))
    return process, f"127.0.0.1:{process.port.value}"


def stop(process: Any) -> None:
    stop_daphne(process)


@pytest.fixture
def daphne(django_db_blocker: Any) -> Iterator[str]:
    process, address = start_daphne(django_db_blocker)
    yield address
    stop(process)


class Socket:
    """A real WebSocket client (aiohttp) that collects the frames it receives."""

    def __init__(
        self, address: str, token: str, after: int | None = None, hello_within: float = 5
    ) -> None:
        self.hello_within = hello_within
        self.url = f"ws://{address}/ws/v1/" + (f"?after={after}" if after is not None else "")
        self.headers = {"Authorization": f"Token {token}", "Origin": f"http://{address}"}

    async def __aenter__(self) -> Socket:
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(self.url, headers=self.headers)
        self.hello = await self.next(timeout=self.hello_within)
        return self

    async def __aexit__(self, *args: object) -> None:
        if hasattr(self, "ws"):
            await self.ws.close()
        await self.session.close()

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        message = await self.ws.receive(timeout=timeout)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        frame: dict[str, Any] = json.loads(message.data)
        return frame

    async def nothing(self, timeout: float = 0.3) -> bool:
        try:
            message = await self.ws.receive(timeout=timeout)
        except TimeoutError:
            return True
        return message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


def post_help_request(address: str, token: str) -> dict[str, Any]:
    """A customer's help request through daphne's HTTP API (committed when it answers)."""
    start = next_slot_start()
    body = {
        "category": "internet-wifi",
        "description": "The Wi-Fi drops every evening around eight.",
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "windows": [
            {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=4)).isoformat()}
        ],
    }
    return http("post", address, "/help-requests", token, body)


def http(method: str, address: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    async def call() -> dict[str, Any]:
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                method,
                f"http://{address}{API}{path}",
                json=body,
                headers={"Authorization": f"Token {token}"},
            ) as response,
        ):
            assert response.status in (200, 201), await response.text()
            answer: dict[str, Any] = await response.json()
            return answer

    return async_to_sync(call)()


def test_offers_arrive_live_over_real_sockets_and_the_race_is_lost_live(daphne: str) -> None:
    first, second = make_helper(), make_helper()
    tokens = [api_token(first.user), api_token(second.user)]
    customer_token = api_token(UserFactory.create())

    async def scenario() -> None:
        async with Socket(daphne, tokens[0]) as one, Socket(daphne, tokens[1]) as two:
            request = await asyncio.to_thread(post_help_request, daphne, customer_token)
            await asyncio.to_thread(relay_pending)
            made = [await one.next(), await two.next()]
            assert [f["event"] for f in made] == ["offer.made", "offer.made"]
            assert {f["data"]["help_request"] for f in made} == {request["id"]}

            offer_id = made[0]["data"]["offer"]
            await asyncio.to_thread(http, "post", daphne, f"/offers/{offer_id}/accept", tokens[0])
            await asyncio.to_thread(relay_pending)
            assert [(f["event"], f["seq"]) for f in [await two.next()]] == [("offer.withdrawn", 2)]
            won = [await one.next(), await one.next()]
            assert [f["event"] for f in won] == ["offer.accepted", "booking.status"]
            assert await one.nothing()
            assert await two.nothing()

    async_to_sync(scenario)()
    assert Offer.objects.filter(status="accepted").count() == 1


class RedisServer:
    """A redis-server of the test's own on a free port (never the shared one), without
    persistence: stopping it loses everything it held."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - our own argv
        for _ in range(200):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def test_a_socket_idle_longer_than_a_blocking_pop_still_hears_its_offer(daphne: str) -> None:
    helper = make_helper()
    token = api_token(helper.user)
    customer_token = api_token(UserFactory.create())

    async def scenario() -> None:
        async with Socket(daphne, token) as idle:
            # Longer than channels-redis's 5-second blocking pop (and redis-py's default read
            # timeout): the socket must still be there.
            await asyncio.sleep(6.5)
            await asyncio.to_thread(post_help_request, daphne, customer_token)
            await asyncio.to_thread(relay_pending)
            assert (await idle.next())["event"] == "offer.made"

    async_to_sync(scenario)()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed")
    server = RedisServer(binary)
    server.start()
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{server.port}/0"], "prefix": "quartier-t"},
        }
    }
    try:
        with override_settings(CHANNEL_LAYERS=layers):
            channel_layers.backends = {}
            yield server
    finally:
        channel_layers.backends = {}
        server.stop()


async def reconnected(address: str, token: str, after: int) -> Socket:
    """A socket that said hello, after as many tries as it takes within 60 seconds."""
    deadline = time.monotonic() + 60
    while True:
        attempt = Socket(address, token, after=after)
        try:
            return await attempt.__aenter__()
        except (AssertionError, aiohttp.ClientError, TimeoutError):
            await attempt.__aexit__()
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def test_redis_stopped_and_started_again_loses_nothing(
    own_redis: RedisServer, django_db_blocker: Any
) -> None:
    helper = make_helper()
    token = api_token(helper.user)
    customer_token = api_token(UserFactory.create())
    # Forked now, daphne uses the test's own Redis as its channel layer too.
    process, address = start_daphne(django_db_blocker)

    async def scenario() -> None:
        async with Socket(address, token) as live:
            assert live.hello["last_seq"] == 0
            own_redis.stop()
            # The API keeps answering and committing while Redis is down...
            request = await asyncio.to_thread(post_help_request, address, customer_token)
            # ...and the event waits in the outbox.
            assert await asyncio.to_thread(relay_pending) == 0
            own_redis.start()
            assert await asyncio.to_thread(relay_pending) >= 1
        # The phone reconnects with the last number it has, and gets what it missed, once
        # (as the app does, it tries again while daphne's Redis client finds the restarted
        # server: the first tries may be closed with 1011).
        async with await reconnected(address, token, after=live.hello["last_seq"]) as again:
            missed = await again.next()
            assert (missed["event"], missed["seq"]) == ("offer.made", 1)
            assert missed["data"]["help_request"] == request["id"]
            assert await again.nothing()

    try:
        async_to_sync(scenario)()
    finally:
        stop(process)
    failed = OutboxEvent.objects.filter(event_type="OfferMade").get()
    assert failed.attempts >= 1
    assert "onnect" in failed.last_error
    assert failed.relayed_at is not None
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0
