"""The match index's ring searches (`sqlite.SqliteIndex`, `postgres.PostgresIndex`), through
`bench.nearest`: exact against a geopy brute force, on whichever database runs.

The same tests run on SQLite (R*Tree rings) and on PostgreSQL (PostGIS KNN). The world of
helpers and the brute force are in world.py.
"""

from __future__ import annotations

import math
import random

import pytest
from geopy.distance import geodesic

from backend.geo import (
    LOCAL_DISTANCE_TOLERANCE,
    Point,
    geodesic_m,
    local_distance_m,
)
from bench.nearest import geodesic_m_within, nearest
from bookings.matching import postgres
from bookings.matching.protocol import languages_mask
from bookings.matching.sqlite import SqliteIndex
from tests.bookings.matching.world import World, brute_force_rows, brute_nearest, queries
from tests.factories import ZURICH, category, make_helper


def test_local_distance_is_within_its_tolerance_of_geopy_across_switzerland() -> None:
    rng = random.Random(7)
    worst = 0.0
    for _ in range(3000):
        a = Point(rng.uniform(45.8, 47.8), rng.uniform(5.9, 10.5))
        bearing, reach = rng.uniform(0, 2 * math.pi), rng.uniform(1, 60_000)
        b = Point(
            a.latitude + reach * math.cos(bearing) / 111_000,
            a.longitude
            + reach * math.sin(bearing) / (111_000 * math.cos(math.radians(a.latitude))),
        )
        exact = geodesic_m(a, b)
        local = local_distance_m(a.latitude, a.longitude, b.latitude, b.longitude)
        worst = max(worst, abs(local - exact) / exact)
    assert worst < LOCAL_DISTANCE_TOLERANCE / 3


@pytest.mark.parametrize("first_ring", ["estimated", "tiny"])
@pytest.mark.django_db
def test_nearest_equals_a_geopy_brute_force_on_a_seeded_world(
    world: World, monkeypatch, first_ring: str
) -> None:
    # Given 1,500 helpers indexed for three skills, and 40 seeded customers
    rows = {category_id: brute_force_rows(category_id) for category_id in world.category_ids}
    if first_ring == "tiny":  # every search crosses many ring edges, or KNN batches
        monkeypatch.setattr(SqliteIndex, "first_radius_m", lambda self, *args, **kwargs: 60.0)
        monkeypatch.setattr(postgres, "knn_batch", lambda want: 2)
    assert sum(len(r) for r in rows.values()) > 1000

    # When each asks for the 20 nearest (and the 3 nearest) helpers whose radius covers them
    compared = 0
    for category_id, center, radius_m in queries(1, world, 40):
        for limit in (20, 3):
            found = nearest(category_id=category_id, center=center, radius_m=radius_m, limit=limit)

            # Then the index returns the very list geopy gives: same helpers, same order
            expected = _brute_force_rows_cached = brute_nearest(
                rows[category_id], center, radius_m, limit
            )
            assert [item.row.helper_id for item in found] == [h for h, _ in expected]
            for item, (_, distance) in zip(found, _brute_force_rows_cached, strict=True):
                assert item.distance_m == pytest.approx(distance, rel=LOCAL_DISTANCE_TOLERANCE)
            compared += len(expected)
    assert compared > 400


@pytest.mark.django_db
def test_nearest_with_a_language_filter_and_exclusions_equals_the_brute_force(world: World) -> None:
    french = languages_mask(["fr"])
    for category_id, center, radius_m in queries(2, world, 15):
        rows = brute_force_rows(category_id)
        expected = brute_nearest(rows, center, radius_m, 25, mask=french)
        excluded = {helper_id for helper_id, _ in expected[::3]}
        found = nearest(
            category_id=category_id,
            center=center,
            radius_m=radius_m,
            limit=10,
            language_mask=french,
            exclude_helper_ids=excluded,
        )
        wanted = [helper_id for helper_id, _ in expected if helper_id not in excluded][:10]
        assert [item.row.helper_id for item in found] == wanted


@pytest.mark.django_db
def test_an_empty_category_and_an_empty_countryside_find_nobody() -> None:
    make_helper(point=ZURICH, skills=("internet-wifi",))
    assert (
        nearest(category_id=category("tv-streaming").pk, center=ZURICH, radius_m=25_000, limit=5)
        == []
    )
    far = Point(46.5, 9.8)  # the Engadin: nobody within 25 km
    assert nearest(category_id=category().pk, center=far, radius_m=25_000, limit=5) == []


def _east_of(point: Point, metres: float) -> Point:
    """The point exactly `metres` east of `point` along the geodesic (geopy)."""
    moved = geodesic(meters=metres).destination((point.latitude, point.longitude), bearing=90)
    return Point(moved.latitude, moved.longitude)


@pytest.mark.django_db
def test_a_helper_just_outside_the_first_rings_box_but_inside_its_circle_is_found(
    monkeypatch,
) -> None:
    # Given an SQLite first ring of 1 km (whose distance filter keeps 3 % to spare), and helpers
    # 1,020 m and 1,500 m due north: the nearer one beyond the ring's 1 km, within its 3 %
    monkeypatch.setattr(SqliteIndex, "first_radius_m", lambda self, *args, **kwargs: 1_000.0)
    nearer = make_helper(point=_north_of(ZURICH, 1_020.0), radius_km=25)
    farther = make_helper(point=_north_of(ZURICH, 1_500.0), radius_km=25)

    # When the customer asks for the nearest helper (the first ring holds nobody final)
    found = nearest(category_id=category().pk, center=ZURICH, radius_m=25_000, limit=2)

    # Then the next ring finds the nearer helper: the first ring's box held its whole circle
    assert [item.row.helper_id for item in found] == [nearer.pk, farther.pk]


def _north_of(point: Point, metres: float) -> Point:
    moved = geodesic(meters=metres).destination((point.latitude, point.longitude), bearing=0)
    return Point(moved.latitude, moved.longitude)


@pytest.mark.django_db
def test_a_helper_at_the_edge_of_their_service_radius_is_settled_by_geopy() -> None:
    # Given a helper whose own radius is 3 km
    helper = make_helper(point=ZURICH, radius_km=3)

    # When customers stand 2 mm inside and 2 mm outside it (closer than the fast formula's
    # tolerance, 6 cm at 3 km)
    inside, outside = _east_of(ZURICH, 2_999.998), _east_of(ZURICH, 3_000.002)
    assert geodesic_m(ZURICH, inside) < 3_000 < geodesic_m(ZURICH, outside)

    # Then geopy decides, and it is right both times
    found = nearest(category_id=category().pk, center=inside, radius_m=25_000, limit=5)
    assert [item.row.helper_id for item in found] == [helper.pk]
    assert nearest(category_id=category().pk, center=outside, radius_m=25_000, limit=5) == []


@pytest.mark.parametrize("limit_km", [1, 5, 10, 25])
def test_geodesic_within_agrees_with_geopy_on_both_sides_of_the_limit(limit_km):
    center = Point(46.9480, 7.4474)  # Bern
    limit_m = limit_km * 1000.0
    for bearing in range(0, 360, 15):
        for factor in (0.5, 0.999, 1.0005, 1.02, 3.0):
            destination = geodesic(meters=limit_m * factor).destination(
                (center.latitude, center.longitude), bearing
            )
            target = Point(destination.latitude, destination.longitude)
            exact = geodesic(
                (center.latitude, center.longitude), (target.latitude, target.longitude)
            ).meters
            within = geodesic_m_within(center, target, limit_m)
            if exact <= limit_m:
                # The same algorithm as geopy's, which works in kilometres: the last bits differ.
                assert within == pytest.approx(exact, abs=1e-6, rel=0)
            else:
                assert within is None
