"""The foundation's matching hot paths, each timed from the client, interleaved per query.

Four methods run for every customer point, in an order that rotates from one query to the next
so that a noisy neighbour on the machine hurts them all alike:

- `reference`: one primary-key fetch through the ORM, the round-trip floor;
- `index search`: only the match index search, `bench.nearest.nearest` for the request's
  category, point and languages (10 km, limit 3), materialised;
- `find_candidates`: the request's candidates from `match_request`, the entry point offers use
  (at 10 km, limit 3);
- `post request`: `help_request_create` end to end, in a transaction rolled back afterwards.

Import this module only after `django.setup()`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

from django.db import connection, transaction
from django.utils import timezone

from backend import geo
from backend.geo import Point, is_in_switzerland, point_to_geojson
from backend.models import User
from bench import nearest
from bench.synthetic_switzerland import Home, SwissMixture, create_customers, request_languages
from bookings.matching import explain, postgres, ranking, search
from bookings.matching.explain import Candidate, MatchResult, match_request
from bookings.matching.free_time import FreeSlots
from bookings.matching.protocol import FreeFilter, languages_mask
from bookings.models import HelpRequest, HelpRequestStatus, Offer, TimeWindow
from bookings.services import AddressInput, help_request_create
from catalogue.models import ServiceCategory
from helpers.availability import AvailabilityIndex, FreeSlot, Interval
from helpers.models import HelperProfile

REFERENCE = "reference"
INDEX_SEARCH = "index search"
FIND_CANDIDATES = "find_candidates"
POST_REQUEST = "post request"
METHODS = (REFERENCE, INDEX_SEARCH, FIND_CANDIDATES, POST_REQUEST)

RADIUS_KM = 10.0
LIMIT = 3
DAYS_AHEAD = 2
WINDOW_HOURS = 4
DESCRIPTION = "The Wi-Fi drops every evening and the TV box loses its channels."


# The real function, kept before the probe patches the module attribute.
_EXACT_GEODESIC_M = geo.geodesic_m


@dataclass(frozen=True)
class Query:
    home: Home
    category: ServiceCategory
    languages: list[str]
    window: tuple[datetime, datetime]
    customer: User
    help_request: HelpRequest  # open, with its window, category loaded: for find_candidates
    reference_pk: int


def _swiss_home(mixture: SwissMixture) -> Home:
    # Customers post through the real validation, which refuses points across the border.
    for _ in range(100):
        home = mixture.draw()
        if is_in_switzerland(home.point):
            return home
    raise RuntimeError("the mixture keeps drawing points outside Switzerland")


def prepare_queries(
    *, count: int, mixture: SwissMixture, rng: random.Random, helper_pks: Sequence[int]
) -> list[Query]:
    """`count` customer points with a fresh customer and an open request each (bulk-created)."""
    categories = list(ServiceCategory.objects.filter(is_active=True).order_by("position", "pk"))
    homes = [_swiss_home(mixture) for _ in range(count)]
    languages = [request_languages(home.locality, rng) for home in homes]
    chosen = [rng.choice(categories) for _ in homes]
    day = timezone.localtime() + timedelta(days=DAYS_AHEAD)
    windows = []
    for _ in homes:
        start = day.replace(hour=rng.randint(8, 16), minute=0, second=0, microsecond=0)
        windows.append((start, start + timedelta(hours=WINDOW_HOURS)))
    customers = create_customers(homes, languages=languages)
    requests = HelpRequest.objects.bulk_create(
        [
            HelpRequest(
                customer=customer,
                category=category,
                description=DESCRIPTION,
                languages=spoken,
                postal_code=home.locality.postal_code,
                locality=home.locality.name,
                location=point_to_geojson(home.point),
                latitude=home.point.latitude,
                longitude=home.point.longitude,
                status=HelpRequestStatus.OPEN,
                search_radius_km=RADIUS_KM,
            )
            for customer, category, spoken, home in zip(
                customers, chosen, languages, homes, strict=True
            )
        ]
    )
    TimeWindow.objects.bulk_create(
        [
            TimeWindow(help_request=help_request, starts_at=start, ends_at=end)
            for help_request, (start, end) in zip(requests, windows, strict=True)
        ]
    )
    # As offers_dispatch loads it: category joined, windows left to find_candidates.
    loaded = HelpRequest.objects.select_related("category").in_bulk([r.pk for r in requests])
    return [
        Query(
            home=home,
            category=category,
            languages=spoken,
            window=window,
            customer=customer,
            help_request=loaded[help_request.pk],
            reference_pk=rng.choice(helper_pks),
        )
        for home, category, spoken, window, customer, help_request in zip(
            homes, chosen, languages, windows, customers, requests, strict=True
        )
    ]


def index_search(help_request: HelpRequest, radius_km: float) -> list[nearest.Nearby]:
    """The match index alone: the nearest helpers for the request, without scores or
    availability (matching walks the same index, ring by ring)."""
    return nearest.nearest(
        category_id=help_request.category_id,
        center=Point(help_request.latitude, help_request.longitude),
        radius_m=radius_km * 1000.0,
        limit=LIMIT,
        language_mask=languages_mask(help_request.languages),
    )


def find_candidates(
    *, help_request: HelpRequest, radius_km: float, now: datetime
) -> list[Candidate]:
    """The best `LIMIT` eligible helpers for the request within `radius_km`, best first: what
    offers_dispatch asks `match_request` for, without writing the offers."""
    return match_request(
        help_request=help_request, radius_km=radius_km, limit=LIMIT, now=now
    ).candidates


def index_search_plan(help_request: HelpRequest, radius_km: float) -> str:
    """The database's plan for the first statement `index_search` sends.

    The search runs on the driver's own cursor, so the statement is caught where it is sent:
    SQLite's trace callback (with the values bound), or on PostgreSQL the builder it uses.
    """
    if connection.vendor == "postgresql":
        center = Point(help_request.latitude, help_request.longitude)
        sphere = geo.sphere_to_geodesic_bounds(center, radius_km * 1000.0)
        sql, params = postgres.knn_sql(
            help_request.category_id,
            center,
            reach_m=radius_km * 1000.0 * sphere[1] + 1.0,
            limit=postgres.knn_batch(LIMIT),
            language_mask=languages_mask(help_request.languages),
            reach_filter=True,
            figures=False,
            sphere=sphere,
        )
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
    statements: list[str] = []
    connection.ensure_connection()
    connection.connection.set_trace_callback(statements.append)
    try:
        index_search(help_request, radius_km)
    finally:
        connection.connection.set_trace_callback(None)
    sql = next(s for s in statements if "match_rtree_" in s)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


@dataclass
class MatchingProbe:
    """Counts and times what happens inside matching, through thin wrappers patched in.

    The wrappers cost two clock reads per call (well under a microsecond), against about
    200 µs for one geopy geodesic.
    """

    geodesic_calls: int = 0
    geodesic_ns: int = 0
    availability_ns: int = 0
    match_request_calls: int = 0
    queries: int = 0

    def reset(self) -> None:
        self.geodesic_calls = self.geodesic_ns = self.availability_ns = 0
        self.match_request_calls = self.queries = 0

    def geodesic_m(self, a: Point, b: Point) -> float:
        started = time.perf_counter_ns()
        try:
            return _EXACT_GEODESIC_M(a, b)
        finally:
            self.geodesic_ns += time.perf_counter_ns() - started
            self.geodesic_calls += 1

    def availability_index(
        self, helper_ids: Sequence[int], span_start: datetime, span_end: datetime
    ) -> AvailabilityIndex:
        started = time.perf_counter_ns()
        try:
            return AvailabilityIndex(helper_ids, span_start, span_end)
        finally:
            self.availability_ns += time.perf_counter_ns() - started

    def free_slots(self, windows: Sequence[Interval], minutes: int, **options: Any) -> Any:
        """`FreeSlots` as matching makes it, its lookups of exact slots timed (with the offers
        today that matching counts in the same statement); whether a helper is free at all is
        asked inside the ring statements, timed with them."""
        return _TimedFreeSlots(FreeSlots(windows, minutes, **options), self)

    def count_query(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)

    def match_request(self, **kwargs: Any) -> MatchResult:
        self.match_request_calls += 1
        return match_request(**kwargs)

    @contextmanager
    def installed(self) -> Iterator[None]:
        # Patched where they are looked up: the geodesic in backend.geo (its local distance
        # falls back on it) and in each module of matching (and bench.nearest) that imported
        # it, the rest where matching and services imported them.
        with (
            patch.object(geo, "geodesic_m", new=self.geodesic_m),
            patch.object(search, "geodesic_m", new=self.geodesic_m),
            patch.object(ranking, "geodesic_m", new=self.geodesic_m),
            patch.object(explain, "geodesic_m", new=self.geodesic_m),
            patch.object(nearest, "geodesic_m", new=self.geodesic_m),
            patch.object(explain, "AvailabilityIndex", new=self.availability_index),
            patch.object(explain, "FreeSlots", new=self.free_slots),
            patch("bookings.services.offers.match_request", new=self.match_request),
            connection.execute_wrapper(self.count_query),
        ):
            yield


@dataclass
class _TimedFreeSlots:
    lookup: FreeSlots
    probe: MatchingProbe

    def ring_filter(self) -> FreeFilter:
        return self.lookup.ring_filter()

    def __call__(self, helper_ids: Sequence[int]) -> dict[int, FreeSlot | None]:
        started = time.perf_counter_ns()
        try:
            return self.lookup(helper_ids)
        finally:
            self.probe.availability_ns += time.perf_counter_ns() - started


@dataclass
class Measurements:
    times_ns: dict[str, list[int]] = field(default_factory=lambda: {m: [] for m in METHODS})
    index_rows: list[int] = field(default_factory=list)
    candidates_found: list[int] = field(default_factory=list)
    geodesic_calls: list[int] = field(default_factory=list)
    queries_sent: list[int] = field(default_factory=list)
    geodesic_ns: list[int] = field(default_factory=list)
    availability_ns: list[int] = field(default_factory=list)
    post_match_request_calls: list[int] = field(default_factory=list)
    post_geodesic_calls: list[int] = field(default_factory=list)
    post_queries_sent: list[int] = field(default_factory=list)
    post_offers: list[int] = field(default_factory=list)


class HotPaths:
    def __init__(self, probe: MatchingProbe) -> None:
        self.probe = probe
        self.results = Measurements()
        self._runners: dict[str, Callable[[Query, bool], None]] = {
            REFERENCE: self._reference,
            INDEX_SEARCH: self._index_search,
            FIND_CANDIDATES: self._find_candidates,
            POST_REQUEST: self._post_request,
        }

    def run(self, query: Query, *, turn: int, record: bool) -> None:
        """All four methods for one query, starting with method number `turn` (mod 4)."""
        first = turn % len(METHODS)
        for method in METHODS[first:] + METHODS[:first]:
            self._runners[method](query, record)

    def _time(self, method: str, started: int, record: bool) -> None:
        elapsed = time.perf_counter_ns() - started
        if record:
            self.results.times_ns[method].append(elapsed)

    def _reference(self, query: Query, record: bool) -> None:
        started = time.perf_counter_ns()
        HelperProfile.objects.filter(pk=query.reference_pk).values_list("pk", flat=True).first()
        self._time(REFERENCE, started, record)

    def _index_search(self, query: Query, record: bool) -> None:
        started = time.perf_counter_ns()
        rows = index_search(query.help_request, RADIUS_KM)
        self._time(INDEX_SEARCH, started, record)
        if record:
            self.results.index_rows.append(len(rows))

    def _find_candidates(self, query: Query, record: bool) -> None:
        self.probe.reset()
        started = time.perf_counter_ns()
        candidates = find_candidates(
            help_request=query.help_request, radius_km=RADIUS_KM, now=timezone.now()
        )
        self._time(FIND_CANDIDATES, started, record)
        if record:
            self.results.candidates_found.append(len(candidates))
            self.results.geodesic_calls.append(self.probe.geodesic_calls)
            self.results.queries_sent.append(self.probe.queries)
            self.results.geodesic_ns.append(self.probe.geodesic_ns)
            self.results.availability_ns.append(self.probe.availability_ns)

    def _post_request(self, query: Query, record: bool) -> None:
        self.probe.reset()
        with transaction.atomic():
            # Timed: help_request_create alone (a savepoint inside this transaction), without
            # the outer BEGIN and without a COMMIT: the rollback leaves the database as it was.
            started = time.perf_counter_ns()
            help_request = help_request_create(
                customer=query.customer,
                category=query.category,
                description=DESCRIPTION,
                address=AddressInput(point=query.home.point),
                windows=[query.window],
                languages=query.languages,
            )
            self._time(POST_REQUEST, started, record)
            queries = self.probe.queries
            offers = Offer.objects.filter(help_request=help_request).count()
            transaction.set_rollback(True)
        if record:
            self.results.post_match_request_calls.append(self.probe.match_request_calls)
            self.results.post_geodesic_calls.append(self.probe.geodesic_calls)
            self.results.post_queries_sent.append(queries)
            self.results.post_offers.append(offers)
