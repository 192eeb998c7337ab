"""Fairness (`ranking.fair_choice`): whom to ask among helpers whose scores lie within the margin.

The rule on small hand-made pools, with exact orderings, against a brute force over every set of
helpers that keeps the bound (no helper left out scores more than the margin above a helper
chosen); then through `rank` on real helpers, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Sequence

import pytest

from bookings.matching.protocol import IndexRow
from bookings.matching.ranking import Scored, fair_choice, rank
from tests.factories import ZURICH, category, make_helper, offset


def _pool(
    *rankings: float, distances_m: Sequence[float] = (), new: Sequence[int] = ()
) -> list[Scored]:
    """Helpers 1, 2, … with these rankings, best first as `rank` hands them over; helper i is
    100·i m away unless `distances_m` says otherwise, and a newcomer when in `new`."""
    scored = [
        Scored(
            row=IndexRow(helper_id, helper_id, 47.0, 8.0, 10, 1),
            distance_m=distances_m[helper_id - 1] if distances_m else 100.0 * helper_id,
            rating=4.0,
            reliable=1.0,
            score=value,
            new_helper=helper_id in new,
            ranking=value,
        )
        for helper_id, value in enumerate(rankings, start=1)
    ]
    return sorted(scored, key=lambda s: (-s.ranking, s.distance_m, s.row.helper_id))


def _ids(chosen: list[Scored]) -> list[int]:
    return [s.row.helper_id for s in chosen]


def _keeps_the_bound(band: list[Scored], chosen: list[Scored], margin: float) -> bool:
    left_out = [s for s in band if s not in chosen]
    return all(u.ranking <= c.ranking + margin for u in left_out for c in chosen)


def _total(chosen: Sequence[Scored], counts: dict[int, int]) -> tuple[int, int, float]:
    """Offers today, helpers who are not newcomers, and metres, between those chosen."""
    return (
        sum(counts.get(s.row.helper_id, 0) for s in chosen),
        sum(not s.new_helper for s in chosen),
        sum(s.distance_m for s in chosen),
    )


def test_the_fewest_offers_in_total_win_even_when_that_means_asking_the_best_helper() -> None:
    # Given 1.00 (5 offers today), 0.97 (3) and 0.94 (none), a margin of 0.05, two to ask
    band = _pool(1.00, 0.97, 0.94)
    counts = {1: 5, 2: 3}

    chosen = fair_choice(band, counts, limit=2, margin=0.05)

    # Then the idle 0.94 is asked with the best helper: leaving out 0.97 (0.03 above 0.94) keeps
    # the bound, and 5 offers between them beat 8. Asking 0.97 first, as a helper-by-helper
    # choice would, leaves only the best one beside it: 0.94 is more than 0.05 below 1.00.
    assert _ids(chosen) == [3, 1]


def test_a_helper_more_than_the_margin_above_everyone_else_is_always_asked() -> None:
    # Given a helper 0.08 above the rest with 9 offers today, the rest idle
    band = _pool(1.00, 0.92, 0.91, 0.90, 0.89)
    counts = {1: 9}

    chosen = fair_choice(band, counts, limit=2, margin=0.05)

    # Then they are asked, beside the best idle one; the idle ones below wait
    assert _ids(chosen) == [2, 1]


def test_with_nobody_offered_yet_the_best_helpers_are_asked_in_order() -> None:
    band = _pool(1.00, 0.99, 0.98, 0.97)
    assert _ids(fair_choice(band, {}, limit=3, margin=0.05)) == [1, 2, 3]


def test_equal_totals_go_to_the_better_scores_and_the_asked_are_ordered_fewest_first() -> None:
    # Given four helpers within the margin; 1 and 2 had one offer each, 3 and 4 none
    band = _pool(1.00, 0.99, 0.98, 0.97)
    counts = {1: 1, 2: 1}

    # Then the two idle ones are asked, the better first
    assert _ids(fair_choice(band, counts, limit=2, margin=0.05)) == [3, 4]
    # And of three, the third goes to the better of the two with one offer
    assert _ids(fair_choice(band, counts, limit=3, margin=0.05)) == [3, 4, 1]


def test_equal_scores_and_counts_go_to_the_nearer_helper_then_the_lower_id() -> None:
    band = _pool(0.9, 0.9, 0.9)
    assert _ids(fair_choice(band, {1: 2, 2: 1, 3: 1}, limit=1, margin=0.05)) == [2]
    assert _ids(fair_choice(band, {1: 1, 2: 1, 3: 1}, limit=2, margin=0.05)) == [1, 2]
    same_place = _pool(0.9, 0.9, distances_m=(500.0, 500.0))
    assert _ids(fair_choice(same_place, {}, limit=1, margin=0.05)) == [1]


def test_among_the_equally_good_with_as_many_offers_the_nearest_is_asked_not_the_best() -> None:
    # Given three idle helpers within the margin: the best 900 m away, the others 400 and 300 m
    band = _pool(1.00, 0.97, 0.96, distances_m=(900.0, 400.0, 300.0))

    # Then the two nearest are asked (the better first)
    assert _ids(fair_choice(band, {}, limit=2, margin=0.05)) == [2, 3]
    # And with a margin of 0.03 the best one must be asked too (0.04 above the third; the
    # second, left out, is 0.01 above the third), with the nearest
    assert _ids(fair_choice(band, {}, limit=2, margin=0.03)) == [1, 3]


def test_among_the_equally_good_with_as_many_offers_a_newcomer_goes_first() -> None:
    # Given three idle helpers within the margin; the farthest approved last week
    band = _pool(1.00, 0.99, 0.98, distances_m=(300.0, 400.0, 900.0), new=(3,))

    # Then the newcomer is asked, with the nearest
    assert _ids(fair_choice(band, {}, limit=2, margin=0.05)) == [1, 3]
    # But not before an established helper with fewer offers today
    assert _ids(fair_choice(band, {3: 1}, limit=2, margin=0.05)) == [1, 2]


def test_fewer_helpers_than_places_are_all_asked() -> None:
    band = _pool(1.00, 0.90)
    assert _ids(fair_choice(band, {1: 3}, limit=3, margin=0.05)) == [2, 1]
    assert fair_choice([], {}, limit=3, margin=0.05) == []


def test_the_choice_is_the_least_offers_any_choice_within_the_bound_allows() -> None:
    # Given 400 random pools of 1 to 8 helpers, their scores, distances, offers today and who
    # is a newcomer drawn at random
    rng = random.Random(20261204)
    for _ in range(400):
        size = rng.randint(1, 8)
        band = _pool(
            *(round(rng.uniform(0.80, 1.00), 3) for _ in range(size)),
            distances_m=[rng.choice((300.0, 600.0, 900.0, 1200.0)) for _ in range(size)],
            new=[i for i in range(1, size + 1) if rng.random() < 0.2],
        )
        counts = {s.row.helper_id: rng.randint(0, 4) for s in band}
        limit, margin = rng.randint(1, 4), rng.choice((0.02, 0.05, 0.1))

        chosen = fair_choice(band, counts, limit=limit, margin=margin)

        # Then as many as asked for (or everyone), no helper left out scoring more than the
        # margin above one chosen, and no set that keeps the bound has fewer offers in total,
        # or as few and more newcomers, or as many and a shorter way in total
        assert len(chosen) == min(limit, size)
        assert _keeps_the_bound(band, chosen, margin)
        allowed = [
            subset
            for subset in itertools.combinations(band, len(chosen))
            if _keeps_the_bound(band, list(subset), margin)
        ]
        assert _total(chosen, counts) == min(_total(subset, counts) for subset in allowed)
        # And ordered fewest offers today first, then best first
        keys = [(counts[s.row.helper_id], -s.ranking) for s in chosen]
        assert keys == sorted(keys)


def _fair_choice_by_sorting_anew(
    band: Sequence[Scored], counts: dict[int, int], *, limit: int, margin: float
) -> list[Scored]:
    """The choice as `fair_choice` first made it, sorting those in between anew for each helper
    tried as the lowest: what the faster one must answer, helper for helper."""
    wanted = min(limit, len(band))
    if wanted == 0:
        return []
    keys = [
        (counts.get(s.row.helper_id, 0), not s.new_helper, s.distance_m, s.row.helper_id)
        for s in band
    ]

    def cost(picked: list[int]) -> tuple[int, int, float]:
        return (
            sum(keys[i][0] for i in picked),
            sum(keys[i][1] for i in picked),
            sum(keys[i][2] for i in picked),
        )

    best_picked = list(range(wanted))
    best_cost = cost(best_picked)
    above = 0
    for lowest in range(wanted, len(band)):
        while band[above].ranking > band[lowest].ranking + margin:
            above += 1
        if above > wanted - 1:
            break
        between = heapq.nsmallest(wanted - 1 - above, range(above, lowest), key=keys.__getitem__)
        picked = [*range(above), *between, lowest]
        if cost(picked) < best_cost:
            best_picked, best_cost = picked, cost(picked)
    return [band[i] for i in sorted(best_picked, key=lambda i: (keys[i][0], i))]


def test_the_choice_is_the_same_helper_for_helper_in_large_pools() -> None:
    # Given 300 random pools of up to 120 helpers, with many equal scores, distances and counts
    rng = random.Random(20261207)
    for _ in range(300):
        size = rng.randint(1, 120)
        band = _pool(
            *(round(rng.uniform(0.85, 1.00), 2) for _ in range(size)),
            distances_m=[rng.choice((300.0, 600.0, 900.1, 1200.7)) for _ in range(size)],
            new=[i for i in range(1, size + 1) if rng.random() < 0.2],
        )
        counts = {s.row.helper_id: rng.randint(0, 3) for s in band if rng.random() < 0.7}
        limit, margin = rng.randint(1, 6), rng.choice((0.0, 0.02, 0.05, 0.1))

        # Then the same helpers, in the same order, as sorting anew for each one tried
        assert fair_choice(band, counts, limit=limit, margin=margin) == (
            _fair_choice_by_sorting_anew(band, counts, limit=limit, margin=margin)
        )


class _CountedDistance(float):
    """A distance that counts how often the choice compares it with another: the work the
    choice does, counted rather than timed (a shared machine's clock says little)."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        _CountedDistance.compared += 1
        return float(self) == other

    def __lt__(self, other: float) -> bool:
        _CountedDistance.compared += 1
        return float(self) < other

    __hash__ = float.__hash__


def test_a_band_of_thousands_of_equally_good_helpers_is_chosen_from_at_once() -> None:
    # Given 2,000 helpers within the margin of each other (a dense city at national scale), most
    # with offers today
    rng = random.Random(7)
    size = 2000
    band = _pool(
        *(round(rng.uniform(0.95, 1.00), 4) for _ in range(size)),
        distances_m=[_CountedDistance(rng.uniform(100.0, 9000.0)) for _ in range(size)],
    )
    counts = {s.row.helper_id: rng.randint(1, 3) for s in band}
    counts[band[-1].row.helper_id] = 0

    _CountedDistance.compared = 0
    chosen = fair_choice(band, counts, limit=3, margin=0.075)
    compared = _CountedDistance.compared

    # Then the idle one is asked, with work that grows as the band times its logarithm (about
    # 50 comparisons a helper here), not with its square (sorting those in between anew for
    # each helper tried compared each distance about 2,000 times)
    assert chosen[0] == band[-1]
    assert compared < 100 * size
    assert chosen == _fair_choice_by_sorting_anew(band, counts, limit=3, margin=0.075)


# --- Through the ranking, on real helpers ----------------------------------------------------


@pytest.mark.django_db
def test_rank_asks_the_idle_helper_the_margin_allows_and_never_one_below_it(
    quartier_settings,
) -> None:
    # Given four equally rated helpers east of Zürich HB, within 5 km: every 100 m farther costs
    # 0.01 of score (0.5 · 100 / 5000). The nearest had 5 offers today, the next (300 m
    # farther) 3; the third (600 m farther) and the fourth (1.2 km farther) none
    quartier_settings(FAIRNESS_MARGIN=0.05, FAIRNESS_NEW_HELPER_BONUS=0.0)
    near = make_helper(point=offset(ZURICH, east_m=1_000))
    second = make_helper(point=offset(ZURICH, east_m=1_300))
    third = make_helper(point=offset(ZURICH, east_m=1_600))
    far = make_helper(point=offset(ZURICH, east_m=2_200))
    counts = {near.pk: 5, second.pk: 3}
    asked_about: list[int] = []

    def offers_today(ids: Sequence[int]) -> dict[int, int]:
        asked_about.extend(ids)
        return {pk: counts[pk] for pk in ids if pk in counts}

    # When two are to be asked
    ranking = rank(
        category_id=category().pk, center=ZURICH, radius_km=5, limit=2, offers_today=offers_today
    )

    # Then the idle third (0.03 below the second, left out) and the nearest are asked: 5 offers
    # between them, not 8; the idle fourth is 0.12 below the nearest and 0.09 below the second,
    # so it is not even looked up
    assert [s.row.helper_id for s in ranking.chosen] == [third.pk, near.pk]
    assert ranking.offers_today == {near.pk: 5, second.pk: 3}
    assert sorted(asked_about) == sorted([near.pk, second.pk, third.pk])
    assert ranking.reason(second.pk) == "ranked below the helpers offered"
    assert ranking.reason(far.pk) == "ranked below the helpers offered"
    scores = {row.helper_id: value for row, _, value in ranking.looked_at if value is not None}
    assert scores[near.pk] - scores[third.pk] == pytest.approx(0.06, abs=1e-3)
    assert scores[second.pk] - scores[third.pk] == pytest.approx(0.03, abs=1e-3)


@pytest.mark.django_db
def test_rank_with_a_wider_margin_leaves_out_the_busiest_helper(quartier_settings) -> None:
    # Given the same four helpers and a margin of 0.1
    quartier_settings(FAIRNESS_MARGIN=0.1, FAIRNESS_NEW_HELPER_BONUS=0.0)
    near = make_helper(point=offset(ZURICH, east_m=1_000))
    second = make_helper(point=offset(ZURICH, east_m=1_300))
    third = make_helper(point=offset(ZURICH, east_m=1_600))
    far = make_helper(point=offset(ZURICH, east_m=2_200))
    counts = {near.pk: 5, second.pk: 3}

    ranking = rank(
        category_id=category().pk,
        center=ZURICH,
        radius_km=5,
        limit=2,
        offers_today=lambda ids: {pk: counts[pk] for pk in ids if pk in counts},
    )

    # Then the third and the second (3 offers between them): the nearest, 0.06 above the
    # third, may now be left out. The idle fourth still may not: leaving out the nearest, 0.12
    # above it, would pass over a clearly better helper, and asking it beside the nearest
    # makes 5 offers
    assert [s.row.helper_id for s in ranking.chosen] == [third.pk, second.pk]
    assert ranking.offers_today == {near.pk: 5, second.pk: 3}
    assert ranking.reason(near.pk) == "ranked below the helpers offered"
    assert ranking.reason(far.pk) == "ranked below the helpers offered"


@pytest.mark.django_db
def test_rank_asks_the_nearer_of_two_idle_helpers_within_the_margin(quartier_settings) -> None:
    # Given a 4.9★ helper (40 reviews) 1.3 km away and one without reviews (4★ by the prior)
    # 1.0 km away, neither offered anything today
    quartier_settings(FAIRNESS_MARGIN=0.075, FAIRNESS_NEW_HELPER_BONUS=0.0)
    star = make_helper(point=offset(ZURICH, east_m=1_300), rating=(40, 200))
    plain = make_helper(point=offset(ZURICH, east_m=1_000))

    def ask_one() -> list[int]:
        ranking = rank(
            category_id=category().pk,
            center=ZURICH,
            radius_km=5,
            limit=1,
            offers_today=lambda ids: {},
        )
        scores = {row.helper_id: value for row, _, value in ranking.looked_at if value is not None}
        # (the rating is worth 0.067 more, the distance 0.03 less)
        assert scores[star.pk] - scores[plain.pk] == pytest.approx(0.0367, abs=1e-3)
        return [s.row.helper_id for s in ranking.chosen]

    # Then within a margin of 0.075 they are equally good, and the nearer one is asked
    assert ask_one() == [plain.pk]
    # And with a margin of 0.03 the better one is clearly better, and asked
    quartier_settings(FAIRNESS_MARGIN=0.03)
    assert ask_one() == [star.pk]
