"""The fairness band bounded (`fairness_band_limit`): the best `limit` helpers, and of the rest
within the margin the nearest so many.

The walk that stops as soon as that band is known must find exactly the band a brute force
finds by scoring every helper in the radius (random requests, languages and availability, on
SQLite and on PostgreSQL), and fair choice within it must keep its promise over all helpers:
nobody left out scores more than the margin above a helper asked.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from geopy.distance import geodesic

from backend.geo import Point
from backend.models import LANGUAGE_CODES
from bookings.matching.protocol import IndexRow, languages_mask
from bookings.matching.ranking import (
    NOT_FREE,
    RANKED_BELOW,
    Ranking,
    Scored,
    fair_choice,
    rank,
)
from bookings.matching.scoring import Weights
from bookings.matching.sqlite import SqliteIndex
from helpers.availability import FreeSlot
from tests.bookings.matching.world import (
    World,
    make_some_new,
    queries,
    rows_as_searched,
    static_score,
)
from tests.factories import ZURICH, category, make_helper, offset

BONUS = 0.05


def _everyone(
    rows: list[IndexRow],
    center: Point,
    radius_m: float,
    *,
    mask: int,
    free: set[int],
    new_since: float,
) -> list[Scored]:
    """Every helper in the radius scored with geopy's distance: those sharing a language and
    free, best first."""
    distance_weight = Weights.current().distance_weight
    eligible = []
    for row in rows:
        if mask and not row.languages_mask & mask or row.helper_id not in free:
            continue
        distance = geodesic((center.latitude, center.longitude), (row.latitude, row.longitude)).m
        if distance > min(radius_m, row.service_radius_km * 1000.0):
            continue
        static = static_score(row, bonus=BONUS, new_since=new_since, new_visits=3)
        value = static + distance_weight * (1 - distance / radius_m)
        is_new = static != static_score(row)
        eligible.append(Scored(row, distance, 0.0, 0.0, value, is_new, value))
    return sorted(eligible, key=lambda s: (-s.ranking, s.distance_m, s.row.helper_id))


def _band_by_definition(
    everyone: list[Scored], *, limit: int, margin: float, band_limit: int
) -> list[Scored]:
    """The best `limit` and, within `margin` of the last of them, the nearest `band_limit` of
    the rest (all of them with 0): best first."""
    if not everyone:
        return []
    best = everyone[:limit]
    floor = best[-1].ranking - margin
    rest = [s for s in everyone[limit:] if s.ranking >= floor]
    if band_limit:
        rest = sorted(rest, key=lambda s: (s.distance_m, s.row.helper_id))[:band_limit]
    return sorted(best + rest, key=lambda s: (-s.ranking, s.distance_m, s.row.helper_id))


def _ids(scored: Sequence[Scored]) -> list[int]:
    return [s.row.helper_id for s in scored]


def _ranked(ranking: Ranking) -> dict[int, float]:
    return {row.helper_id: value for row, _, value in ranking.looked_at if value is not None}


@pytest.mark.django_db
def test_the_walk_finds_the_band_a_brute_force_over_every_helper_finds(
    world: World, quartier_settings
) -> None:
    # Given the world's helpers, a fifth of them new (with the fair start's bonus)
    make_some_new(world, seed=5)
    now = timezone.now()
    new_since = (now - timedelta(days=30)).timestamp()
    rng = random.Random(20261207)
    slot = FreeSlot(now + timedelta(days=1), now + timedelta(days=1, hours=1))
    bounded = 0
    for category_id, center, radius_m in queries(23, world, 60):
        # And a request with random languages, fairness settings and places to fill, where
        # helpers are free at random and had random offers today
        limit = rng.randint(1, 4)
        margin = rng.choice((0.05, 0.075, 0.1))
        band_limit = rng.choice((0, 1, 2, 3, 5, 8, 16))
        languages = rng.sample(LANGUAGE_CODES, rng.randint(1, 2)) if rng.random() < 0.5 else None
        quartier_settings(
            FAIRNESS_MARGIN=margin,
            FAIRNESS_BAND_LIMIT=band_limit,
            FAIRNESS_NEW_HELPER_BONUS=BONUS,
        )
        rows = rows_as_searched(category_id)
        free = {row.helper_id for row in rows if rng.random() < 0.6}
        counts = {row.helper_id: rng.randint(0, 3) for row in rows if rng.random() < 0.5}
        band_asked: list[list[int]] = []
        free_asked: list[int] = []

        def availability(
            ids: Sequence[int], free: set[int] = free, asked: list[int] = free_asked
        ) -> dict[int, FreeSlot | None]:
            asked.extend(ids)
            return {pk: slot if pk in free else None for pk in ids}

        def offers_today(
            ids: Sequence[int], counts: dict[int, int] = counts, asked: list[list[int]] = band_asked
        ) -> dict[int, int]:
            asked.append(list(ids))
            return {pk: counts[pk] for pk in ids if pk in counts}

        # When the walk ranks them
        ranking = rank(
            category_id=category_id,
            center=center,
            radius_km=radius_m / 1000,
            limit=limit,
            languages=languages,
            availability=availability,
            offers_today=offers_today,
            now=now,
        )

        # Then the band it weighs is the brute force's, helper for helper
        everyone = _everyone(
            rows,
            center,
            radius_m,
            mask=languages_mask(languages) if languages else 0,
            free=free,
            new_since=new_since,
        )
        band = _band_by_definition(everyone, limit=limit, margin=margin, band_limit=band_limit)
        if not band:
            assert ranking.chosen == []
            continue
        assert len(band_asked) == 1
        assert sorted(band_asked[0]) == sorted(_ids(band))
        # And the choice is fair choice's within that band
        expected = fair_choice(band, counts, limit=limit, margin=margin)
        assert _ids(ranking.chosen) == _ids(expected)
        # And nobody left out, looked at or not, scores more than the margin above one asked
        lowest = min(s.ranking for s in expected)
        asked = set(_ids(ranking.chosen))
        assert all(
            s.ranking <= lowest + margin + 1e-6 for s in everyone if s.row.helper_id not in asked
        )
        # And whoever it looked at and left outside the band reads as ranked below; as not
        # free, only those it asked and found busy
        outside = set(_ranked(ranking)) & free - set(_ids(band))
        assert {ranking.reason(pk) for pk in outside} <= {RANKED_BELOW}
        not_free = {pk for pk, reason in ranking.passed_over.items() if reason == NOT_FREE}
        assert not_free == set(free_asked) - free
        bounded += band_limit > 0 and len(band) == limit + band_limit
    # (and the bound was at work: many bands were full)
    assert bounded >= 8


@pytest.mark.django_db
def test_a_bounded_band_weighs_the_nearest_of_the_equally_good_and_looks_no_farther(
    quartier_settings,
) -> None:
    # Given 60 equally excellent helpers (5★ from 200 reviews) in a line east of Zürich HB,
    # 20 m apart from 1 km out: each 0.002 of score below the one before, so 39 lie within
    # 0.075 of the second, the best 2 among them
    quartier_settings(FAIRNESS_MARGIN=0.075, FAIRNESS_NEW_HELPER_BONUS=0.0)
    line = [
        make_helper(point=offset(ZURICH, east_m=1_000 + 20 * i), rating=(200, 1000))
        for i in range(60)
    ]
    ids = [helper.pk for helper in line]
    asked: list[list[int]] = []

    def offers_today(helper_ids: Sequence[int]) -> dict[int, int]:
        asked.append(list(helper_ids))
        return {pk: 2 for pk in helper_ids if pk in ids[:5]}

    def ask(band_limit: int) -> Ranking:
        asked.clear()
        quartier_settings(FAIRNESS_BAND_LIMIT=band_limit)
        return rank(
            category_id=category().pk,
            center=ZURICH,
            radius_km=5,
            limit=2,
            offers_today=offers_today,
            now=datetime.now(tz=timezone.get_current_timezone()),
        )

    # When the band is bounded to 3 besides the best 2
    ranking = ask(3)

    # Then fairness weighs the 5 nearest: all of them busy, so the best 2 are asked
    assert asked == [ids[:5]]
    assert _ids(ranking.chosen) == ids[:2]
    bounded_examined = ranking.examined
    # And unbounded it weighs all 39 within the margin, and asks two idle ones beyond the 5
    ranking = ask(0)
    assert asked == [ids[:39]]
    assert _ids(ranking.chosen) == [ids[5], ids[6]]
    # And the bounded walk looked at fewer helpers than the unbounded one
    assert bounded_examined < ranking.examined
    # And a band of 40 besides the best 2 is all 39 again
    ranking = ask(40)
    assert asked == [ids[:39]]
    assert _ids(ranking.chosen) == [ids[5], ids[6]]


@pytest.mark.django_db
def test_helpers_never_asked_are_not_recorded_as_not_free(quartier_settings) -> None:
    # Given 60 equally excellent helpers in a line east of Zürich HB, 20 m apart from 1 km out
    # (39 within 0.075 of the second best), the 2nd, 4th and 6th busy and all from the 31st on
    quartier_settings(FAIRNESS_MARGIN=0.075, FAIRNESS_BAND_LIMIT=3, FAIRNESS_NEW_HELPER_BONUS=0.0)
    line = [
        make_helper(point=offset(ZURICH, east_m=1_000 + 20 * i), rating=(200, 1000))
        for i in range(60)
    ]
    ids = [helper.pk for helper in line]
    busy = {ids[1], ids[3], ids[5], *ids[30:]}
    now = timezone.now()
    slot = FreeSlot(now + timedelta(days=1), now + timedelta(days=1, hours=1))
    asked: list[int] = []

    def availability(helper_ids: Sequence[int]) -> dict[int, FreeSlot | None]:
        asked.extend(helper_ids)
        return {pk: None if pk in busy else slot for pk in helper_ids}

    # When the walk ranks them for 2 places, with fairness on
    ranking = rank(
        category_id=category().pk,
        center=ZURICH,
        radius_km=5,
        limit=2,
        availability=availability,
        offers_today=lambda helper_ids: {},
        now=now,
    )

    # Then it asked the nearest, each once, and not everyone within the margin
    assert len(asked) == len(set(asked))
    assert asked == ids[: len(asked)]
    assert len(asked) < 30
    # And the band is the best 2 free ones and the 3 nearest free ones after them
    assert _ids(ranking.chosen) == [ids[0], ids[2]]
    # And only those it asked and found busy read as not free; the rest as ranked below
    assert {pk for pk in ids if ranking.reason(pk) == NOT_FREE} == busy & set(asked)
    assert {ranking.reason(pk) for pk in ids[len(asked) :]} == {RANKED_BELOW}


@pytest.mark.django_db
def test_the_walk_counts_for_the_band_only_helpers_nearer_than_the_distance_it_covered(
    quartier_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given scores by distance alone over 5 km, a margin of 0.15 (1.5 km) and a band of one
    # besides the best; SQLite's first ring a box 1 km each way from Zürich HB
    quartier_settings(
        SCORE_WEIGHT_RATING=0.0,
        SCORE_WEIGHT_RELIABILITY=0.0,
        FAIRNESS_MARGIN=0.15,
        FAIRNESS_BAND_LIMIT=1,
        FAIRNESS_NEW_HELPER_BONUS=0.0,
    )
    monkeypatch.setattr(SqliteIndex, "first_radius_m", lambda *args, **kwargs: 1_000.0)
    # And the best helper 100 m away, with two offers today already; one in the box's corner,
    # 1.2 km away; and one 1.1 km north, just outside the box
    best = make_helper(point=offset(ZURICH, north_m=100))
    corner = make_helper(point=offset(ZURICH, north_m=850, east_m=850))
    north = make_helper(point=offset(ZURICH, north_m=1_100))

    # When the walk ranks them for one place, with fairness on
    ranking = rank(
        category_id=category().pk,
        center=ZURICH,
        radius_km=5,
        limit=1,
        offers_today=lambda helper_ids: {best.pk: 2},
        now=timezone.now(),
    )

    # Then the corner, seen in the first ring but farther than it covered, did not fill the
    # band: the helper north, nearer and found by the next ring, is asked
    assert _ids(ranking.chosen) == [north.pk]
    assert ranking.reason(corner.pk) == RANKED_BELOW
