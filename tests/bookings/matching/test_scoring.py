"""The score's one definition (`scoring.Weights`): its reliability term, and its static part in
SQL, which must equal the Python score on every row the searches read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.db import connection
from django.utils import timezone

from bookings.matching.protocol import TABLE
from bookings.matching.scoring import Weights
from bookings.matching.search import spatial_index
from tests.bookings.matching.world import World, make_some_new, rows_as_searched, static_score


@pytest.mark.django_db
def test_the_static_score_in_sql_equals_the_python_score_on_every_row(
    world: World, quartier_settings
) -> None:
    # Given a fifth of the helpers newly approved and a bonus for them
    quartier_settings(FAIRNESS_NEW_HELPER_BONUS=0.07, FAIRNESS_NEW_HELPER_VISITS=3)
    make_some_new(world, seed=5)
    now = timezone.now()
    new_since = now - timedelta(days=30)
    sql, params = Weights.current().static_sql(
        spatial_index().score_dialect, bonus=0.07, new_since=new_since, new_visits=3
    )
    for category_id in world.category_ids:
        # When the database computes the static score of every row the searches read
        if connection.vendor == "postgresql":
            select = f"SELECT id, {sql} FROM {TABLE} WHERE category_id = %s"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.execute(select, [*cast(list[Any], params), category_id])
                computed = dict(cursor.fetchall())
        else:
            cursor = connection.connection.cursor()
            cursor.execute(f"SELECT id, {sql} FROM match_rtree_{category_id}", params)  # noqa: S608
            computed = dict(cursor.fetchall())
        rows = rows_as_searched(category_id)

        # Then it is the score rank computes in Python, row by row, bonus included
        assert len(computed) == len(rows) > 100
        news = 0
        for row in rows:
            expected = static_score(row, bonus=0.07, new_since=new_since.timestamp(), new_visits=3)
            news += expected != static_score(
                row, bonus=0.0, new_since=new_since.timestamp(), new_visits=3
            )
            assert computed[row.entry_id] == pytest.approx(expected, abs=1e-12), row
        assert news > 10


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
    base = {
        "completed": 0,
        "cancellations_caused": 0,
        "no_shows_caused": 0,
        "offers_answered": 0,
        "offers_expired": 0,
        "response_seconds_total": 0,
    }
    reliability = Weights.current().reliability(**{**base, **figures})
    assert reliability == pytest.approx(expected, abs=1e-12)
