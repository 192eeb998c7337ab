"""The nearest helpers by distance alone, on the match index: what the benchmarks time against a
raw PostGIS KNN, and what the tests check the ring searches with against a geopy brute force.

Matching itself ranks by the composite score (`bookings.matching.ranking.rank`); this is the
plain distance question ("the 20 nearest helpers whose radius covers the customer") on the same
spatial indexes and ring searches, exact to the same standard. Not used by the product.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Collection
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS

from backend.geo import (
    LOCAL_DISTANCE_TOLERANCE,
    Point,
    distances_from,
    geodesic_m,
    haversine_m,
    sphere_to_geodesic_bounds,
)
from bookings.matching import postgres, search
from bookings.matching.protocol import NO_FIGURES, IndexRow, PlaceRow, new_row

# The haversine on the mean sphere is within 0.6 % of the WGS84 geodesic: a point it puts this
# much beyond a limit is beyond it.
_HAVERSINE_TOLERANCE = 0.02
_HAVERSINE_SLACK_M = 1.0


def geodesic_m_within(a: Point, b: Point, limit_m: float) -> float | None:
    """The exact geodesic distance if it is at most `limit_m`, else None.

    Points that a haversine already puts clearly beyond the limit are refused without calling
    geopy, which costs ~0.2 ms a call.
    """
    if haversine_m(a, b) > limit_m * (1 + _HAVERSINE_TOLERANCE) + _HAVERSINE_SLACK_M:
        return None
    distance = geodesic_m(a, b)
    return distance if distance <= limit_m else None


class Nearby(NamedTuple):
    row: IndexRow  # the place fields only: the ranking figures at their defaults
    distance_m: float


# A row within reach, as `nearest` sorts them: (distance in metres, helper id, the row). Plain
# tuples, unpacked by name: making a named tuple of each adds to a short search's own Python.
Found = tuple[float, int, PlaceRow]


def nearest(
    *,
    category_id: int,
    center: Point,
    radius_m: float,
    limit: int,
    language_mask: int = 0,
    exclude_helper_ids: Collection[int] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> list[Nearby]:
    """The `limit` nearest indexed helpers for the category whose own service radius covers
    `center`, within `radius_m`, nearest first (ties by helper id). Exact: the same set and
    order as a geopy brute force over every row."""
    within = _WithinReach(center, radius_m, set(exclude_helper_ids))
    spatial = search.spatial_index(using)
    if isinstance(spatial, postgres.PostgresIndex):
        found = _postgres_nearest(
            spatial,
            category_id,
            center,
            radius_m=radius_m,
            limit=limit,
            language_mask=language_mask,
            within=within,
        )
    else:
        found = _rings_nearest(
            category_id,
            center,
            radius_m=radius_m,
            limit=limit,
            language_mask=language_mask,
            using=using,
            within=within,
        )
    head = found[: limit + 1]
    # Where two neighbours are closer than the local formula's tolerance, both get geopy's
    # distance and the order is settled again.
    tolerance = LOCAL_DISTANCE_TOLERANCE
    close = [
        index
        for index, ((distance, _, _), (next_distance, _, _)) in enumerate(itertools.pairwise(head))
        if next_distance - distance <= tolerance * next_distance
    ]
    if close:
        for index in set(close) | {index + 1 for index in close}:
            _, helper_id, row = head[index]
            head[index] = (geodesic_m(center, Point(row.latitude, row.longitude)), helper_id, row)
        head.sort()
    return [
        new_row(Nearby, (new_row(IndexRow, row + NO_FIGURES), distance))
        for distance, _, row in head[:limit]
    ]


class _WithinReach:
    """`nearest`'s exact test: of a search's place rows, those within both the search's radius
    and their own service radius, each with its distance (the local formula's; geopy's where
    the two are closer than its tolerance)."""

    __slots__ = ("center", "radius_m", "excluded", "distance_of", "sure_m", "sure_per_km")

    def __init__(self, center: Point, radius_m: float, excluded: set[int]) -> None:
        self.center, self.radius_m, self.excluded = center, radius_m, excluded
        self.distance_of = distances_from(center)
        self.sure_m = radius_m * (1 - LOCAL_DISTANCE_TOLERANCE)
        self.sure_per_km = 1000.0 * (1 - LOCAL_DISTANCE_TOLERANCE)

    def __call__(self, rows: list[PlaceRow]) -> list[Found]:
        if self.excluded:
            rows = [row for row in rows if row.helper_id not in self.excluded]
        distance_of, sure_m, sure_per_km = self.distance_of, self.sure_m, self.sure_per_km
        found = [(distance_of(row.latitude, row.longitude), row.helper_id, row) for row in rows]
        if all(
            distance <= sure_m and distance <= row.service_radius_km * sure_per_km
            for distance, _, row in found
        ):
            return found
        # Some are at or beyond their own reach or the search's: settle each of those.
        kept = []
        for distance, helper_id, row in found:
            reach = min(self.radius_m, row.service_radius_km * 1000.0)
            if distance > reach * (1 - LOCAL_DISTANCE_TOLERANCE):
                settled = search.settle_within(self.center, row, distance_m=distance, limit_m=reach)
                if settled is None:
                    continue
                distance = settled
            kept.append((distance, helper_id, row))
        return kept


def _inside(found: list[Found], covered_m: float) -> int:
    """How many of the sorted `found` are final, every row nearer than `covered_m` having been
    seen: those inside it, less the local formula's tolerance."""
    return bisect.bisect_left(found, (covered_m / (1 + LOCAL_DISTANCE_TOLERANCE),))


def _postgres_nearest(
    spatial: postgres.PostgresIndex,
    category_id: int,
    center: Point,
    *,
    radius_m: float,
    limit: int,
    language_mask: int,
    within: _WithinReach,
) -> list[Found]:
    """`nearest` on PostgreSQL: KNN batches that double, as the ring search sends them but
    without its ring protocol, whose own Python is a good part of a search this short."""
    spatial.ensure(category_id)
    sphere = sphere_to_geodesic_bounds(center, radius_m)
    reach = radius_m * sphere[1] + 1.0
    cursor = spatial.cursor()
    batch, beyond = postgres.knn_batch(limit), 0.0
    seen = postgres.SeenRows()
    found: list[Found] = []
    while True:
        sql, params = postgres.knn_sql(
            category_id,
            center,
            reach_m=reach,
            limit=batch,
            language_mask=language_mask,
            beyond_m=beyond,
            reach_filter=True,
            figures=False,
            sphere=sphere,
        )
        cursor.execute(sql, params, binary=True)
        rows = [new_row(PlaceRow, row) for row in cursor.fetchall()]
        found += within(seen.fresh(rows))
        found.sort()
        if len(rows) < batch:  # every row within reach
            return found
        beyond = postgres.knn_beyond(center, rows)
        covered = beyond * sphere[0]
        if covered >= radius_m or _inside(found, covered) >= limit:
            return found
        batch *= 2


def _rings_nearest(
    category_id: int,
    center: Point,
    *,
    radius_m: float,
    limit: int,
    language_mask: int,
    using: str,
    within: _WithinReach,
) -> list[Found]:
    """`nearest` by the database's ring search, each ring asked for the helpers still lacking."""
    rings = search.rings(
        category_id,
        center,
        max_m=radius_m,
        want=limit,
        language_mask=language_mask,
        using=using,
        reach_filter=True,
        figures=False,
    )
    found: list[Found] = []
    ring = next(rings)
    while True:
        found += within(ring.rows)
        found.sort()
        inside = _inside(found, ring.covered_m)
        if inside >= limit or ring.covered_m >= radius_m:
            break
        try:
            ring = rings.send(limit - inside)
        except StopIteration:
            break
    rings.close()
    return found
