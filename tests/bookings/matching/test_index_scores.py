"""The match index's stored scores: computed under the ranking settings the index records, used
to leave helpers out only while the settings agree, and rebuilt when they change."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from bookings.matching.index import (
    IndexProblem,
    match_index_check,
    match_index_refresh,
    stored_scores_usable,
)
from bookings.matching.ranking import rank
from bookings.matching.scoring import Weights
from bookings.models import UNKNOWN_STATIC_SCORE, MatchEntry, MatchIndexState
from helpers.models import HelperProfile
from tests.factories import ZURICH, category, make_helper, offset

pytestmark = pytest.mark.django_db


def _expected_static(helper: HelperProfile) -> float:
    helper.refresh_from_db()
    return Weights.current().static_score(
        rating_sum=helper.rating_sum,
        rating_count=helper.rating_count,
        completed=helper.completed_visits,
        cancellations_caused=helper.cancellations_caused,
        no_shows_caused=helper.no_shows_caused,
        offers_answered=helper.offers_accepted + helper.offers_declined,
        offers_expired=helper.offers_expired,
        response_seconds_total=helper.response_seconds_total,
    )


def _stored(helper: HelperProfile) -> float:
    return MatchEntry.objects.get(helper=helper).static_score


def _scenario() -> tuple[HelperProfile, HelperProfile]:
    """20 helpers without reviews 300 to 500 m away, and one 3 km away with two 5★ reviews:
    under a weak rating prior those two reviews make up for the distance."""
    near = [make_helper(point=offset(ZURICH, east_m=300 + 10 * i), radius_km=25) for i in range(20)]
    newcomer = make_helper(point=offset(ZURICH, east_m=-3_000), rating=(2, 10), radius_km=25)
    return near[0], newcomer


def test_the_first_refresh_records_the_settings_and_rows_store_their_score() -> None:
    # Given an index without any settings yet
    assert not MatchIndexState.objects.exists()

    # When a helper is indexed
    steady, newcomer = _scenario()

    # Then the index records this process's ranking settings, and each row holds the rating
    # and reliability part of the score computed under them
    assert MatchIndexState.objects.get().static_key == Weights.current().static_key()
    assert _stored(steady) == _expected_static(steady)
    assert _stored(newcomer) == _expected_static(newcomer)
    assert stored_scores_usable(Weights.current())


def test_other_ranking_settings_neither_use_nor_write_the_stored_scores(
    quartier_settings, monkeypatch
) -> None:
    # Given the helpers indexed under the default prior (weight 5), under which the near ones
    # rank first: the far newcomer's two 5★ reviews are pulled towards 4★ (4.29★)
    quartier_settings(FAIRNESS_MARGIN=0.0, FAIRNESS_NEW_HELPER_BONUS=0.0)
    steady, newcomer = _scenario()
    stored_newcomer = _stored(newcomer)
    ranking = rank(category_id=category().pk, center=ZURICH, radius_km=25, limit=1)
    assert [s.row.helper_id for s in ranking.chosen] == [steady.pk]

    # When the prior weight drops to 0.5, so two 5★ reviews make 4.8★
    quartier_settings(RATING_PRIOR_WEIGHT=0.5)

    # Then the stored scores are not used: rank computes each helper's score in the database
    # and finds the far newcomer, who now ranks first (0.925 against 0.917)
    assert not stored_scores_usable(Weights.current())
    ranking = rank(category_id=category().pk, center=ZURICH, radius_km=25, limit=1)
    assert [s.row.helper_id for s in ranking.chosen] == [newcomer.pk]

    # (whereas trusting the old stored scores would have left the newcomer out in the database:
    # 0.446 stored + 0.44 for 3 km cannot reach 0.917)
    with monkeypatch.context() as patched:
        patched.setattr(
            "bookings.matching.ranking.stored_scores_usable", lambda weights, using="": True
        )
        trusted = rank(category_id=category().pk, center=ZURICH, radius_km=25, limit=1)
    assert [s.row.helper_id for s in trusted.chosen] == [steady.pk]
    assert newcomer.pk not in {row.helper_id for row, _, _ in trusted.looked_at}

    # And a refresh under these settings stores the unknown score, above any, not its own
    match_index_refresh(helper_ids=[steady.pk])
    assert _stored(steady) == UNKNOWN_STATIC_SCORE
    assert _stored(newcomer) == stored_newcomer

    # And the check names the one problem, comparing the rows without their scores
    assert match_index_check() == [IndexProblem(0, 0, "other_settings")]


def test_check_fix_rebuilds_the_index_under_the_current_settings(quartier_settings) -> None:
    # Given helpers indexed under the default settings, which then change
    steady, newcomer = _scenario()
    quartier_settings(RATING_PRIOR_WEIGHT=0.5)

    # When the check runs, then with --fix
    stdout = io.StringIO()
    with pytest.raises(CommandError):
        call_command("match_index_check", stdout=stdout, stderr=io.StringIO())
    assert "  the whole index: other_settings" in stdout.getvalue().splitlines()
    stdout = io.StringIO()
    call_command("match_index_check", fix=True, stdout=stdout, stderr=io.StringIO())

    # Then the whole index was rebuilt under the new settings, whose scores rank now uses
    assert "Fixed: rebuilt the whole index under the current ranking settings." in (
        stdout.getvalue()
    )
    assert MatchIndexState.objects.get().static_key == Weights.current().static_key()
    assert _stored(steady) == _expected_static(steady)
    assert _stored(newcomer) == _expected_static(newcomer)
    assert stored_scores_usable(Weights.current())
    assert match_index_check() == []
