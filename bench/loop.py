"""`python -m bench.loop`: the foundation's matching hot paths on a synthetic Switzerland.

It prints figures and never passes or fails. On a fresh database (a temporary SQLite file, or
a scratch PostgreSQL database `quartier_bench` created and dropped on the server of
`--database-url`) it migrates, seeds `--helpers` helpers (see bench/synthetic_switzerland.py),
rebuilds the match index from them, then times four methods for each of `--queries` customer
points, interleaved and with the order rotated per query (see bench/hot_paths.py): a
primary-key fetch as the reference, the match index search alone, `find_candidates` (the
request's candidates from `match_request`, as offers get them), and posting a help request end
to end.

The machine is shared and noisy: read the ratios to the reference measured in the same run,
not the milliseconds on their own. The last line is one JSON object with the headline figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SCRATCH_DATABASE = "quartier_bench"
POSTGRES_SCHEMES = ("postgres", "postgresql", "postgis", "pgsql")
# Only the bench's own users get passwords, hashed once; a fast hasher keeps even that cheap.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WARMUP_QUERIES = 5


@dataclass(frozen=True)
class Target:
    vendor: str  # "sqlite" or "postgresql"
    where: str
    sqlite_path: Path | None = None


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loop",
        description="Time the foundation's matching hot paths on a synthetic Switzerland.",
    )
    parser.add_argument("--helpers", type=int, default=20_000, help="helpers to seed")
    parser.add_argument("--queries", type=int, default=300, help="customer points to time")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the synthetic data")
    parser.add_argument(
        "--database-url",
        default=None,
        help=(
            "default: a fresh temporary SQLite file. With postgres://…, a scratch database "
            f"{SCRATCH_DATABASE!r} (see --scratch-database) is created on that server, used, "
            "and dropped."
        ),
    )
    parser.add_argument(
        "--scratch-database",
        default=SCRATCH_DATABASE,
        help="the scratch PostgreSQL database's name, so that two runs on one server can coexist",
    )
    args = parser.parse_args(argv)
    if args.helpers < 1 or args.queries < 1:
        parser.error("--helpers and --queries must be at least 1")
    if args.database_url and urlsplit(args.database_url).scheme not in POSTGRES_SCHEMES:
        parser.error("--database-url takes a postgres://user@host:port/database URL")
    return args


def _close_django_connections() -> None:
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        connections.close_all()


def _scratch_command(admin_urls: Sequence[str], statement: str, name: str) -> None:
    """Run `statement` on database `name` on the first of `admin_urls` that accepts a
    connection."""
    import psycopg
    from psycopg import sql

    query = sql.SQL(statement).format(sql.Identifier(name))
    failure: psycopg.OperationalError | None = None
    for admin_url in admin_urls:
        try:
            connection = psycopg.connect(admin_url, autocommit=True)
        except psycopg.OperationalError as exc:
            failure = exc
            continue
        with connection:
            connection.execute(query)
        return
    assert failure is not None
    raise failure


@contextmanager
def _database(url: str | None, scratch: str = SCRATCH_DATABASE) -> Iterator[Target]:
    """Point Django (through the environment, before `django.setup()`) at a fresh database."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="quartier-bench-") as directory:
            path = Path(directory) / "bench.sqlite3"
            os.environ.pop("DATABASE_URL", None)
            os.environ["QUARTIER_SQLITE_PATH"] = str(path)
            try:
                yield Target("sqlite", f"fresh temporary file {path}", path)
            finally:
                _close_django_connections()
        return
    parts = urlsplit(url)
    # Like Django's test runner: create and drop from the maintenance database `postgres`, or
    # from the URL's own database when `postgres` is not open to us. Neither is written to.
    admin_urls = [
        urlunsplit(("postgresql", parts.netloc, path, parts.query, ""))
        for path in dict.fromkeys(("/postgres", parts.path))
        if path not in ("", "/")
    ]
    scratch_url = urlunsplit(("postgres", parts.netloc, f"/{scratch}", parts.query, ""))
    # FORCE: a server process the bench started may still be closing its session.
    _scratch_command(admin_urls, "DROP DATABASE IF EXISTS {} WITH (FORCE)", scratch)
    _scratch_command(admin_urls, "CREATE DATABASE {}", scratch)
    os.environ["DATABASE_URL"] = scratch_url
    try:
        host = parts.hostname or "local socket"
        port = f":{parts.port}" if parts.port else ""
        yield Target("postgresql", f"scratch database {scratch} on {host}{port}")
    finally:
        _close_django_connections()
        _scratch_command(admin_urls, "DROP DATABASE IF EXISTS {} WITH (FORCE)", scratch)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ms(values_ns: Sequence[int]) -> list[float]:
    return [value / 1e6 for value in values_ns]


def _spread(values: Sequence[float], unit: str = "", digits: int = 0) -> str:
    return (
        f"p50 {percentile(values, 0.5):.{digits}f}{unit}  "
        f"p95 {percentile(values, 0.95):.{digits}f}{unit}  "
        f"max {max(values):.{digits}f}{unit}"
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _storage(target: Target) -> list[str]:
    from django.db import connection

    from backend.models import User
    from bookings.models import FreeTime
    from helpers.models import HelperProfile, HelperSkill, WeeklyAvailability

    if target.sqlite_path is not None:
        size = sum(
            path.stat().st_size
            for path in (target.sqlite_path, target.sqlite_path.with_name("bench.sqlite3-wal"))
            if path.exists()
        )
        return [f"database file {_megabytes(size)}"]
    lines = []
    total = 0
    with connection.cursor() as cursor:
        for model in (User, HelperProfile, HelperSkill, WeeklyAvailability, FreeTime):
            table = model._meta.db_table
            cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
            size = int(cursor.fetchone()[0])
            total += size
            lines.append(f"{table} {_megabytes(size)}")
        cursor.execute("SELECT pg_database_size(current_database())")
        database_size = int(cursor.fetchone()[0])
    return [
        "pg_total_relation_size, tables and indexes: " + ", ".join(lines),
        f"helper tables together {_megabytes(total)}; whole database {_megabytes(database_size)}",
    ]


def _server_version(target: Target) -> str:
    from django.db import connection

    if target.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


@dataclass
class Setup:
    """The seeded database and what building it took."""

    counts: Any  # bench.synthetic_switzerland.SeedCounts
    migrate_seconds: float
    seed_seconds: float
    index_rows: int
    index_seconds: float
    free_rows: int
    queries: list[Any]  # bench.hot_paths.Query


def _prepare(args: argparse.Namespace, target: Target) -> Setup:
    """Migrate, seed, rebuild the match index (with the helpers' free time), pick the queries."""
    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    from bench.hot_paths import prepare_queries
    from bench.synthetic_switzerland import SwissMixture, seed_helpers
    from bookings.matching.index import match_index_rebuild
    from bookings.models import FreeTime
    from helpers.models import HelperProfile

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_seconds = time.perf_counter() - started

    rng = random.Random(args.seed)
    mixture = SwissMixture(rng)
    started = time.perf_counter()
    with tqdm(total=args.helpers, desc="seeding helpers", unit="helper") as bar:
        counts = seed_helpers(count=args.helpers, mixture=mixture, rng=rng, on_batch=bar.update)
    seed_seconds = time.perf_counter() - started
    # The seeding writes straight to the helper tables, so the match index is rebuilt from them.
    started = time.perf_counter()
    with tqdm(total=counts.approved_accepting, desc="match index", unit="helper") as bar:
        index_rows = match_index_rebuild(progress=bar.update)
    index_seconds = time.perf_counter() - started
    if target.vendor == "postgresql":
        # Autovacuum would analyse the fresh tables within a minute in production; do it now
        # so the planner does not plan a 20k-row join from empty statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    helper_pks = list(HelperProfile.objects.values_list("pk", flat=True))
    queries = prepare_queries(count=args.queries, mixture=mixture, rng=rng, helper_pks=helper_pks)
    return Setup(
        counts=counts,
        migrate_seconds=migrate_seconds,
        seed_seconds=seed_seconds,
        index_rows=index_rows,
        index_seconds=index_seconds,
        free_rows=FreeTime.objects.count(),
        queries=queries,
    )


def _time_queries(queries: list[Any]) -> Any:
    """Every method for every query, after a few warm-up queries; the measurements."""
    from tqdm import tqdm

    from bench.hot_paths import HotPaths, MatchingProbe

    probe = MatchingProbe()
    paths = HotPaths(probe)
    with probe.installed():
        for turn, query in enumerate(queries[:WARMUP_QUERIES]):
            paths.run(query, turn=turn, record=False)
        gc.collect()
        for turn, query in enumerate(tqdm(queries, desc="timing queries", unit="query")):
            paths.run(query, turn=turn, record=True)
    return paths.results


def _print_setup(args: argparse.Namespace, target: Target, setup: Setup) -> None:
    import django

    from bench.hot_paths import DAYS_AHEAD, WINDOW_HOURS
    from bench.synthetic_switzerland import CITY_CLUSTERS, RURAL_SHARE

    counts = setup.counts
    print()
    print("== Quartier matching hot paths (python -m bench.loop) ==")
    print(
        f"database    {target.vendor}: {target.where}; {_server_version(target)}, "
        f"Django {django.get_version()}, Python {platform.python_version()}"
    )
    print(
        f"helpers     {counts.helpers:,} (seed {args.seed}; {len(CITY_CLUSTERS)} city "
        f"clusters + {RURAL_SHARE:.0%} rural): {counts.approved_accepting:,} approved and "
        f"accepting jobs, {counts.skills:,} skill rows, {counts.weekly_rows:,} weekly rows"
    )
    print(
        f"seeding     {setup.seed_seconds:.1f} s ({counts.helpers / setup.seed_seconds:,.0f} "
        f"helpers/s; migrations before it {setup.migrate_seconds:.1f} s)"
    )
    print(
        f"match index {setup.index_rows:,} rows and {setup.free_rows:,} free-time rows, rebuilt "
        f"in {setup.index_seconds:.1f} s (match_index_rebuild)"
    )
    for line in _storage(target):
        print(f"storage     {line}")
    print(
        f"queries     {args.queries} customer points from the same mixture, random category, "
        f"one {WINDOW_HOURS} h window {DAYS_AHEAD} days ahead; {WARMUP_QUERIES} warm-up "
        "queries not counted; the four methods interleaved, order rotated per query"
    )
    print()


def _print_methods(times_ms: dict[str, list[float]]) -> None:
    from bench.hot_paths import (
        FIND_CANDIDATES,
        INDEX_SEARCH,
        LIMIT,
        METHODS,
        POST_REQUEST,
        RADIUS_KM,
        REFERENCE,
    )

    p50 = {method: percentile(times_ms[method], 0.5) for method in METHODS}
    p95 = {method: percentile(times_ms[method], 0.95) for method in METHODS}
    print(
        f"{'method':<17}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'p50/ref':>10}"
        f"{'p95/ref':>10}{'p95/search':>12}"
    )
    for method in METHODS:
        print(
            f"{method:<17}{p50[method]:>10.3f}{p95[method]:>10.3f}{max(times_ms[method]):>10.3f}"
            f"{p50[method] / p50[REFERENCE]:>9.1f}×{p95[method] / p95[REFERENCE]:>9.1f}×"
            f"{p95[method] / p95[INDEX_SEARCH]:>11.1f}×"
        )
    print(
        f"  {REFERENCE}: HelperProfile pk fetch through the ORM; {INDEX_SEARCH}: "
        f"bench.nearest at {RADIUS_KM:g} km, limit {LIMIT}; {FIND_CANDIDATES}: match_request, "
        f"{RADIUS_KM:g} km, limit {LIMIT}; "
        f"{POST_REQUEST}: help_request_create (5 km first, widening), rolled back, no COMMIT"
    )
    print()


def _print_inside(results: Any) -> None:
    """Where find_candidates and post request spend their time, per query."""
    from bench.hot_paths import FIND_CANDIDATES, INDEX_SEARCH, LIMIT, RADIUS_KM

    fc_total_ns = sum(results.times_ns[FIND_CANDIDATES])
    geodesic_total_ns = sum(results.geodesic_ns)
    availability_total_ns = sum(results.availability_ns)
    index_total_ns = sum(results.times_ns[INDEX_SEARCH])
    rest_ns = fc_total_ns - geodesic_total_ns - availability_total_ns - index_total_ns
    geodesic_calls = sum(results.geodesic_calls)
    found = results.candidates_found
    print(f"inside find_candidates ({RADIUS_KM:g} km), per query:")
    print(f"  index search results     {_spread(results.index_rows)}")
    print(f"  queries sent             {_spread(results.queries_sent)}")
    print(f"  geodesic calls           {_spread(results.geodesic_calls)}")
    print(f"  geodesic time            {_spread(_ms(results.geodesic_ns), ' ms', 2)}")
    print(f"  availability             {_spread(_ms(results.availability_ns), ' ms', 2)}")
    if geodesic_calls:
        print(f"  one geodesic call        {geodesic_total_ns / geodesic_calls / 1000:.0f} µs")
    print(
        f"  candidates returned      {found.count(0)} queries with none, "
        f"{sum(1 for n in found if 0 < n < LIMIT)} with fewer than {LIMIT}, "
        f"{found.count(LIMIT)} with {LIMIT}"
    )
    print(
        "  share of find_candidates time, summed over queries: "
        f"geodesic {geodesic_total_ns / fc_total_ns:.0%}, "
        f"index search ≈{index_total_ns / fc_total_ns:.0%} (timed separately), "
        f"availability {availability_total_ns / fc_total_ns:.0%}, "
        f"the rest (windows query, slots, scores, explanations) ≈{rest_ns / fc_total_ns:.0%}"
    )
    print("inside post request, per request:")
    print(f"  match_request calls      {_spread(results.post_match_request_calls)}")
    print(f"  geodesic calls           {_spread(results.post_geodesic_calls)}")
    print(f"  queries sent             {_spread(results.post_queries_sent)}")
    print(
        f"  offers created           {results.post_offers.count(0)} requests with none "
        f"(unmatched), {sum(1 for n in results.post_offers if n)} with offers"
    )
    print()


def _run(args: argparse.Namespace, target: Target) -> None:
    from bench.hot_paths import (
        FIND_CANDIDATES,
        INDEX_SEARCH,
        METHODS,
        POST_REQUEST,
        RADIUS_KM,
        REFERENCE,
        index_search_plan,
    )

    setup = _prepare(args, target)
    results = _time_queries(setup.queries)
    plan = index_search_plan(setup.queries[0].help_request, RADIUS_KM)
    times_ms = {method: _ms(results.times_ns[method]) for method in METHODS}
    p50 = {method: percentile(times_ms[method], 0.5) for method in METHODS}
    p95 = {method: percentile(times_ms[method], 0.95) for method in METHODS}
    _print_setup(args, target, setup)
    _print_methods(times_ms)
    _print_inside(results)
    print("index search plan, its first statement (first query point):")
    for line in plan.splitlines():
        print(f"  {line}")
    print()
    print(
        json.dumps(
            {
                "helpers": args.helpers,
                "database": target.vendor,
                "find_candidates_p50_ms": round(p50[FIND_CANDIDATES], 3),
                "find_candidates_p95_ms": round(p95[FIND_CANDIDATES], 3),
                "post_request_p95_ms": round(p95[POST_REQUEST], 3),
                "index_search_p95_ms": round(p95[INDEX_SEARCH], 3),
                "reference_p95_ms": round(p95[REFERENCE], 3),
                "find_candidates_p95_ratio": round(p95[FIND_CANDIDATES] / p95[REFERENCE], 1),
                "find_candidates_to_search_p95": round(p95[FIND_CANDIDATES] / p95[INDEX_SEARCH], 2),
                "post_request_to_search_p95": round(p95[POST_REQUEST] / p95[INDEX_SEARCH], 2),
            }
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    # Development mode for the development secret key; the runs themselves switch DEBUG off.
    os.environ.setdefault("DJANGO_DEBUG", "true")
    with _database(args.database_url, args.scratch_database) as target:
        import django

        django.setup()
        from django.test import override_settings

        # DEBUG off: no query log kept per query, as in production.
        with override_settings(DEBUG=False, PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
            _run(args, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
