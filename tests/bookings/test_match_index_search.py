"""The match index's search: exact against a geopy brute force, on whichever database runs.

The same tests run on SQLite (R*Tree rings) and on PostgreSQL (PostGIS KNN); the plan test only
on PostgreSQL. A seeded synthetic town cluster of helpers is written straight into the tables
and indexed with the real rebuild, so the brute force sees exactly the rows the search does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from django.db import connection
from django.utils import timezone
from geopy.distance import geodesic

from backend.geo import (
    LOCAL_DISTANCE_TOLERANCE,
    Point,
    geodesic_m,
    haversine_m,
    local_distance_m,
)
from backend.models import LANGUAGE_CODES, User
from bookings import match_index, matching
from bookings.match_index import IndexRow, match_index_rebuild, nearest
from bookings.models import MatchEntry
from helpers.models import ApprovalStatus, HelperProfile, HelperSkill
from tests.factories import ZURICH, category, make_helper, offset

SKILLS = ("internet-wifi", "tv-streaming", "smartphone-tablet")
TOWNS = (Point(47.3769, 8.5417), Point(47.4997, 8.7241), Point(47.0502, 8.3093))


@dataclass(frozen=True)
class World:
    helpers: int
    category_ids: tuple[int, ...]


def _build_world(seed: int, count: int) -> World:
    """`count` helpers around three towns (and some countryside), with duplicate homes."""
    rng = random.Random(seed)
    users: list[User] = []
    for index in range(count):
        if index % 50 == 7 and users:  # some helpers share a home exactly: ties in distance
            lat, lon = users[-1].home_latitude, users[-1].home_longitude
        elif rng.random() < 0.15:
            lat, lon = rng.uniform(46.9, 47.6), rng.uniform(7.9, 9.0)
        else:
            town = rng.choice(TOWNS)
            lat = town.latitude + rng.gauss(0, 0.04)
            lon = town.longitude + rng.gauss(0, 0.06)
        users.append(
            User(
                email=f"helper{index}@world.test",
                display_name=f"Helper {index}",
                languages=rng.sample(LANGUAGE_CODES, rng.randint(1, 3)),
                home_latitude=lat,
                home_longitude=lon,
            )
        )
    users = User.objects.bulk_create(users)
    statuses = [ApprovalStatus.APPROVED] * 8 + [ApprovalStatus.APPLIED, ApprovalStatus.SUSPENDED]
    profiles = HelperProfile.objects.bulk_create(
        [
            HelperProfile(
                user=user,
                service_radius_km=rng.randint(2, 25),
                approval_status=rng.choice(statuses),
                is_accepting_jobs=rng.random() < 0.9,
                rating_count=(count_ := rng.randint(0, 30)),
                rating_sum=sum(rng.randint(2, 5) for _ in range(count_)),
                completed_visits=rng.randint(0, 40),
                cancellations_caused=rng.randint(0, 3),
                no_shows_caused=rng.randint(0, 1),
                offers_accepted=rng.randint(0, 10),
                offers_expired=rng.randint(0, 3),
            )
            for user in users
        ]
    )
    category_ids = tuple(category(slug).pk for slug in SKILLS)
    HelperSkill.objects.bulk_create(
        [
            HelperSkill(helper=profile, category_id=category_id)
            for profile in profiles
            for category_id in rng.sample(category_ids, rng.randint(1, 3))
        ]
    )
    match_index_rebuild()
    return World(helpers=count, category_ids=category_ids)


@pytest.fixture
def world(db: None) -> World:
    return _build_world(seed=20261123, count=1500)


def _queries(seed: int, world: World, n: int) -> Iterator[tuple[int, Point, float]]:
    rng = random.Random(seed)
    for _ in range(n):
        town = rng.choice(TOWNS)
        center = Point(town.latitude + rng.gauss(0, 0.05), town.longitude + rng.gauss(0, 0.07))
        yield rng.choice(world.category_ids), center, rng.choice((5_000.0, 12_000.0, 25_000.0))


def _brute_force_rows(category_id: int) -> list[IndexRow]:
    return [
        IndexRow(*cast(tuple[Any, ...], row))
        for row in MatchEntry.objects.filter(category_id=category_id).values_list(
            *match_index.ROW_COLUMNS
        )
    ]


def _brute_nearest(
    rows: list[IndexRow], center: Point, radius_m: float, limit: int, mask: int = 0
) -> list[tuple[int, float]]:
    """geopy on every row: the reference the index must equal."""
    found = []
    for row in rows:
        if mask and not row.languages_mask & mask:
            continue
        distance = geodesic((center.latitude, center.longitude), (row.latitude, row.longitude)).m
        if distance <= min(radius_m, row.service_radius_km * 1000.0):
            found.append((distance, row.helper_id))
    found.sort()
    return [(helper_id, distance) for distance, helper_id in found[:limit]]


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
    rows = {category_id: _brute_force_rows(category_id) for category_id in world.category_ids}
    if first_ring == "tiny":  # every search crosses many ring edges, or KNN batches
        monkeypatch.setattr(match_index, "_first_radius_m", lambda *args: 60.0)
        monkeypatch.setattr(match_index, "knn_batch", lambda want: 2)
    assert sum(len(r) for r in rows.values()) > 1000

    # When each asks for the 20 nearest (and the 3 nearest) helpers whose radius covers them
    compared = 0
    for category_id, center, radius_m in _queries(1, world, 40):
        for limit in (20, 3):
            found = nearest(category_id=category_id, center=center, radius_m=radius_m, limit=limit)

            # Then the index returns the very list geopy gives: same helpers, same order
            expected = _brute_force_rows_cached = _brute_nearest(
                rows[category_id], center, radius_m, limit
            )
            assert [item.row.helper_id for item in found] == [h for h, _ in expected]
            for item, (_, distance) in zip(found, _brute_force_rows_cached, strict=True):
                assert item.distance_m == pytest.approx(distance, rel=LOCAL_DISTANCE_TOLERANCE)
            compared += len(expected)
    assert compared > 400


@pytest.mark.django_db
def test_nearest_with_a_language_filter_and_exclusions_equals_the_brute_force(world: World) -> None:
    french = match_index.languages_mask(["fr"])
    for category_id, center, radius_m in _queries(2, world, 15):
        rows = _brute_force_rows(category_id)
        expected = _brute_nearest(rows, center, radius_m, 25, mask=french)
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
def test_composite_ranking_equals_a_brute_force_score_over_every_helper(
    world: World, quartier_settings
) -> None:
    # Given fairness off, so the ranking is the plain composite score
    quartier_settings(FAIRNESS_MARGIN=0.0, FAIRNESS_NEW_HELPER_BONUS=0.0)
    for category_id, center, radius_m in _queries(3, world, 25):
        # When the 10 best helpers are ranked by score
        ranking = matching.rank(
            category_id=category_id, center=center, radius_km=radius_m / 1000, limit=10
        )

        # Then they are exactly the 10 best of a brute force that scores every helper
        best = _brute_force_ranking(_brute_force_rows(category_id), center, radius_m, limit=10)
        assert [s.row.helper_id for s in ranking.chosen] == [h for h, _ in best]
        for chosen, (_, value) in zip(ranking.chosen, best, strict=True):
            assert chosen.score == pytest.approx(value, abs=1e-6)


@pytest.mark.django_db
def test_composite_ranking_stops_once_nobody_farther_out_could_score_higher(
    quartier_settings,
) -> None:
    # Given 12 excellent helpers within 300 m, and 60 more 18 to 24 km away
    quartier_settings(FAIRNESS_MARGIN=0.0)
    near = [
        make_helper(point=offset(ZURICH, east_m=25 * i), rating=(40, 196), radius_km=25)
        for i in range(12)
    ]
    for i in range(60):
        make_helper(point=offset(ZURICH, north_m=18_000 + 100 * i), rating=(40, 200), radius_km=25)

    # When the 5 best are ranked within 25 km
    ranking = matching.rank(category_id=category().pk, center=ZURICH, radius_km=25, limit=5)

    # Then they are the 5 nearest excellent helpers, and the walk stopped after its first batch
    # (the 12 near ones on SQLite's ring, PostGIS's first 18 nearest: the 16 it asks for and 2
    # to spare): from 300 m out, even a perfect helper would score below the fifth chosen one
    assert [s.row.helper_id for s in ranking.chosen] == [h.pk for h in near[:5]]
    assert match_index.knn_batch(16) == 18
    assert ranking.examined == (18 if connection.vendor == "postgresql" else 12)


# --- The score bound: helpers who cannot score enough are left out in the database -----------


def _make_some_new(world: World, seed: int) -> None:
    """Give about a fifth of the approved helpers a recent approval (and so the bonus)."""
    rng = random.Random(seed)
    approved = list(
        HelperProfile.objects.filter(approval_status=ApprovalStatus.APPROVED).values_list(
            "pk", "completed_visits"
        )
    )
    for pk, _ in rng.sample(approved, len(approved) // 5):
        HelperProfile.objects.filter(pk=pk).update(
            approval_changed_at=timezone.now() - timedelta(days=rng.uniform(0, 60)),
            completed_visits=rng.randint(0, 4),
        )
    match_index_rebuild()


def _rows_as_searched(category_id: int) -> list[IndexRow]:
    """The category's index rows as the searches read them (approval time included)."""
    if connection.vendor == "postgresql":
        sql = f"SELECT id, {match_index._PG_SELECT} FROM {match_index.TABLE} WHERE category_id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [category_id])
            return [IndexRow(*row) for row in cursor.fetchall()]
    cursor = connection.connection.cursor()
    cursor.execute(f"SELECT id, {match_index._SQLITE_SELECT} FROM match_rtree_{category_id}")  # noqa: S608
    return [IndexRow(*row) for row in cursor.fetchall()]


def _static_score(
    row: IndexRow, *, bonus: float = 0.0, new_since: float = 0.0, new_visits: int = 0
) -> float:
    """The ranking less its distance part, in Python: the stored score plus the newcomer's
    bonus when the row is new."""
    value = matching.Weights.current().static_score(
        rating_sum=row.rating_sum,
        rating_count=row.rating_count,
        completed=row.completed_visits,
        cancellations_caused=row.cancellations_caused,
        no_shows_caused=row.no_shows_caused,
        offers_answered=row.offers_answered,
        offers_expired=row.offers_expired,
        response_seconds_total=row.response_seconds_total,
    )
    is_new = (
        row.approved_epoch is not None
        and row.approved_epoch >= new_since
        and row.completed_visits < new_visits
    )
    return value + bonus if is_new else value


def _brute_force_ranking(
    rows: list[IndexRow], center: Point, radius_m: float, *, limit: int, **bonus: Any
) -> list[tuple[int, float]]:
    """geopy and the score on every row: the `limit` best (helper id, ranking), best first."""
    distance_weight = matching.Weights.current().distance_weight
    scored = []
    for row in rows:
        distance = geodesic((center.latitude, center.longitude), (row.latitude, row.longitude)).m
        if distance > min(radius_m, row.service_radius_km * 1000.0):
            continue
        value = _static_score(row, **bonus) + distance_weight * (1 - distance / radius_m)
        scored.append((-value, distance, row.helper_id))
    scored.sort()
    return [(helper_id, -value) for value, _, helper_id in scored[:limit]]


@pytest.mark.django_db
def test_the_static_score_in_sql_equals_the_python_score_on_every_row(
    world: World, quartier_settings
) -> None:
    # Given a fifth of the helpers newly approved and a bonus for them
    quartier_settings(FAIRNESS_NEW_HELPER_BONUS=0.07, FAIRNESS_NEW_HELPER_VISITS=3)
    _make_some_new(world, seed=5)
    now = timezone.now()
    new_since = now - timedelta(days=30)
    sql, params = matching.Weights.current().static_sql(
        connection.vendor, bonus=0.07, new_since=new_since, new_visits=3
    )
    for category_id in world.category_ids:
        # When the database computes the static score of every row the searches read
        if connection.vendor == "postgresql":
            select = f"SELECT id, {sql} FROM {match_index.TABLE} WHERE category_id = %s"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.execute(select, [*cast(list[Any], params), category_id])
                computed = dict(cursor.fetchall())
        else:
            cursor = connection.connection.cursor()
            cursor.execute(f"SELECT id, {sql} FROM match_rtree_{category_id}", params)  # noqa: S608
            computed = dict(cursor.fetchall())
        rows = _rows_as_searched(category_id)

        # Then it is the score rank computes in Python, row by row, bonus included
        assert len(computed) == len(rows) > 100
        news = 0
        for row in rows:
            expected = _static_score(row, bonus=0.07, new_since=new_since.timestamp(), new_visits=3)
            news += expected != _static_score(
                row, bonus=0.0, new_since=new_since.timestamp(), new_visits=3
            )
            assert computed[row.entry_id] == pytest.approx(expected, abs=1e-12), row
        assert news > 10


@pytest.mark.parametrize("stored", [True, False], ids=["stored-scores", "computed-scores"])
@pytest.mark.parametrize("with_sqrt", [True, False], ids=["own-distance", "ring-edge"])
@pytest.mark.django_db
def test_composite_ranking_with_new_helpers_equals_the_brute_force(
    world: World, quartier_settings, monkeypatch, with_sqrt: bool, stored: bool
) -> None:
    # Given new helpers with a bonus; the stored scores in the spatial index used or not (as
    # under other ranking settings); and (on SQLite) with or without its sqrt
    if not with_sqrt:
        if connection.vendor != "sqlite":
            pytest.skip("SQLite without its math functions")
        monkeypatch.setattr(match_index, "_sqlite_has_math", lambda using: False)
    if not stored:
        monkeypatch.setattr(match_index, "stored_scores_usable", lambda weights, using="": False)
    quartier_settings(FAIRNESS_MARGIN=0.0, FAIRNESS_NEW_HELPER_BONUS=0.06)
    _make_some_new(world, seed=11)
    now = timezone.now()
    new_since = (now - timedelta(days=30)).timestamp()
    # (recording the floors rank sends, so that the bound is known to have been at work)
    floors: list[float] = []
    rings = match_index.rings

    def recording_rings(*args: Any, **kwargs: Any) -> Any:
        search = rings(*args, **kwargs)
        try:
            ring = next(search)
            while True:
                asked = yield ring
                if isinstance(asked, match_index.Reach) and asked.floor is not None:
                    floors.append(asked.floor)
                ring = search.send(asked)
        except StopIteration:
            return

    monkeypatch.setattr(match_index, "rings", recording_rings)
    for category_id, center, radius_m in _queries(17, world, 25):
        # When the 8 best are ranked
        ranking = matching.rank(
            category_id=category_id, center=center, radius_km=radius_m / 1000, limit=8, now=now
        )

        # Then they are the 8 best of a brute force over every helper, bonus included
        best = _brute_force_ranking(
            _rows_as_searched(category_id),
            center,
            radius_m,
            limit=8,
            bonus=0.06,
            new_since=new_since,
            new_visits=3,
        )
        assert [s.row.helper_id for s in ranking.chosen] == [h for h, _ in best]
        for chosen, (_, value) in zip(ranking.chosen, best, strict=True):
            assert chosen.ranking == pytest.approx(value, abs=1e-6)
    # And at least 20 of the 25 went beyond their first ring with a floor the database applied
    assert len(floors) >= 20


@pytest.mark.django_db
def test_the_score_bound_leaves_out_helpers_who_could_not_beat_the_last_chosen(
    quartier_settings,
) -> None:
    # Given 30 new helpers (no reviews yet) within 300 m, 40 poorly rated and unreliable ones
    # 1.5 to 2.9 km away, and one excellent helper 2 km away
    quartier_settings(FAIRNESS_MARGIN=0.0, FAIRNESS_NEW_HELPER_BONUS=0.0)
    near = [make_helper(point=offset(ZURICH, east_m=10 * i), radius_km=25) for i in range(30)]
    poor = [
        make_helper(point=offset(ZURICH, north_m=1_500 + 35 * i), rating=(30, 45), radius_km=25)
        for i in range(40)
    ]
    HelperProfile.objects.filter(pk__in=[h.pk for h in poor]).update(cancellations_caused=6)
    match_index.match_index_refresh(helper_ids=[h.pk for h in poor])
    star = make_helper(point=offset(ZURICH, east_m=-2_000), rating=(200, 1000), radius_km=25)

    # When the 5 best are ranked within 25 km
    ranking = matching.rank(category_id=category().pk, center=ZURICH, radius_km=25, limit=5)

    # Then the walk went out to where nobody could beat the fifth near helper (3.8 km), found
    # the excellent helper 2 km away, who comes first, and never had a poor one returned: even
    # at 1.5 km, a 1.9★ helper with 6 cancellations scores 0.60 against the fifth's 0.92
    assert [s.row.helper_id for s in ranking.chosen] == [star.pk] + [h.pk for h in near[:4]]
    looked_at = {row.helper_id for row, _, _ in ranking.looked_at}
    assert not looked_at & {h.pk for h in poor}
    assert ranking.chosen[-1].ranking == pytest.approx(0.5 * (1 - 30 / 25_000) + 0.425, abs=1e-5)


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
    monkeypatch.setattr(match_index, "_first_radius_m", lambda *args: 1_000.0)
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


# --- Fairness ----------------------------------------------------------------------------------


def _twins(count: int) -> list[HelperProfile]:
    """Helpers equally good in every way, a few metres apart."""
    return [make_helper(point=offset(ZURICH, east_m=1_000 + index)) for index in range(count)]


@pytest.mark.django_db
def test_fairness_asks_the_equally_good_helper_with_fewer_offers_today_first() -> None:
    # Given three equally good helpers; the nearest already had 4 offers today, the next 1
    first, second, third = _twins(3)
    counts = {first.pk: 4, second.pk: 1}

    # When two are to be asked
    ranking = matching.rank(
        category_id=category().pk,
        center=ZURICH,
        radius_km=5,
        limit=2,
        offers_today=lambda ids: {pk: counts[pk] for pk in ids if pk in counts},
    )

    # Then the one with no offers goes first, then the one with one; the busiest waits
    assert [s.row.helper_id for s in ranking.chosen] == [third.pk, second.pk]
    assert ranking.reason(first.pk) == "ranked below the helpers offered"


@pytest.mark.django_db
def test_fairness_never_passes_over_a_clearly_better_helper(quartier_settings) -> None:
    # Given a 5★ helper with many offers today, and a newcomer-rated helper with none
    quartier_settings(FAIRNESS_MARGIN=0.05)
    star = make_helper(point=offset(ZURICH, east_m=1_000), rating=(40, 200))
    plain = make_helper(point=offset(ZURICH, east_m=1_000), rating=(10, 25))

    ranking = matching.rank(
        category_id=category().pk,
        center=ZURICH,
        radius_km=5,
        limit=1,
        offers_today=lambda ids: {star.pk: 9} if star.pk in ids else {},
    )

    # Then the scores are further apart than the margin, and the better helper is asked
    scores = {row.helper_id: value for row, _, value in ranking.looked_at if value is not None}
    assert scores[star.pk] - scores[plain.pk] > 0.05
    assert [s.row.helper_id for s in ranking.chosen] == [star.pk]


@pytest.mark.django_db
def test_with_fairness_off_the_order_is_the_score_alone(quartier_settings) -> None:
    quartier_settings(FAIRNESS_MARGIN=0.0)
    first, second, third = _twins(3)
    ranking = matching.rank(
        category_id=category().pk,
        center=ZURICH,
        radius_km=5,
        limit=2,
        offers_today=lambda ids: {first.pk: 4, second.pk: 1},
    )
    assert [s.row.helper_id for s in ranking.chosen] == [first.pk, second.pk]


@pytest.mark.django_db
def test_a_newly_approved_helper_gets_a_fair_start(quartier_settings) -> None:
    # Given an established helper 1.0 km away and one approved yesterday 1.3 km away
    quartier_settings(FAIRNESS_MARGIN=0.0, FAIRNESS_NEW_HELPER_BONUS=0.05)
    established = make_helper(point=offset(ZURICH, east_m=1_000))
    newcomer = make_helper(point=offset(ZURICH, east_m=1_300))
    HelperProfile.objects.filter(pk=newcomer.pk).update(
        approval_changed_at=timezone.now() - timedelta(days=1)
    )
    match_index.match_index_refresh(helper_ids=[newcomer.pk])

    # When one helper is to be asked
    ranking = matching.rank(category_id=category().pk, center=ZURICH, radius_km=5, limit=2)

    # Then the newcomer's bonus (0.05) outweighs the 300 m (0.5 · 300 / 5000 = 0.03 of score)
    assert [s.row.helper_id for s in ranking.chosen] == [newcomer.pk, established.pk]
    assert ranking.chosen[0].new_helper
    assert not ranking.chosen[1].new_helper
    assert ranking.chosen[0].ranking == pytest.approx(ranking.chosen[0].score + 0.05)

    # And without the bonus the nearer, established helper is first
    quartier_settings(FAIRNESS_NEW_HELPER_BONUS=0.0)
    ranking = matching.rank(category_id=category().pk, center=ZURICH, radius_km=5, limit=2)
    assert [s.row.helper_id for s in ranking.chosen] == [established.pk, newcomer.pk]


@pytest.mark.django_db
def test_a_helper_approved_long_ago_or_with_visits_behind_them_is_not_new(
    quartier_settings,
) -> None:
    quartier_settings(FAIRNESS_NEW_HELPER_DAYS=30, FAIRNESS_NEW_HELPER_VISITS=3)
    long_ago = make_helper(point=offset(ZURICH, east_m=1_000))
    busy = make_helper(point=offset(ZURICH, east_m=1_100))
    HelperProfile.objects.filter(pk=long_ago.pk).update(
        approval_changed_at=timezone.now() - timedelta(days=31)
    )
    HelperProfile.objects.filter(pk=busy.pk).update(
        approval_changed_at=timezone.now() - timedelta(days=2), completed_visits=3
    )
    match_index.match_index_refresh(helper_ids=[long_ago.pk, busy.pk])
    ranking = matching.rank(category_id=category().pk, center=ZURICH, radius_km=5, limit=2)
    assert [s.new_helper for s in ranking.chosen] == [False, False]


# --- PostgreSQL: the plan --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_knn_query_uses_the_index_order_when_sent_the_way_django_sends_it(world: World):
    # Given the index (1,500 helpers) and fresh statistics
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {match_index.TABLE}")
    category_id = world.category_ids[0]

    # When the search's own SQL is explained through Django's cursor: parameters bound on the
    # client, nothing prepared, exactly as the search sends it
    sql, params = match_index.postgres_knn_sql(category_id, ZURICH, 25_160.0, 30)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # Then the plan walks the category's partial GiST in distance order: no sort, no bitmap
    assert f"Index Scan using match_geog_{category_id}" in plan, plan
    assert "Order By: (geog <->" in plan, plan
    assert "Sort" not in plan, plan
    assert "Bitmap" not in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgis_sphere_distance_is_the_haversine_the_knn_batches_continue_from(world: World):
    # Given every indexed helper and a customer in Zürich
    # When PostGIS measures `<->` to each of them
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT latitude, longitude, geog <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)"  # noqa: S608
            f"::geography FROM {match_index.TABLE}",
            [ZURICH.longitude, ZURICH.latitude],
        )
        measured = cursor.fetchall()

    # Then the haversine on the mean radius agrees far within the slack a batch leaves
    assert len(measured) > 1000
    worst = max(
        abs(haversine_m(ZURICH, Point(lat, lon)) - sphere) / sphere
        for lat, lon, sphere in measured
        if sphere > 1.0
    )
    assert worst < match_index._SPHERE_SLACK / 100


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_knn_query_keeps_the_index_order_as_a_generic_prepared_plan(world: World):
    # Given the index and fresh statistics
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {match_index.TABLE}")
    category_id = world.category_ids[2]

    # When the search's SQL is prepared with $n parameters, as a server-binding driver or a
    # pooler sends it, and PostgreSQL is made to plan it once for any values
    sql, params = match_index.postgres_knn_sql(category_id, ZURICH, 25_160.0, 23, 3, 800.0, True)
    numbered = sql
    for number in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${number}", 1)
    values = ", ".join(repr(value) for value in params)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE match_knn AS {numbered}")
        cursor.execute(f"EXPLAIN EXECUTE match_knn({values})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE match_knn")

    # Then the generic plan walks the category's partial GiST in distance order too
    assert f"Index Scan using match_geog_{category_id}" in plan, plan
    assert "Order By: (geog <->" in plan, plan
    assert "Sort" not in plan, plan
    # and its filters compare with the center as bound, not a point built again for every row
    assert "Filter: " in plan, plan
    assert "st_makepoint" not in plan.lower(), plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_center_is_sent_as_exactly_its_coordinates() -> None:
    center = Point(47.376886999999996, 8.541693999999998)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Y(CAST(%s AS geography)::geometry), ST_X(CAST(%s AS geography)::geometry),"
            " ST_SRID(CAST(%s AS geography))",
            [match_index._pg_center(center)] * 3,
        )
        assert cursor.fetchone() == (center.latitude, center.longitude, 4326)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_range_query_for_a_known_radius_uses_the_categorys_index(world: World):
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {match_index.TABLE}")
    category_id = world.category_ids[1]
    static_sql, static_params = matching.Weights.current().static_sql(
        "postgresql", bonus=0.05, new_since=timezone.now(), new_visits=3
    )
    bound = match_index.ScoreBound(static_sql, static_params, 0.5, 25_000.0)
    stored_sql, stored_params = matching.Weights.current().static_sql(
        "postgresql", bonus=0.05, new_since=timezone.now(), new_visits=3, stored="static_score"
    )
    indexed = match_index.ScoreBound(stored_sql, stored_params, 0.5, 25_000.0, True, 0.05)
    for with_bound in (None, bound, indexed):
        sql, params = match_index.postgres_range_sql(
            category_id, ZURICH, 1_500.0, 4_000.0, bound=with_bound, floor=0.9
        )
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f"match_geog_{category_id}" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert ("CASE WHEN" in plan) == (with_bound is not None), plan
        # With stored scores, the GiST's second column leaves out low scores in the index
        index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any("static_score >=" in line for line in index_conditions) == (
            with_bound is indexed
        ), plan


# --- Reliability -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ({}, 1.0),  # a newcomer
        ({"completed": 9, "cancellations_caused": 2}, 0.8 * 10 / 12 + 0.2),
        ({"completed": 9, "no_shows_caused": 1}, 0.8 * 10 / 12 + 0.2),  # a no-show weighs double
        # Ten offers answered at once, then ten answered at the 30-minute deadline (half each)
        ({"offers_answered": 10}, 1.0),
        ({"offers_answered": 10, "response_seconds_total": 10 * 1800}, 0.8 + 0.2 * 6 / 11),
        # Ten answered at once and ten left to expire
        ({"offers_answered": 10, "offers_expired": 10}, 0.8 + 0.2 * 11 / 21),
    ],
)
def test_reliability_counts_broken_commitments_and_slow_or_missing_answers(
    figures: dict[str, int], expected: float
) -> None:
    base = {"completed": 0, "cancellations_caused": 0, "no_shows_caused": 0}
    assert matching.reliability(**{**base, **figures}) == pytest.approx(expected, abs=1e-12)
