"""A seeded synthetic town cluster of helpers, and brute forces over it: the references the
match index's searches and the composite ranking must equal, on whichever database runs.

The helpers are written straight into the tables and indexed with the real rebuild, so the
brute force sees exactly the rows the search does. The `world` fixture (conftest.py) builds it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.db import connection
from django.utils import timezone
from geopy.distance import geodesic

from backend.geo import Point
from backend.models import LANGUAGE_CODES, User
from bookings.matching import postgres, sqlite
from bookings.matching.index import match_index_rebuild
from bookings.matching.protocol import ROW_COLUMNS, TABLE, IndexRow
from bookings.matching.scoring import Weights
from bookings.models import MatchEntry
from helpers.models import ApprovalStatus, HelperProfile, HelperSkill
from tests.factories import category

SKILLS = ("internet-wifi", "tv-streaming", "smartphone-tablet")
TOWNS = (Point(47.3769, 8.5417), Point(47.4997, 8.7241), Point(47.0502, 8.3093))


@dataclass(frozen=True)
class World:
    helpers: int
    category_ids: tuple[int, ...]


def build_world(seed: int, count: int) -> World:
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
                takes_payments=True,
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


def queries(seed: int, world: World, n: int) -> Iterator[tuple[int, Point, float]]:
    rng = random.Random(seed)
    for _ in range(n):
        town = rng.choice(TOWNS)
        center = Point(town.latitude + rng.gauss(0, 0.05), town.longitude + rng.gauss(0, 0.07))
        yield rng.choice(world.category_ids), center, rng.choice((5_000.0, 12_000.0, 25_000.0))


def brute_force_rows(category_id: int) -> list[IndexRow]:
    return [
        IndexRow(*cast(tuple[Any, ...], row))
        for row in MatchEntry.objects.filter(category_id=category_id).values_list(*ROW_COLUMNS)
    ]


def brute_nearest(
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


def make_some_new(world: World, seed: int) -> None:
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


def rows_as_searched(category_id: int) -> list[IndexRow]:
    """The category's index rows as the searches read them (approval time included)."""
    if connection.vendor == "postgresql":
        sql = f"SELECT id, {postgres.SELECT_FIGURES} FROM {TABLE} WHERE category_id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [category_id])
            return [IndexRow(*row) for row in cursor.fetchall()]
    cursor = connection.connection.cursor()
    cursor.execute(f"SELECT id, {sqlite.SELECT_FIGURES} FROM match_rtree_{category_id}")  # noqa: S608
    return [IndexRow(*row) for row in cursor.fetchall()]


def static_score(
    row: IndexRow, *, bonus: float = 0.0, new_since: float = 0.0, new_visits: int = 0
) -> float:
    """The ranking less its distance part, in Python: the stored score plus the newcomer's
    bonus when the row is new."""
    value = Weights.current().static_score(
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


def brute_force_ranking(
    rows: list[IndexRow], center: Point, radius_m: float, *, limit: int, **bonus: Any
) -> list[tuple[int, float]]:
    """geopy and the score on every row: the `limit` best (helper id, ranking), best first."""
    distance_weight = Weights.current().distance_weight
    scored = []
    for row in rows:
        distance = geodesic((center.latitude, center.longitude), (row.latitude, row.longitude)).m
        if distance > min(radius_m, row.service_radius_km * 1000.0):
            continue
        value = static_score(row, **bonus) + distance_weight * (1 - distance / radius_m)
        scored.append((-value, distance, row.helper_id))
    scored.sort()
    return [(helper_id, -value) for value, _, helper_id in scored[:limit]]
