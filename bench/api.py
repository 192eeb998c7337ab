"""`python -m bench.api`: posting help requests over HTTP, beside a bare DRF endpoint.

It prints figures and never passes or fails. On a fresh database (a temporary SQLite file, or
a scratch PostgreSQL database on the server of `--database-url`, as `bench.loop`) it migrates,
seeds `--helpers` helpers of the synthetic Switzerland (bench/synthetic_switzerland.py),
rebuilds the match index with their free time, and gives each of `--clients` concurrent
clients a customer of their own with an API token. It starts daphne
(`backend.asgi:application`) on loopback and, for `--seconds` seconds, alternates slices of
two loads, each driven by all clients at once (asyncio and aiohttp):

- `post`: POST /api/v1/help-requests (a 4-hour window two days ahead, at the customer's home
  locality), then GET the request's status;
- `bare`: GET /api/v1/me, a bare authenticated DRF endpoint (the token checked, one user
  read).

It prints requests per second and p50/p95/p99 of each (a post counted once, its status read
timed as its own line), and the errors (any answer other than 201 or 200, or a failed
connection). The last line is one JSON object with `post_to_bare_rps` (posts per second over
bare requests per second) and `errors`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bench.loop import (
    FAST_PASSWORD_HASHERS,
    POSTGRES_SCHEMES,
    SCRATCH_DATABASE,
    _database,
    percentile,
)
from bench.realtime import _free_port, _process

POST = "post"
STATUS = "status"
BARE = "bare"
SLICE_SECONDS = 2.0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.api",
        description="Posting help requests over HTTP through daphne, beside a bare endpoint.",
    )
    parser.add_argument("--helpers", type=int, default=100_000, help="helpers to seed")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the timed run")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the synthetic data")
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a fresh temporary SQLite file; with postgres://…, a scratch database "
        "(--scratch-database) is created on that server, used and dropped",
    )
    parser.add_argument("--scratch-database", default=f"{SCRATCH_DATABASE}_api")
    args = parser.parse_args(argv)
    if args.helpers < 1 or args.clients < 1 or args.seconds <= 0:
        parser.error("--helpers and --clients must be at least 1, --seconds above 0")
    if args.database_url and args.database_url.split(":", 1)[0] not in POSTGRES_SCHEMES:
        parser.error("--database-url takes a postgres://user@host:port/database URL")
    return args


@dataclass(frozen=True)
class Client:
    token: str
    postal_code: str
    locality: str
    languages: list[str]


def _prepare(args: argparse.Namespace) -> list[Client]:
    """Migrate, seed, rebuild the match index; one customer with a token per client."""
    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    from backend.devices import device_sign_in
    from bench.hot_paths import _swiss_home
    from bench.synthetic_switzerland import (
        SwissMixture,
        create_customers,
        request_languages,
        seed_helpers,
    )
    from bookings.matching.index import match_index_rebuild

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    mixture = SwissMixture(rng)
    with tqdm(total=args.helpers, desc="seeding helpers", unit="helper") as bar:
        counts = seed_helpers(count=args.helpers, mixture=mixture, rng=rng, on_batch=bar.update)
    with tqdm(total=counts.approved_accepting, desc="match index", unit="helper") as bar:
        match_index_rebuild(progress=bar.update)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    homes = [_swiss_home(mixture) for _ in range(args.clients)]
    languages = [request_languages(home.locality, rng) for home in homes]
    customers = create_customers(homes, languages=languages)
    return [
        Client(
            token=device_sign_in(user=customer, name="bench.api")[1],
            postal_code=home.locality.postal_code,
            locality=home.locality.name,
            languages=spoken,
        )
        for customer, home, spoken in zip(customers, homes, languages, strict=True)
    ]


@dataclass
class Load:
    """What one kind of request did over the run."""

    times_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    first_errors: list[str] = field(default_factory=list)

    def failed(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 3:
            self.first_errors.append(what[:300])


async def _post(
    session: Any, base: str, client: Client, number: int, loads: dict[str, Load]
) -> None:
    from backend import clock

    day = clock.now() + timedelta(days=2)
    begins = day.replace(hour=8 + number % 8, minute=0, second=0, microsecond=0)
    body = {
        "category": "internet-wifi",
        "description": "The Wi-Fi drops every evening and the TV box loses its channels.",
        "street": "Bahnhofstrasse 1",
        "postal_code": client.postal_code,
        "locality": client.locality,
        "languages": client.languages,
        "windows": [
            {"starts_at": begins.isoformat(), "ends_at": (begins + timedelta(hours=4)).isoformat()}
        ],
    }
    headers = {"Authorization": f"Token {client.token}"}
    started = time.perf_counter()
    try:
        async with session.post(f"{base}/api/v1/help-requests", json=body, headers=headers) as r:
            text = await r.text()
            if r.status != 201:
                loads[POST].failed(f"{r.status} {text}")
                return
            loads[POST].times_ms.append((time.perf_counter() - started) * 1000)
            request_id = json.loads(text)["id"]
        started = time.perf_counter()
        async with session.get(f"{base}/api/v1/help-requests/{request_id}", headers=headers) as r:
            text = await r.text()
            if r.status != 200:
                loads[STATUS].failed(f"{r.status} {text}")
                return
            loads[STATUS].times_ms.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # noqa: BLE001 — a failed connection is an error to count
        loads[POST].failed(repr(exc))


async def _bare(session: Any, base: str, client: Client, loads: dict[str, Load]) -> None:
    started = time.perf_counter()
    try:
        async with session.get(
            f"{base}/api/v1/me", headers={"Authorization": f"Token {client.token}"}
        ) as r:
            text = await r.text()
            if r.status != 200:
                loads[BARE].failed(f"{r.status} {text}")
                return
            loads[BARE].times_ms.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # noqa: BLE001 — a failed connection is an error to count
        loads[BARE].failed(repr(exc))


async def _drive(args: argparse.Namespace, port: int, clients: list[Client]) -> dict[str, Load]:
    import aiohttp

    base = f"http://127.0.0.1:{port}"
    loads = {POST: Load(), STATUS: Load(), BARE: Load()}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=timeout
    ) as session:
        # Warm-up: each client once through both loads, not counted.
        warm = {POST: Load(), STATUS: Load(), BARE: Load()}
        await asyncio.gather(*(_bare(session, base, c, warm) for c in clients))
        await asyncio.gather(*(_post(session, base, c, 0, warm) for c in clients))
        if warm[POST].errors or warm[BARE].errors:
            print("warm-up errors:", warm[POST].first_errors + warm[BARE].first_errors)
        ends = time.perf_counter() + args.seconds
        turn = 0
        while time.perf_counter() < ends:
            kind = (BARE, POST)[turn % 2]
            slice_ends = min(ends, time.perf_counter() + SLICE_SECONDS)
            started = time.perf_counter()

            async def one(
                client: Client, number: int, kind: str = kind, until: float = slice_ends
            ) -> None:
                count = number
                while time.perf_counter() < until:
                    if kind == POST:
                        await _post(session, base, client, count, loads)
                    else:
                        await _bare(session, base, client, loads)
                    count += 1

            await asyncio.gather(*(one(c, n) for n, c in enumerate(clients)))
            loads[kind].seconds += time.perf_counter() - started
            turn += 1
    loads[STATUS].seconds = loads[POST].seconds
    return loads


def _rps(load: Load) -> float:
    return len(load.times_ms) / load.seconds if load.seconds else 0.0


def _run(args: argparse.Namespace) -> None:
    from django.db import connection

    started = time.perf_counter()
    clients = _prepare(args)
    vendor = connection.vendor
    connection.close()
    print(f"prepared {args.helpers:,} helpers in {time.perf_counter() - started:.0f} s")
    port = _free_port()
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with _process([*daphne, "backend.asgi:application"], "daphne", port):
        loads = asyncio.run(_drive(args, port, clients))
    print()
    print(f"== Quartier API (python -m bench.api): {vendor}, {args.helpers:,} helpers ==")
    print(
        f"{args.clients} concurrent clients, {args.seconds:g} s in alternating slices of "
        f"{SLICE_SECONDS:g} s, one daphne process on loopback"
    )
    print(f"{'':<34}{'n':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    names = {
        POST: "POST /api/v1/help-requests",
        STATUS: "GET  /api/v1/help-requests/{id}",
        BARE: "GET  /api/v1/me (bare)",
    }
    for kind in (POST, STATUS, BARE):
        load = loads[kind]
        figures = [percentile(load.times_ms, q) for q in (0.5, 0.95, 0.99)]
        print(
            f"{names[kind]:<34}{len(load.times_ms):>7}{_rps(load):>9.1f}"
            + "".join(f"{f:>9.1f}" for f in figures)
            + f"{load.errors:>8}"
        )
    errors = sum(load.errors for load in loads.values())
    for load in loads.values():
        for what in load.first_errors:
            print(f"  error: {what}")
    bare = _rps(loads[BARE])
    print(
        json.dumps(
            {
                "helpers": args.helpers,
                "database": vendor,
                "clients": args.clients,
                "post_rps": round(_rps(loads[POST]), 2),
                "bare_rps": round(bare, 2),
                "post_p95_ms": round(percentile(loads[POST].times_ms, 0.95), 1),
                "bare_p95_ms": round(percentile(loads[BARE].times_ms, 0.95), 1),
                "post_to_bare_rps": round(_rps(loads[POST]) / bare, 3) if bare else None,
                "errors": errors,
            }
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    # The clients post as fast as they can: no per-customer limits in the way.
    os.environ["QUARTIER_MAX_OPEN_REQUESTS_PER_CUSTOMER"] = "1000000"
    os.environ["QUARTIER_MAX_REQUESTS_PER_CUSTOMER_PER_DAY"] = "1000000"
    os.environ["QUARTIER_THROTTLE_USER"] = "1000000/min"
    with _database(args.database_url, args.scratch_database):
        import django
        from django.conf import settings

        django.setup()
        settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
        _run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
