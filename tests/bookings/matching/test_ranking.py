"""The composite ranking (`ranking.rank`): exact against a brute force that scores every helper,
stopping early, leaving out in the database who cannot score enough, and fair.

The same tests run on SQLite and on PostgreSQL; the world of helpers and the brute force are in
world.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from bookings.matching import postgres
from bookings.matching.index import match_index_refresh
from bookings.matching.protocol import Reach
from bookings.matching.ranking import rank
from bookings.matching.search import rings
from bookings.matching.sqlite import SqliteIndex
from helpers.models import HelperProfile
from tests.bookings.matching.world import (
    World,
    brute_force_ranking,
    brute_force_rows,
    make_some_new,
    queries,
    rows_as_searched,
)
from tests.factories import ZURICH, category, make_helper, offset


@pytest.mark.django_db
def test_composite_ranking_equals_a_brute_force_score_over_every_helper(
    world: World, quartier_settings
) -> None:
    # Given fairness off, so the ranking is the plain composite score
    quartier_settings(FAIRNESS_MARGIN=0.0, FAIRNESS_NEW_HELPER_BONUS=0.0)
    for category_id, center, radius_m in queries(3, world, 25):
        # When the 10 best helpers are ranked by score
        ranking = rank(category_id=category_id, center=center, radius_km=radius_m / 1000, limit=10)

        # Then they are exactly the 10 best of a brute force that scores every helper
        best = brute_force_ranking(brute_force_rows(category_id), center, radius_m, limit=10)
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
    ranking = rank(category_id=category().pk, center=ZURICH, radius_km=25, limit=5)

    # Then they are the 5 nearest excellent helpers, and the walk stopped after its first batch
    # (the 12 near ones on SQLite's ring, PostGIS's first 18 nearest: the 16 it asks for and 2
    # to spare): from 300 m out, even a perfect helper would score below the fifth chosen one
    assert [s.row.helper_id for s in ranking.chosen] == [h.pk for h in near[:5]]
    assert postgres.knn_batch(16) == 18
    assert ranking.examined == (18 if connection.vendor == "postgresql" else 12)


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
        monkeypatch.setattr(SqliteIndex, "has_math", lambda self: False)
    if not stored:
        monkeypatch.setattr(
            "bookings.matching.ranking.stored_scores_usable", lambda weights, using="": False
        )
    quartier_settings(FAIRNESS_MARGIN=0.0, FAIRNESS_NEW_HELPER_BONUS=0.06)
    make_some_new(world, seed=11)
    now = timezone.now()
    new_since = (now - timedelta(days=30)).timestamp()
    # (recording the floors rank sends, so that the bound is known to have been at work)
    floors: list[float] = []

    def recording_rings(*args: Any, **kwargs: Any) -> Any:
        search = rings(*args, **kwargs)
        try:
            ring = next(search)
            while True:
                asked = yield ring
                if isinstance(asked, Reach) and asked.floor is not None:
                    floors.append(asked.floor)
                ring = search.send(asked)
        except StopIteration:
            return

    monkeypatch.setattr("bookings.matching.ranking.rings", recording_rings)
    for category_id, center, radius_m in queries(17, world, 25):
        # When the 8 best are ranked
        ranking = rank(
            category_id=category_id, center=center, radius_km=radius_m / 1000, limit=8, now=now
        )

        # Then they are the 8 best of a brute force over every helper, bonus included
        best = brute_force_ranking(
            rows_as_searched(category_id),
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
    match_index_refresh(helper_ids=[h.pk for h in poor])
    star = make_helper(point=offset(ZURICH, east_m=-2_000), rating=(200, 1000), radius_km=25)

    # When the 5 best are ranked within 25 km
    ranking = rank(category_id=category().pk, center=ZURICH, radius_km=25, limit=5)

    # Then the walk went out to where nobody could beat the fifth near helper (3.8 km), found
    # the excellent helper 2 km away, who comes first, and never had a poor one returned: even
    # at 1.5 km, a 1.9★ helper with 6 cancellations scores 0.60 against the fifth's 0.92
    assert [s.row.helper_id for s in ranking.chosen] == [star.pk] + [h.pk for h in near[:4]]
    looked_at = {row.helper_id for row, _, _ in ranking.looked_at}
    assert not looked_at & {h.pk for h in poor}
    assert ranking.chosen[-1].ranking == pytest.approx(0.5 * (1 - 30 / 25_000) + 0.425, abs=1e-5)


def _twins(count: int) -> list[HelperProfile]:
    """Helpers equally good in every way, a few metres apart."""
    return [make_helper(point=offset(ZURICH, east_m=1_000 + index)) for index in range(count)]


@pytest.mark.django_db
def test_fairness_asks_the_equally_good_helper_with_fewer_offers_today_first() -> None:
    # Given three equally good helpers; the nearest already had 4 offers today, the next 1
    first, second, third = _twins(3)
    counts = {first.pk: 4, second.pk: 1}

    # When two are to be asked
    ranking = rank(
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

    ranking = rank(
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
    ranking = rank(
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
    match_index_refresh(helper_ids=[newcomer.pk])

    # When one helper is to be asked
    ranking = rank(category_id=category().pk, center=ZURICH, radius_km=5, limit=2)

    # Then the newcomer's bonus (0.05) outweighs the 300 m (0.5 · 300 / 5000 = 0.03 of score)
    assert [s.row.helper_id for s in ranking.chosen] == [newcomer.pk, established.pk]
    assert ranking.chosen[0].new_helper
    assert not ranking.chosen[1].new_helper
    assert ranking.chosen[0].ranking == pytest.approx(ranking.chosen[0].score + 0.05)

    # And without the bonus the nearer, established helper is first
    quartier_settings(FAIRNESS_NEW_HELPER_BONUS=0.0)
    ranking = rank(category_id=category().pk, center=ZURICH, radius_km=5, limit=2)
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
    match_index_refresh(helper_ids=[long_ago.pk, busy.pk])
    ranking = rank(category_id=category().pk, center=ZURICH, radius_km=5, limit=2)
    assert [s.new_helper for s in ranking.chosen] == [False, False]
