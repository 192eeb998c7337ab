"""The brute-force reference `bench.matching` checks results against.

For a query (category, point) it answers the question the match index answers: the `limit`
helpers of that category nearest to the point, by WGS84 geodesic (geopy), among those whose own
service radius reaches it and within the search radius, ties by helper id. It looks at every
index row of the category (read once per database and kept in memory), so it depends on nothing
in bookings/ but the table.

A cheap prefilter keeps it fast enough for a sample of queries, without deciding anything: a
latitude band, then a haversine on the mean sphere with a 1 % margin (the haversine is within
0.6 % of the geodesic everywhere). geopy then measures the survivors nearest first, and stops
once the `limit`-th distance found is below what any remaining survivor could still have.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from geopy.distance import geodesic

from backend.geo import Point
from bookings.models import MatchEntry

_MEAN_EARTH_RADIUS_M = 6_371_008.8
_SPHERE_MARGIN = 0.01  # the haversine is within 0.6 % of the geodesic
_MIN_METRES_PER_DEGREE_LATITUDE = 110_000.0  # the true minimum, at the equator, is 110,574 m

# (latitude, longitude, service radius km, helper id), sorted by latitude.
IndexRows = list[tuple[float, float, int, int]]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * _MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class BruteForce:
    """Exact top-k over every index row of a category in one database."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self._rows: dict[int, IndexRows] = {}
        self._latitudes: dict[int, list[float]] = {}
        self._answers: dict[tuple[int, float, float, float, int], list[int]] = {}
        self.geodesic_calls = 0

    def rows(self, category_id: int) -> IndexRows:
        if category_id not in self._rows:
            rows = sorted(
                MatchEntry.objects.using(self.alias)
                .filter(category_id=category_id)
                .values_list("latitude", "longitude", "service_radius_km", "helper_id")
                .iterator(chunk_size=20_000)
            )
            self._rows[category_id] = rows
            self._latitudes[category_id] = [row[0] for row in rows]
        return self._rows[category_id]

    def share_answers_with(self, other: BruteForce) -> None:
        """Use `other`'s answers too (call only when both hold exactly the same rows)."""
        self._answers = other._answers

    def top(self, *, category_id: int, center: Point, radius_m: float, limit: int) -> list[int]:
        """Helper ids, nearest first (ties by helper id)."""
        key = (category_id, center.latitude, center.longitude, radius_m, limit)
        if key not in self._answers:
            self._answers[key] = self._top(category_id, center, radius_m, limit)
        return self._answers[key]

    def _top(self, category_id: int, center: Point, radius_m: float, limit: int) -> list[int]:
        rows = self.rows(category_id)
        latitudes = self._latitudes[category_id]
        band = (radius_m * (1 + _SPHERE_MARGIN) + 1.0) / _MIN_METRES_PER_DEGREE_LATITUDE
        low = bisect.bisect_left(latitudes, center.latitude - band)
        high = bisect.bisect_right(latitudes, center.latitude + band)
        survivors: list[tuple[float, float, tuple[float, float, int, int]]] = []
        for row in rows[low:high]:
            latitude, longitude, radius_km, _ = row
            reach = min(radius_m, radius_km * 1000.0)
            spherical = haversine_m(center.latitude, center.longitude, latitude, longitude)
            if spherical <= reach * (1 + _SPHERE_MARGIN) + 1.0:
                survivors.append((spherical, reach, row))
        survivors.sort()
        found: list[tuple[float, int]] = []
        for spherical, reach, (latitude, longitude, _, helper_id) in survivors:
            if len(found) >= limit and found[limit - 1][0] < spherical * (1 - _SPHERE_MARGIN):
                break  # every survivor left is farther than the limit-th found
            self.geodesic_calls += 1
            distance = geodesic((center.latitude, center.longitude), (latitude, longitude)).meters
            if distance <= reach:
                bisect.insort(found, (distance, helper_id))
        return [helper_id for _, helper_id in found[:limit]]


@dataclass(frozen=True)
class Recall:
    """How one method's answers compare with the brute force over a sample of queries."""

    queries: int
    recall: float  # mean over queries of |answer ∩ truth| / |truth| (1 where truth is empty)
    same_list: int  # queries whose answer is exactly the truth, in order
    extra: int  # answers not in the truth, summed over queries
    worst: tuple[int, list[int], list[int]] | None  # (query number, answer, truth) least alike


def compare(answers: Sequence[list[int]], truths: Sequence[list[int]]) -> Recall:
    total = 0.0
    same = extra = 0
    worst: tuple[int, list[int], list[int]] | None = None
    worst_score = 2.0
    for number, (answer, truth) in enumerate(zip(answers, truths, strict=True)):
        hits = len(set(answer) & set(truth))
        score = hits / len(truth) if truth else 1.0
        total += score
        same += answer == truth
        extra += len(set(answer) - set(truth))
        closeness = score - (0.0 if answer == truth else 1e-9)
        if closeness < worst_score and answer != truth:
            worst_score, worst = closeness, (number, answer, truth)
    return Recall(len(truths), total / max(1, len(truths)), same, extra, worst)
