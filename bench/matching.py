"""`python -m bench.matching`: the match index against a raw PostGIS KNN, on one synthetic Switzerland.

What it measures, all in one process and one run:

- Speed of `bench.nearest.nearest` (radius 25 km, limit 20: the nearest helpers of the
  category whose own radius reaches the customer) on SQLite (the per-category R*Tree ring) and
  on PostgreSQL (KNN on the per-category partial GiST), against the reference: the same
  question as one raw, prepared PostGIS KNN query on its own psycopg connection
  (`REFERENCE_SQL`). Then, in a second phase of the same run over the same queries,
  `bookings.matching.ranking.rank`, the composite ranking (limit 20, 25 km, fairness off), on both
  databases. Within a phase every method runs for every query, in an order rotated per query
  (through every permutation); each is timed from the client with `time.perf_counter`, results
  materialised. Before timing, the match index of both databases is read into memory (as a
  busy server holds it) and warm-up queries, not counted, build the per-process caches (the
  SQLite density grid, the prepared plans).
- Exactness: each method's answers for a sample of the queries against a brute-force WGS84
  geodesic reference (bench/matching_recall.py), for each database.
- Build: the time of the real `match_index_rebuild` on each database, and the index sizes.
- Fairness: a simulated day of requests around two cities, ranked with fairness on and off
  (bench/matching_fairness.py): how evenly offers spread over equally qualified helpers, and
  whether newly approved helpers get any; then the same day at other margins, the trade-off.

The data (bench/matching_data.py) is built once and kept: var/bench/matching-N.sqlite3 and
the PostgreSQL database quartier_bench_N, reused while N and the seed match (`--rebuild` forces
a new build, `--reindex` a new index). The machine is shared and noisy: read the ratios to the
reference measured in the same run rather than the milliseconds alone. Long steps show tqdm
progress on stderr. The last line of stdout is one JSON object with the headline figures.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import inspect
import itertools
import json
import os
import platform
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

    from backend.geo import Point
    from bench.matching_data import Prepared
    from bench.matching_fairness import FairnessOutcome
    from bench.matching_recall import Recall

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
POSTGRES_PREFIX = "quartier_bench_"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_SCHEMES = ("postgres", "postgresql", "postgis", "pgsql")
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

RADIUS_M = 25_000.0
LIMIT = 20

SQLITE_NEAREST = "Quartier SQLite"
POSTGRES_NEAREST = "Quartier PostgreSQL"
REFERENCE = "PostGIS KNN (reference)"
SQLITE_RANK = "rank SQLite"
POSTGRES_RANK = "rank PostgreSQL"
# Two phases of the same run, each interleaved: the composite ranking scans thousands of rows
# per query at 1M, which would evict the caches the nearest-helper methods run on.
NEAREST_METHODS = (SQLITE_NEAREST, POSTGRES_NEAREST, REFERENCE)
RANK_METHODS = (SQLITE_RANK, POSTGRES_RANK)
METHODS = NEAREST_METHODS + RANK_METHODS

# The reference: the same question as `nearest`, as one PostGIS statement on the per-category
# partial GiST (the category a literal, so that the partial index applies), spherical.
_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
REFERENCE_SQL = (
    "SELECT helper_id FROM bookings_matchentry WHERE category_id = {category} "
    f"AND geog && _ST_Expand({_POINT}, {RADIUS_M:.0f}) "
    f"AND ST_Distance(geog, {_POINT}, false) <= service_radius_km * 1000 "
    f"ORDER BY geog <-> {_POINT} LIMIT {LIMIT}"
)

# The lead's goals (see /work/shared/research/geo-matching.md): (name, method, p95 ratio to
# the reference at most, absolute p95 ms at most), per size.
GOALS_100K = ((SQLITE_NEAREST, 1.5, 5.0), (POSTGRES_NEAREST, 1.3, 8.0))
GOALS_1M = ((SQLITE_NEAREST, 1.0, None), (POSTGRES_NEAREST, 1.3, None))
COMPOSITE_GOAL_MS = 30.0
# Fairness: Gini of offers over the equally qualified at most this far above the lowest that
# whole offers allow, and their median distance at most this much longer than fairness off's.
FAIRNESS_GINI_GAP = 0.03
FAIRNESS_LONGER = 0.05


@dataclass(frozen=True)
class Paths:
    sqlite_path: Path
    postgres_admin_url: str
    postgres_name: str

    @property
    def postgres_url(self) -> str:
        parts = urlsplit(self.postgres_admin_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{self.postgres_name}", parts.query, ""))

    @property
    def postgres_conninfo(self) -> str:
        parts = urlsplit(self.postgres_url)
        return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))

    def admin_conninfo(self) -> str:
        parts = urlsplit(self.postgres_admin_url)
        return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matching",
        description="Time the match index on SQLite and PostgreSQL against a raw PostGIS KNN.",
    )
    parser.add_argument("--helpers", type=int, default=100_000, help="helpers in the data")
    parser.add_argument(
        "--queries",
        type=int,
        default=2_000,
        help="timed customer points (a p95 of 500 moves by several percent between runs)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=120,
        help="untimed queries before, cycling through the categories (10 each by default: "
        "more than DATABASE_PREPARE_THRESHOLD, so each category's search is prepared, as on a "
        "long-lived connection)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed of the data")
    parser.add_argument(
        "--recall-sample",
        type=int,
        default=None,
        help="queries checked by brute force (default: every timed query)",
    )
    parser.add_argument(
        "--day-requests", type=int, default=2_000, help="requests in the fairness day"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the data anew")
    parser.add_argument("--reindex", action="store_true", help="rebuild the match index")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=(
            "a database on the PostgreSQL server to create the bench database from; the bench "
            f"database itself is {POSTGRES_PREFIX}N on the same server"
        ),
    )
    args = parser.parse_args(argv)
    if args.helpers < 100 or args.queries < 1 or args.warmup < 0:
        parser.error("--helpers must be at least 100, --queries at least 1")
    if args.recall_sample is None:
        args.recall_sample = args.queries
    if not 0 <= args.recall_sample <= args.queries:
        parser.error("--recall-sample must be between 0 and --queries")
    if urlsplit(args.postgres_url).scheme not in POSTGRES_SCHEMES:
        parser.error("--postgres-url takes a postgres://user@host:port/database URL")
    return args


# --- databases ---------------------------------------------------------------------------------


def _admin(paths: Paths, statement: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(paths.admin_conninfo(), autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(paths.postgres_name)))


def _postgres_database_exists(paths: Paths) -> bool:
    import psycopg

    with psycopg.connect(paths.admin_conninfo(), autocommit=True) as connection:
        row = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [paths.postgres_name]
        ).fetchone()
    return row is not None


def _wipe(paths: Paths, alias: str) -> None:
    from bench.matching_data import SQLITE

    if alias == SQLITE:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{paths.sqlite_path}{suffix}").unlink(missing_ok=True)
        return
    _admin(paths, "DROP DATABASE IF EXISTS {}")
    _admin(paths, "CREATE DATABASE {}")


def _configure_django(paths: Paths) -> None:
    """Two databases in one process: "default" the SQLite file, "postgres" the PG database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    # Development mode for the development secret key; the runs themselves switch DEBUG off.
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ["DATABASE_URL"] = f"sqlite:///{paths.sqlite_path}"
    from django.conf import settings

    from backend.settings import _database_from_url

    settings.DATABASES["postgres"] = _database_from_url(paths.postgres_url)


# --- the methods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    category_id: int
    center: Point


class ReferenceKnn:
    """`REFERENCE_SQL` on its own psycopg connection, one prepared statement per category."""

    def __init__(self, conninfo: str) -> None:
        import psycopg

        self.connection: psycopg.Connection[Any] = psycopg.connect(conninfo, autocommit=True)
        self.cursor = self.connection.cursor()
        self._sql: dict[int, str] = {}

    def sql(self, category_id: int) -> str:
        if category_id not in self._sql:
            self._sql[category_id] = REFERENCE_SQL.format(category=int(category_id))
        return self._sql[category_id]

    def __call__(self, query: Query) -> list[int]:
        params = {"lon": query.center.longitude, "lat": query.center.latitude}
        self.cursor.execute(self.sql(query.category_id), params, prepare=True)
        return [row[0] for row in self.cursor.fetchall()]

    def explain(self, query: Query) -> list[str]:
        params = {"lon": query.center.longitude, "lat": query.center.latitude}
        self.cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + self.sql(query.category_id), params
        )
        return [row[0] for row in self.cursor.fetchall()]

    def close(self) -> None:
        self.connection.close()


class RingsRouter:
    """Stands in for `search.rings` where `rank` looks it up: records which database each ring
    search was asked for and, once `alias` is set, sends it there instead.

    Used first to check that `rank(using=...)` passes `using` on to the ring search; only when
    it does not (it would then search the default database whatever it was asked) does it stay
    installed while `rank` is timed, to measure what `rank` costs once it does.
    """

    def __init__(self, original: Callable[..., Any]) -> None:
        self.original = original
        self.signature = inspect.signature(original)
        self.alias: str | None = None
        self.asked_for: list[str] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        self.asked_for.append(str(bound.arguments["using"]))
        if self.alias is not None:
            bound.arguments["using"] = self.alias
        return self.original(*bound.args, **bound.kwargs)


def _rank_ids(query: Query, alias: str, router: RingsRouter | None = None) -> list[int]:
    from bookings.matching.ranking import rank

    if router is not None:
        router.alias = alias
    ranking = rank(
        category_id=query.category_id,
        center=query.center,
        radius_km=RADIUS_M / 1000,
        limit=LIMIT,
        using=alias,
    )
    return [scored.row.helper_id for scored in ranking.chosen]


def _nearest_ids(query: Query, alias: str) -> list[int]:
    from bench.nearest import nearest

    found = nearest(
        category_id=query.category_id,
        center=query.center,
        radius_m=RADIUS_M,
        limit=LIMIT,
        using=alias,
    )
    return [item.row.helper_id for item in found]


@dataclass
class Timings:
    times_ms: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METHODS})
    answers: dict[str, list[list[int]]] = field(default_factory=lambda: {m: [] for m in METHODS})


def _run_queries(
    queries: Sequence[Query],
    runners: dict[str, Callable[[Query], list[int]]],
    methods: Sequence[str],
    *,
    record: Timings | None,
    desc: str,
) -> None:
    from tqdm import tqdm

    # Every order of the methods in turn, so that each one runs before and after each other
    # one equally often (whoever goes first for a point pays for reading its pages).
    orders = list(itertools.permutations(methods))
    for turn, query in enumerate(tqdm(queries, desc=desc, unit="query")):
        for method in orders[turn % len(orders)]:
            started = time.perf_counter()
            answer = runners[method](query)
            elapsed_ms = (time.perf_counter() - started) * 1000
            if record is not None:
                record.times_ms[method].append(elapsed_ms)
                record.answers[method].append(answer)


# --- sizes and versions --------------------------------------------------------------------------


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _sqlite_sizes() -> list[str]:
    from django.db import connections

    from bench.matching_data import SQLITE

    with connections[SQLITE].cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND ("
            "name GLOB 'match_rtree_*_node' OR name GLOB 'match_rtree_*_rowid' "
            "OR name GLOB 'match_rtree_*_parent')"
        )
        shadow = sorted({name for (name,) in cursor.fetchall()})
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
            ["bookings_matchentry"],
        )
        indexes = [name for (name,) in cursor.fetchall()]
        sizes: dict[str, int] = {}
        for name in [*shadow, "bookings_matchentry", *indexes]:
            cursor.execute(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = %s AND aggregate = 1",
                [name],
            )
            sizes[name] = int(cursor.fetchone()[0])
    per_tree: dict[str, int] = {}
    for name in shadow:
        tree = "_".join(name.split("_")[:3])
        per_tree[tree] = per_tree.get(tree, 0) + sizes[name]
    trees = sorted(per_tree.values())
    node = sum(sizes[n] for n in shadow if n.endswith("_node"))
    return [
        f"SQLite: {len(trees)} R*Trees match_rtree_* (shadow tables _node/_rowid/_parent, "
        f"dbstat) {_mb(sum(trees))} together, {_mb(trees[0]) if trees else '-'} to "
        f"{_mb(trees[-1]) if trees else '-'} each, of which nodes {_mb(node)}",
        f"SQLite: table bookings_matchentry {_mb(sizes['bookings_matchentry'])}, its "
        f"{len(indexes)} B-tree indexes {_mb(sum(sizes[n] for n in indexes))}",
    ]


def _postgres_sizes() -> list[str]:
    from django.db import connections

    from bench.matching_data import POSTGRES

    with connections[POSTGRES].cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('bookings_matchentry'), "
            "pg_indexes_size('bookings_matchentry'), "
            "pg_total_relation_size('bookings_matchentry')"
        )
        table, all_indexes, total = cursor.fetchone()
        cursor.execute(
            "SELECT pg_relation_size(quote_ident(indexname)::regclass) FROM pg_indexes "
            "WHERE tablename = %s AND indexname LIKE %s",
            ["bookings_matchentry", "match\\_geog\\_%"],
        )
        gists = sorted(int(size) for (size,) in cursor.fetchall())
    return [
        f"PostgreSQL: {len(gists)} partial GiST match_geog_* (pg_relation_size) "
        f"{_mb(sum(gists))} together, {_mb(gists[0]) if gists else '-'} to "
        f"{_mb(gists[-1]) if gists else '-'} each",
        f"PostgreSQL: table bookings_matchentry {_mb(int(table))} (with the geog column), "
        f"other indexes {_mb(int(all_indexes) - sum(gists))}, total with TOAST and indexes "
        f"{_mb(int(total))}",
    ]


def _versions() -> str:
    import django
    from django.db import connections

    from bench.matching_data import POSTGRES

    with connections[POSTGRES].cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), postgis_lib_version()")
        pg_version, postgis = cursor.fetchone()
    return (
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {pg_version} + PostGIS {postgis}, "
        f"Django {django.get_version()}, Python {platform.python_version()}"
    )


def _explain_nearest(query: Query) -> list[str]:
    """EXPLAIN ANALYZE of the first KNN statement `nearest` sends to PostgreSQL for `query`
    (as `postgres.knn_sql` builds it)."""
    from unittest.mock import patch

    from django.db import connections

    from bench.matching_data import POSTGRES
    from bookings.matching import postgres

    build = getattr(postgres, "knn_sql", None)
    if build is None:
        return ["(bookings.matching.postgres.knn_sql is gone: no statement to explain)"]
    statements: list[tuple[str, Any]] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        statement = build(*args, **kwargs)
        statements.append(statement)
        return statement

    with patch.object(postgres, "knn_sql", recording):
        _nearest_ids(query, POSTGRES)
    if not statements:
        return ["(nearest built no KNN statement for this query)"]
    sql, params = statements[0]
    with connections[POSTGRES].cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def _cold_sqlite_ms(queries: Sequence[Query]) -> list[float]:
    """`nearest` on SQLite right after the per-process density grid was dropped, as happens
    for each category every `DENSITY_TTL_S` seconds."""
    from bench.matching_data import SQLITE
    from bookings.matching.search import spatial_index
    from bookings.matching.sqlite import SqliteIndex

    spatial = spatial_index(SQLITE)
    assert isinstance(spatial, SqliteIndex)
    times = []
    for query in queries:
        spatial.forget_density()
        started = time.perf_counter()
        _nearest_ids(query, SQLITE)
        times.append((time.perf_counter() - started) * 1000)
    return times


# --- the run --------------------------------------------------------------------------------


def _draw_queries(count: int, category_ids: Sequence[int], rng: random.Random) -> list[Query]:
    from bench.synthetic_switzerland import SwissMixture

    mixture = SwissMixture(rng)
    return [Query(rng.choice(list(category_ids)), mixture.draw().point) for _ in range(count)]


def _code_hashes() -> dict[str, str]:
    """sha256 of the library code measured (another engineer may be editing it)."""
    from bench import nearest
    from bookings.matching import postgres, protocol, ranking, scoring, search, sqlite

    return {
        str(Path(module.__file__ or "").relative_to(BASE_DIR)): hashlib.sha256(
            Path(module.__file__ or "").read_bytes()
        ).hexdigest()
        for module in (protocol, search, sqlite, postgres, scoring, ranking, nearest)
    }


@dataclass
class TimedRun:
    code: dict[str, str]  # `_code_hashes` when the library was imported
    timings: Timings
    rank_routed: bool  # rank ignored `using`: its ring search was routed by `RingsRouter`
    phase_seconds: list[float]  # timed queries of each phase
    prewarm: str  # what was read into memory before timing
    since_warmup_seconds: float
    load_before: float
    load_after: float
    nearest_plan: list[str]
    reference_plan: list[str]


def _prewarm(sqlite_path: Path) -> str:
    """Read the match index into memory before timing, as a server in use holds it: the
    SQLite file through the OS, on PostgreSQL the table and the GiSTs with pg_prewarm (the
    table into the OS cache, the indexes into shared buffers too)."""
    from django.db import DatabaseError, connections

    from bench.matching_data import POSTGRES

    started = time.perf_counter()
    with sqlite_path.open("rb") as file:
        while file.read(1 << 22):
            pass
    done = [f"SQLite file read once ({sqlite_path.stat().st_size / 1e6:,.0f} MB)"]
    try:
        with connections[POSTGRES].cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c WHERE c.relname = %s "
                "OR c.relname LIKE %s",
                ["bookings_matchentry", "match\\_geog\\_%"],
            )
            cursor.execute(
                "SELECT sum(pg_prewarm(c.oid, 'buffer')) FROM pg_class c WHERE c.relname LIKE %s",
                ["match\\_geog\\_%"],
            )
        done.append("PostgreSQL pg_prewarm of bookings_matchentry and match_geog_*")
    except DatabaseError as error:
        done.append(f"PostgreSQL not prewarmed ({error.__class__.__name__}: {error})")
    return f"{'; '.join(done)}, in {time.perf_counter() - started:.1f} s"


def _time_methods(
    queries: Sequence[Query],
    warmup: Sequence[Query],
    *,
    conninfo: str,
    sqlite_path: Path,
    code: dict[str, str],
) -> TimedRun:
    """Each phase's methods, warm-up first, then timed and interleaved; and the PG plans."""
    from unittest.mock import patch

    from bench.matching_data import POSTGRES, SQLITE
    from bookings.matching import ranking

    reference = ReferenceKnn(conninfo)
    spy = RingsRouter(ranking.rings)
    with patch.object(ranking, "rings", spy):
        _rank_ids(queries[0], POSTGRES)
    # Routed only if rank does not search the database it is asked for.
    router = None if POSTGRES in spy.asked_for else spy
    runners: dict[str, Callable[[Query], list[int]]] = {
        SQLITE_NEAREST: lambda q: _nearest_ids(q, SQLITE),
        POSTGRES_NEAREST: lambda q: _nearest_ids(q, POSTGRES),
        REFERENCE: reference,
        SQLITE_RANK: lambda q: _rank_ids(q, SQLITE, router),
        POSTGRES_RANK: lambda q: _rank_ids(q, POSTGRES, router),
    }
    prewarm = _prewarm(sqlite_path)
    timings = Timings()
    phase_seconds = []
    load_before = os.getloadavg()[0]
    with ExitStack() as stack:
        if router is not None:
            stack.enter_context(patch.object(ranking, "rings", router))
        warmup_started = time.perf_counter()
        for methods, name in ((NEAREST_METHODS, "nearest"), (RANK_METHODS, "rank")):
            _run_queries(warmup, runners, methods, record=None, desc=f"warm-up, {name}")
            gc.collect()
            started = time.perf_counter()
            _run_queries(queries, runners, methods, record=timings, desc=f"timing, {name}")
            phase_seconds.append(time.perf_counter() - started)
        finished = time.perf_counter()
        load_after = os.getloadavg()[0]
    run = TimedRun(
        code=code,
        timings=timings,
        rank_routed=router is not None,
        phase_seconds=phase_seconds,
        prewarm=prewarm,
        since_warmup_seconds=finished - warmup_started,
        load_before=load_before,
        load_after=load_after,
        nearest_plan=_explain_nearest(queries[0]),
        reference_plan=reference.explain(queries[0]),
    )
    reference.close()
    return run


@dataclass
class Exactness:
    sample: list[Query]
    recalls: dict[str, Recall]
    identical_rows: bool
    geodesic_calls: int
    rank_same: int
    cold_sqlite_ms: list[float]


def _check_exactness(
    queries: Sequence[Query], timings: Timings, *, sample_size: int, category_ids: Sequence[int]
) -> Exactness:
    """Each database's answers for the first `sample_size` queries against the brute force
    over its own index rows (computed once when both hold the same rows)."""
    from tqdm import tqdm

    from bench.matching_data import LABELS, POSTGRES, SQLITE
    from bench.matching_recall import BruteForce, compare

    sample = list(queries[:sample_size])
    brute = {alias: BruteForce(alias) for alias in (SQLITE, POSTGRES)}
    identical = all(
        brute[SQLITE].rows(c) == brute[POSTGRES].rows(c)
        for c in sorted({q.category_id for q in sample})
    )
    if identical:
        brute[POSTGRES].share_answers_with(brute[SQLITE])
    truths = {
        alias: [
            brute[alias].top(
                category_id=q.category_id, center=q.center, radius_m=RADIUS_M, limit=LIMIT
            )
            for q in tqdm(sample, desc=f"brute force, {LABELS[alias]}", unit="query")
        ]
        for alias in (SQLITE, POSTGRES)
    }
    n = len(sample)
    answers = timings.answers
    return Exactness(
        sample=sample,
        recalls={
            SQLITE_NEAREST: compare(answers[SQLITE_NEAREST][:n], truths[SQLITE]),
            POSTGRES_NEAREST: compare(answers[POSTGRES_NEAREST][:n], truths[POSTGRES]),
            REFERENCE: compare(answers[REFERENCE][:n], truths[POSTGRES]),
        },
        identical_rows=identical,
        geodesic_calls=brute[SQLITE].geodesic_calls + brute[POSTGRES].geodesic_calls,
        rank_same=sum(
            a == b for a, b in zip(answers[SQLITE_RANK], answers[POSTGRES_RANK], strict=True)
        ),
        cold_sqlite_ms=_cold_sqlite_ms(
            [Query(c, queries[i % len(queries)].center) for i, c in enumerate(category_ids)]
        ),
    )


def _run(args: argparse.Namespace, paths: Paths) -> None:
    from django.db import connections

    from bench.matching_data import POSTGRES, SQLITE, newcomer_ids, prepare
    from bench.matching_fairness import day_requests, fairness_report

    code = _code_hashes()  # just imported: what this run measures
    prepared = prepare(
        helpers=args.helpers,
        seed=args.seed,
        rebuild=args.rebuild,
        reindex=args.reindex,
        wipe=lambda alias: _wipe(paths, alias),
    )
    for alias in (SQLITE, POSTGRES):
        connections[alias].close()  # measured on fresh connections with the project's settings
    categories = prepared.category_ids

    # Fresh queries from the same mixture, their own random stream; the warm-up cycles through
    # every category so that each one's per-process caches exist before timing.
    rng = random.Random(args.seed * 1_000_003 + args.queries)
    warmup = [
        Query(categories[i % len(categories)], q.center)
        for i, q in enumerate(_draw_queries(args.warmup, categories, rng))
    ]
    queries = _draw_queries(args.queries, categories, rng)
    run = _time_methods(
        queries, warmup, conninfo=paths.postgres_conninfo, sqlite_path=paths.sqlite_path, code=code
    )
    exactness = _check_exactness(
        queries, run.timings, sample_size=args.recall_sample, category_ids=categories
    )
    # Fairness: a day of requests around two cities on SQLite, on the build's clock (the
    # newcomers were approved relative to it).
    anchor = prepared.meta[SQLITE].anchor_time
    day = day_requests(
        count=args.day_requests, category_ids=categories, rng=random.Random(args.seed + 2)
    )
    fairness = fairness_report(
        day,
        now=anchor + timedelta(hours=1),
        using=SQLITE,
        newcomer_ids=newcomer_ids(SQLITE, anchor),
    )
    _report(args, paths, prepared, run, exactness, fairness)


# --- the report ------------------------------------------------------------------------------


def _report(
    args: argparse.Namespace,
    paths: Paths,
    prepared: Prepared,
    run: TimedRun,
    exactness: Exactness,
    fairness: FairnessOutcome,
) -> None:
    from bench.loop import percentile
    from bench.matching_fairness import FAIR_BAND_LIMIT

    times = run.timings.times_ms
    p50 = {m: percentile(times[m], 0.5) for m in METHODS}
    p95 = {m: percentile(times[m], 0.95) for m in METHODS}
    print()
    print("== Quartier match index (python -m bench.matching) ==")
    _report_setup(args, paths, prepared, run)
    print()
    print(f"{'method':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p50/ref':>9}{'p95/ref':>9}")
    for method in METHODS:
        print(
            f"{method:<26}{p50[method]:>9.3f}{p95[method]:>9.3f}{max(times[method]):>9.3f}"
            f"{p50[method] / p50[REFERENCE]:>8.2f}×{p95[method] / p95[REFERENCE]:>8.2f}×"
        )
    print(
        "  Quartier: bench.nearest.nearest(using=...); reference: "
        f"{REFERENCE_SQL.format(category='<id>')} (prepared, own psycopg connection); rank: "
        f"ranking.rank(limit {LIMIT}, {RADIUS_M / 1000:g} km), everyone free, no offers "
        "today, its ratios to the reference of the first phase"
    )
    print()
    _report_exactness(exactness, queries=len(times[REFERENCE]))
    print()
    print("PostgreSQL plans, first query:")
    print("  bench.nearest.nearest, its first statement:")
    for line in run.nearest_plan:
        print(f"    {line}")
    print("  reference:")
    for line in run.reference_plan:
        print(f"    {line}")
    print()
    _report_fairness(args, fairness)
    print()
    ratio95 = {m: p95[m] / p95[REFERENCE] for m in METHODS}
    recall = min(exactness.recalls[m].recall for m in (SQLITE_NEAREST, POSTGRES_NEAREST))
    _report_goals(args.helpers, p95=p95, ratio95=ratio95, recall=recall)
    print()
    print(
        json.dumps(
            {
                "helpers": args.helpers,
                "sqlite_p95_ratio": round(ratio95[SQLITE_NEAREST], 3),
                "postgres_p95_ratio": round(ratio95[POSTGRES_NEAREST], 3),
                "recall": round(recall, 4),
                "sqlite_p95_ms": round(p95[SQLITE_NEAREST], 3),
                "postgres_p95_ms": round(p95[POSTGRES_NEAREST], 3),
                "fairness_band_limit": FAIR_BAND_LIMIT,
                "fairness_gini": round(fairness.on.gini, 3),
                "fairness_gini_lowest": round(fairness.on.gini_floor, 3),
                "fairness_median_km_ratio": round(
                    fairness.on.median_km / fairness.off.median_km, 3
                ),
            }
        )
    )


def _report_setup(
    args: argparse.Namespace, paths: Paths, prepared: Prepared, run: TimedRun
) -> None:
    from bench.matching_data import (
        EXTRA_CATEGORIES,
        INDEX_MODULES,
        LABELS,
        NEWCOMER_MAX_DAYS,
        POSTGRES,
        SQLITE,
    )
    from bookings.matching.sqlite import DENSITY_TTL_S

    meta, pg_meta = prepared.meta[SQLITE], prepared.meta[POSTGRES]
    origin = "built in this run" if prepared.rebuilt else f"kept from the build at {meta.anchor}"
    if prepared.reindexed and not prepared.rebuilt:
        origin += f"; index rebuilt now: {', '.join(LABELS[a] for a in prepared.reindexed)}"
    print(f"versions    {_versions()}")
    code = ", ".join(f"{name} {digest[:12]}" for name, digest in run.code.items())
    changed = [name for name, digest in _code_hashes().items() if run.code[name] != digest]
    print(
        f"code        sha256 of what this run imported: {code}; the index was built with "
        f"{' + '.join(INDEX_MODULES)} {meta.index_source[:12]}"
        + (f"; CHANGED on disk during the run: {', '.join(changed)}" if changed else "")
    )
    print(
        f"databases   default = {paths.sqlite_path.relative_to(BASE_DIR)}, "
        f"postgres = {paths.postgres_name}; {origin}"
    )
    print(
        f"helpers     {args.helpers:,} (seed {args.seed}, bench/synthetic_switzerland.py): "
        f"{meta.approved_accepting:,} approved and accepting jobs, of them {meta.newcomers:,} "
        f"newcomers (approved < {NEWCOMER_MAX_DAYS} days before the build, no visits); "
        f"{meta.skill_rows:,} skill rows; {len(prepared.category_ids)} categories "
        f"(9 of the data migration + {len(EXTRA_CATEGORIES)} bench)"
    )
    print(
        f"build       rows generated in {meta.generate_seconds:.1f} s, written to SQLite in "
        f"{meta.write_seconds:.1f} s (executemany), to PostgreSQL in "
        f"{pg_meta.write_seconds:.1f} s (COPY)"
    )
    print(
        f"index build match_index_rebuild: SQLite {meta.index_seconds:.1f} s, PostgreSQL "
        f"{pg_meta.index_seconds:.1f} s ({meta.index_rows:,} / {pg_meta.index_rows:,} rows; "
        f"then VACUUM ANALYZE on PostgreSQL {pg_meta.analyze_seconds:.1f} s, not counted)"
        + ("" if prepared.rebuilt or prepared.reindexed else "; measured when built")
    )
    for line in [*_sqlite_sizes(), *_postgres_sizes()]:
        print(f"index size  {line}")
    print(
        f"queries     {args.queries:,} fresh customer points from the same mixture, random "
        f"category, {RADIUS_M / 1000:g} km, limit {LIMIT}; two phases of this run, the "
        f"{len(NEAREST_METHODS)} nearest-helper methods, then the {len(RANK_METHODS)} rankings, "
        f"each with {args.warmup} warm-up queries per method not counted, then interleaved with "
        "the order rotated per query through every permutation"
    )
    print(f"caches      {run.prewarm}")
    ttl = DENSITY_TTL_S
    refreshes = (
        "no refresh fell inside"
        if run.since_warmup_seconds < ttl
        else "grid refreshes may have fallen inside the SQLite timings"
    )
    print(
        f"timing      {run.phase_seconds[0]:.0f} s + {run.phase_seconds[1]:.0f} s for the timed "
        f"queries, {run.since_warmup_seconds:.0f} s with the warm-ups (SQLite density grid TTL "
        f"{ttl:.0f} s: {refreshes}); load average {run.load_before:.1f} before, "
        f"{run.load_after:.1f} after, on {os.cpu_count()} CPUs (a shared machine)"
    )
    if run.rank_routed:
        print(
            "WARNING     ranking.rank(using=...) does not pass `using` to search.rings: "
            "it searched the default (SQLite) database when asked for PostgreSQL. The rank "
            "PostgreSQL row routes rings to PostgreSQL (what rank costs once it passes using)."
        )


def _report_exactness(exactness: Exactness, *, queries: int) -> None:
    from bench.loop import percentile
    from bookings.matching.sqlite import DENSITY_TTL_S

    print(
        f"exactness   the first {len(exactness.sample):,} timed queries against a brute-force "
        "WGS84 geodesic (geopy) over every index row of the category; index rows identical on "
        f"both databases: {'yes' if exactness.identical_rows else 'NO'}; brute force geopy "
        f"calls {exactness.geodesic_calls:,}"
    )
    for method, result in exactness.recalls.items():
        print(
            f"  {method:<24} recall {result.recall:.4f}, same ordered list {result.same_list}/"
            f"{result.queries}, answers not in the truth {result.extra}"
        )
        if result.worst is None:
            continue
        number, answer, truth = result.worst
        query = exactness.sample[number]
        missing = [h for h in truth if h not in answer]
        extra = [h for h in answer if h not in truth]
        difference = (
            f"missing {missing}, extra {extra}"
            if missing or extra
            else f"same helpers, other order: {answer} vs {truth}"
        )
        print(
            f"    least alike: query {number} (category {query.category_id} at "
            f"{query.center.latitude:.5f}, {query.center.longitude:.5f}): {difference}"
        )
    print(f"  rank: the same top {LIMIT} on both databases for {exactness.rank_same}/{queries}")
    cold = exactness.cold_sqlite_ms
    print(
        "  SQLite right after the density grid expired (once per category every "
        f"{DENSITY_TTL_S:.0f} s per process): p50 {percentile(cold, 0.5):.1f} ms, "
        f"max {max(cold):.1f} ms over {len(cold)} categories"
    )


def _report_fairness(args: argparse.Namespace, fairness: FairnessOutcome) -> None:
    from bench.matching_data import NEWCOMER_MAX_DAYS
    from bench.matching_fairness import CITIES, CITY_RADIUS_M, FAIR_BAND_LIMIT, FAIR_MARGIN

    print(
        f"fairness    {args.day_requests:,} requests on SQLite from customers within "
        f"{CITY_RADIUS_M / 1000:g} km of {' or '.join(CITIES)}, random category, matched "
        "with ranking.rank as offers_dispatch would (3 offers; 5 km, widening by 5 km to 25 km)"
    )
    print(
        "  pool: the helpers equally qualified for at least one request, i.e. in the band of "
        f"helpers whose ranking (score + newcomer bonus) is within FAIRNESS_MARGIN {FAIR_MARGIN} "
        f"of the 3rd best (FAIRNESS_BAND_LIMIT {FAIR_BAND_LIMIT}: rank weighs the nearest "
        f"{FAIR_BAND_LIMIT} of them besides the best 3; 0 all): {fairness.pool:,} helpers, "
        f"{fairness.newcomers_in_pool:,} of them newcomers (approved in the {NEWCOMER_MAX_DAYS} "
        "days before the build, no visits yet)"
    )
    print(
        f"  {'':<14}{'Gini':>7}{'top 10%':>9}{'median km':>11}{'offered':>9}{'max/helper':>12}"
        f"{'newcomers':>11}{'rank p95 ms':>13}"
    )
    for label, f in (("fairness off", fairness.off), ("fairness on", fairness.on)):
        print(
            f"  {label:<14}{f.gini:>7.3f}{f.top_decile_share:>8.1%} {f.median_km:>10.2f}"
            f"{f.helpers_offered:>9,}{f.max_per_helper:>12}{f.newcomers_offered:>11}"
            f"{f.rank_p95_ms:>13.2f}"
        )
    print(
        "  Gini and top 10 %: of offers per helper over the pool (zeros included); offered: "
        "helpers with at least one offer; newcomers: newcomers in the pool with at least one "
        f"offer. Off: no offers today, no newcomer bonus. {fairness.on.offers:,} offers per "
        f"run, {fairness.on.unmatched} requests unmatched, offers outside the pool "
        f"{fairness.on.outside_pool + fairness.off.outside_pool}. The lowest Gini possible "
        f"for {fairness.on.offers:,} offers over this pool (spread as evenly as whole offers "
        f"allow) is {fairness.on.gini_floor:.3f}"
    )
    print(
        "  the margin's trade-off (fairness on, each margin over the pool it makes; median km "
        f"against fairness off's {fairness.off.median_km:.2f})"
    )
    print(
        f"  {'margin':>8}{'pool':>8}{'Gini':>7}{'lowest':>8}{'gap':>7}{'median km':>11}"
        f"{'longer':>8}{'offered':>9}{'max/helper':>12}{'largest lead passed over':>26}"
    )
    for point in fairness.curve:
        f = point.figures
        print(
            f"  {point.margin:>8.4f}{point.pool:>8,}{f.gini:>7.3f}{f.gini_floor:>8.3f}"
            f"{f.gini - f.gini_floor:>7.3f}{f.median_km:>11.3f}"
            f"{f.median_km / fairness.off.median_km - 1:>8.1%}{f.helpers_offered:>9,}"
            f"{f.max_per_helper:>12}{f.largest_lead:>26.4f}"
        )
    _report_band_curve(fairness)
    on, off = fairness.on, fairness.off
    met = (
        on.gini - on.gini_floor <= FAIRNESS_GINI_GAP
        and on.median_km <= off.median_km * (1 + FAIRNESS_LONGER)
        and on.largest_lead <= FAIR_MARGIN + 1e-6
    )
    print(
        f"  goal at FAIRNESS_MARGIN {FAIR_MARGIN:g}: Gini within {FAIRNESS_GINI_GAP} of the "
        f"lowest, median distance at most {FAIRNESS_LONGER:.0%} longer than fairness off, no "
        f"helper passed over who scored more than the margin above one asked: "
        f"{'met' if met else 'NOT met'}"
    )


def _report_band_curve(fairness: FairnessOutcome) -> None:
    from bench.matching_fairness import FAIR_MARGIN

    print(
        f"  the band limit's trade-off (fairness on at margin {FAIR_MARGIN:g}, over its pool; "
        "band: the nearest so many of the equally good besides the best 3, 0 all of them)"
    )
    print(
        f"  {'band':>8}{'Gini':>7}{'lowest':>8}{'gap':>7}{'median km':>11}{'longer':>8}"
        f"{'offered':>9}{'max/helper':>12}{'rank p50 ms':>13}{'rank p95 ms':>13}"
    )
    for point in fairness.band_curve:
        f = point.figures
        print(
            f"  {point.band_limit:>8}{f.gini:>7.3f}{f.gini_floor:>8.3f}"
            f"{f.gini - f.gini_floor:>7.3f}{f.median_km:>11.3f}"
            f"{f.median_km / fairness.off.median_km - 1:>8.1%}{f.helpers_offered:>9,}"
            f"{f.max_per_helper:>12}{f.rank_p50_ms:>13.2f}{f.rank_p95_ms:>13.2f}"
        )


def _report_goals(
    helpers: int, *, p95: dict[str, float], ratio95: dict[str, float], recall: float
) -> None:
    million = helpers >= 1_000_000
    print(f"goals ({'1M' if million else '100k'} helpers)")
    print(
        f"  recall 1.000 on both databases: {'met' if recall == 1.0 else 'NOT met'} ({recall:.4f})"
    )
    for method, max_ratio, max_ms in GOALS_1M if million else GOALS_100K:
        met = ratio95[method] <= max_ratio and (max_ms is None or p95[method] <= max_ms)
        goal = f"p95 ≤ {max_ratio}× reference" + (f" and ≤ {max_ms:g} ms" if max_ms else "")
        print(
            f"  {method}: {goal}: {'met' if met else 'NOT met'} "
            f"({ratio95[method]:.2f}×, {p95[method]:.2f} ms)"
        )
    for method in (SQLITE_RANK, POSTGRES_RANK):
        met = p95[method] <= COMPOSITE_GOAL_MS
        print(
            f"  {method}: p95 ≤ {COMPOSITE_GOAL_MS:g} ms (the goal at 1M): "
            f"{'met' if met else 'NOT met'} ({p95[method]:.2f} ms)"
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    paths = Paths(
        sqlite_path=BENCH_DIR / f"matching-{args.helpers}.sqlite3",
        postgres_admin_url=args.postgres_url,
        postgres_name=f"{POSTGRES_PREFIX}{args.helpers}",
    )
    if not _postgres_database_exists(paths):
        _admin(paths, "CREATE DATABASE {}")
    _configure_django(paths)
    import django

    django.setup()
    from django.test import override_settings

    # DEBUG off: no query log kept per query, as in production.
    with override_settings(DEBUG=False, PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        _run(args, paths)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
