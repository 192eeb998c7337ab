"""`python -m bench.realtime`: offer delivery from the API to the helpers' sockets.

It prints figures and never passes or fails. On a fresh database (a temporary SQLite file, or
the scratch PostgreSQL database of `bench.loop` on the server of `--database-url`) it seeds
`--clients` approved helpers around Zurich, starts a redis-server of its own on a free port,
daphne (`backend.asgi:application`) and `manage.py relay` on loopback, and connects one
WebSocket per helper. It then posts `--requests` help requests through the HTTP API, one after
the other, and measures for each offered helper the time from the POST's response to their
socket receiving `offer.made` (negative when the frame came first; counted as 0). Beside it, in
the same run, the reference: a bare channels-redis `group_send` → `receive` round trip on the
same Redis. The last line is one JSON object:
`{"clients": N, "offer_p95_ms": x, "bare_p95_ms": y, "ratio": r, "lost": 0}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.loop import FAST_PASSWORD_HASHERS, _database, percentile

BASE_DIR = Path(__file__).resolve().parent.parent
ZURICH = (47.3769, 8.5417)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500, help="helper sockets to connect")
    parser.add_argument("--requests", type=int, default=40, help="help requests to post")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the helpers' homes")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server (postgres://...) to create the scratch database on; "
        "default: a temporary SQLite file",
    )
    return parser.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start on port {port}")


@contextmanager
def _process(command: list[str], what: str, port: int | None = None) -> Iterator[None]:
    child = subprocess.Popen(command, cwd=BASE_DIR, stdout=subprocess.DEVNULL)  # noqa: S603
    try:
        if port is not None:
            _wait_for_port(port, what)
        yield
    finally:
        child.terminate()
        child.wait(timeout=20)


def _seed(clients: int, seed: int) -> tuple[list[str], str]:
    """`clients` approved helpers within a few kilometres of Zurich, free around the clock,
    and one customer: their API tokens."""
    from backend.devices import device_sign_in
    from backend.geo import Point, point_to_geojson
    from backend.models import User
    from bookings.matching.index import match_index_refresh
    from catalogue.models import ServiceCategory
    from helpers.models import ApprovalStatus, HelperProfile, HelperSkill, WeeklyAvailability

    rng = random.Random(seed)
    category = ServiceCategory.objects.get(slug="internet-wifi")
    helpers = []
    for number in range(clients):
        user = User.objects.create_user(
            f"bench.helper{number}@example.ch", "bench-password", display_name=f"Helper {number}"
        )
        point = Point(ZURICH[0] + rng.uniform(-0.03, 0.03), ZURICH[1] + rng.uniform(-0.04, 0.04))
        user.languages = ["de", "en"]
        user.home_latitude, user.home_longitude = point.latitude, point.longitude
        user.home_location = point_to_geojson(point)
        user.save()
        # Their payout accounts take charges: a paid helper without one gets no offers.
        helper = HelperProfile.objects.create(
            user=user,
            service_radius_km=10,
            approval_status=ApprovalStatus.APPROVED,
            takes_payments=True,
        )
        HelperSkill.objects.create(helper=helper, category=category)
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(
                helper=helper, weekday=day, start_time=clock_time(0), end_time=clock_time(23, 59)
            )
            for day in range(7)
        )
        helpers.append(helper)
    match_index_refresh(helper_ids=[helper.pk for helper in helpers])
    customer = User.objects.create_user(
        "bench.customer@example.ch", "bench-password", display_name="Bench Customer"
    )
    customer.languages = ["de", "en"]
    customer.save()
    tokens = [device_sign_in(user=helper.user)[1] for helper in helpers]
    return tokens, device_sign_in(user=customer)[1]


class Arrivals:
    """When each helper's socket got `offer.made`, by help request."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.new = asyncio.Event()

    def record(self, help_request: str) -> None:
        self.times.setdefault(help_request, []).append(time.perf_counter())
        self.new.set()


async def _listen(ws: Any, arrivals: Arrivals) -> None:
    async for message in ws:
        frame = json.loads(message.data)
        if frame.get("type") == "event" and frame.get("event") == "offer.made":
            arrivals.record(frame["data"]["help_request"])


async def _offers(args: argparse.Namespace, port: int, tokens: list[str], customer: str) -> Any:
    import aiohttp
    from asgiref.sync import sync_to_async

    from bookings.models import Offer

    arrivals = Arrivals()
    base = f"127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        sockets = []
        for start in range(0, len(tokens), 10):
            batch = tokens[start : start + 10]
            sockets += await asyncio.gather(
                *(
                    session.ws_connect(
                        f"ws://{base}/ws/v1/",
                        headers={"Authorization": f"Token {token}", "Origin": f"http://{base}"},
                    )
                    for token in batch
                )
            )
        for ws in sockets:
            hello = json.loads((await ws.receive(timeout=30)).data)
            assert hello["type"] == "hello", hello
        listeners = [asyncio.create_task(_listen(ws, arrivals)) for ws in sockets]
        await _relay_listening()
        latencies: list[float] = []
        posts: list[float] = []
        since_posted: list[float] = []
        lost = 0
        day = timezone_start()
        for number in range(args.requests):
            begins = day + timedelta(days=number % 20, hours=number // 20)
            body = {
                "category": "internet-wifi",
                "description": "The Wi-Fi drops every evening around eight.",
                "street": "Bahnhofstrasse 1",
                "postal_code": "8001",
                "locality": "Zürich",
                "windows": [
                    {
                        "starts_at": begins.isoformat(),
                        "ends_at": (begins + timedelta(hours=4)).isoformat(),
                    }
                ],
            }
            posted = time.perf_counter()
            async with session.post(
                f"http://{base}/api/v1/help-requests",
                json=body,
                headers={"Authorization": f"Token {customer}"},
            ) as response:
                answered = time.perf_counter()
                posts.append((answered - posted) * 1000)
                assert response.status == 201, await response.text()
                request_id = (await response.json())["id"]
            offered = await sync_to_async(
                Offer.objects.filter(help_request__public_id=request_id).count
            )()
            deadline = time.perf_counter() + 10
            while len(arrivals.times.get(request_id, [])) < offered:
                arrivals.new.clear()
                try:
                    await asyncio.wait_for(arrivals.new.wait(), deadline - time.perf_counter())
                except TimeoutError:
                    break
            got = arrivals.times.get(request_id, [])
            lost += max(0, offered - len(got))
            latencies += [max(0.0, (at - answered) * 1000) for at in got]
            since_posted += [(at - posted) * 1000 for at in got]
        for task in listeners:
            task.cancel()
        for ws in sockets:
            await ws.close()
    # The offers are made inside the POST (matching runs in the request's transaction): its
    # answer is what a customer waits for before any helper can be told.
    print(
        f"POST help request (matching, offers made): p50 {percentile(posts, 0.5):.1f} ms, "
        f"p95 {percentile(posts, 0.95):.1f} ms; POST sent → socket: "
        f"p50 {percentile(since_posted, 0.5):.1f} ms, p95 {percentile(since_posted, 0.95):.1f} ms"
    )
    return latencies, lost


async def _relay_listening(seconds: float = 60) -> None:
    """Wait until the relay has started and subscribed to its wake-ups (it starts beside
    daphne and may take longer than the sockets to connect)."""
    import redis.asyncio as redis
    from django.conf import settings

    from realtime.wake import wake_channel

    client = redis.Redis.from_url(settings.REDIS_URL)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            subscribed = dict(await client.pubsub_numsub(wake_channel()))
            if any(subscribed.values()):
                return
            await asyncio.sleep(0.1)
    finally:
        await client.aclose()
    raise RuntimeError("the relay did not subscribe to its wake-ups")


def timezone_start() -> Any:
    from backend import clock

    return (clock.now() + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)


async def _bare_round_trips(redis_url: str, count: int) -> list[float]:
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[redis_url], prefix="bench-bare")
    channel = await layer.new_channel()
    await layer.group_add("bench", channel)
    times = []
    for number in range(count):
        started = time.perf_counter()
        await layer.group_send("bench", {"type": "bench.ping", "n": number})
        await layer.receive(channel)
        times.append((time.perf_counter() - started) * 1000)
    await layer.flush()
    return times


def _run(args: argparse.Namespace, redis_port: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    tokens, customer = _seed(args.clients, args.seed)
    print(f"seeded {args.clients} helpers in {time.perf_counter() - started:.1f} s")
    port = _free_port()
    python = sys.executable
    daphne = [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    daphne += ["--websocket_connect_timeout", "60"]
    relay = [python, "manage.py", "relay"]
    with (
        _process([*daphne, "backend.asgi:application"], "daphne", port),
        _process(relay, "the relay"),
    ):
        latencies, lost = asyncio.run(_offers(args, port, tokens, customer))
    bare = asyncio.run(_bare_round_trips(f"redis://127.0.0.1:{redis_port}/0", len(latencies)))
    offer_p95, bare_p95 = percentile(latencies, 0.95), percentile(bare, 0.95)
    print(f"{'':<28}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, values in (("offer: POST → socket", latencies), ("bare group_send → receive", bare)):
        figures = [percentile(values, q) for q in (0.5, 0.95, 0.99)]
        print(f"{name:<28}{len(values):>6}" + "".join(f"{f:>10.2f}" for f in figures))
    print(
        json.dumps(
            {
                "clients": args.clients,
                "offer_p95_ms": round(offer_p95, 2),
                "bare_p95_ms": round(bare_p95, 2),
                "ratio": round(offer_p95 / bare_p95, 1) if bare_p95 else None,
                "lost": lost,
            }
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    binary = shutil.which("redis-server")
    if binary is None:
        print("bench.realtime needs redis-server on PATH", file=sys.stderr)
        return 1
    redis_port = _free_port()
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    # One customer posts them all, within minutes.
    os.environ["QUARTIER_MAX_OPEN_REQUESTS_PER_CUSTOMER"] = str(args.requests + 1)
    os.environ["QUARTIER_MAX_REQUESTS_PER_CUSTOMER_PER_DAY"] = str(args.requests + 1)
    os.environ["QUARTIER_THROTTLE_USER"] = "100000/min"
    redis_command = [binary, "--port", str(redis_port), "--save", "", "--appendonly", "no"]
    with _process(redis_command, "redis-server", redis_port), _database(args.database_url):
        import django
        from django.conf import settings

        django.setup()
        settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
        _run(args, redis_port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
