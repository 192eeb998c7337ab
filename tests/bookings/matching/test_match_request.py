"""Who is offered a help request, in which order, and how the search widens.

Time is frozen on a Tuesday morning, so the request window (Thursday 10:00–14:00, Swiss time)
and the helpers' weekly hours (06:00–23:00) never depend on when the suite runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from geopy.distance import geodesic

from backend.config import QuartierConfig
from backend.geo import Point
from backend.models import User
from backend.services import user_set_active
from bookings import services
from bookings.matching.explain import match_request
from bookings.models import HelpRequest, HelpRequestStatus, Offer, OfferStatus
from bookings.offer_summary import offer_summary
from helpers.models import ApprovalStatus, ExceptionKind, HelperProfile
from helpers.services import availability_exception_add, helper_profile_update
from tests.factories import (
    ZURICH,
    UserFactory,
    make_helper,
    offset,
    pending_offer,
    post_request,
)
from tests.worker import run_worker

ZURICH_TIME = ZoneInfo("Europe/Zurich")
FROZEN_AT = datetime(2027, 2, 2, 9, 0, tzinfo=ZURICH_TIME)  # a Tuesday
WINDOW_START = datetime(2027, 2, 4, 10, 0, tzinfo=ZURICH_TIME)  # Thursday, next_slot_start()
WINDOW_END = WINDOW_START + timedelta(hours=4)
NEAR = offset(ZURICH, east_m=1_000)

TOWNS = {
    "Aarau": Point(47.3925, 8.0442),
    "Basel": Point(47.5596, 7.5886),
    "Bern": Point(46.9480, 7.4474),
    "Lausanne": Point(46.5197, 6.6323),
    "Luzern": Point(47.0502, 8.3093),
    "Olten": Point(47.3500, 7.9033),
    "Solothurn": Point(47.2088, 7.5323),
    "Winterthur": Point(47.4997, 8.7241),
    "Zug": Point(47.1662, 8.5155),
    "Zürich": Point(47.3769, 8.5417),
}


@pytest.fixture
def frozen_time():
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


def geodesic_m(a: Point, b: Point) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters


def offered(help_request: HelpRequest) -> list[tuple[int, int, str]]:
    """(helper, rank, status) of every offer of the request, by rank."""
    return list(
        Offer.objects.filter(help_request=help_request)
        .order_by("rank")
        .values_list("helper_id", "rank", "status")
    )


# --- Eligibility: one broken rule each ---------------------------------------------------------


def _applied(customer: User) -> HelperProfile:
    return make_helper(point=NEAR, approval=ApprovalStatus.APPLIED)


def _suspended(customer: User) -> HelperProfile:
    return make_helper(point=NEAR, approval=ApprovalStatus.SUSPENDED)


def _not_accepting_jobs(customer: User) -> HelperProfile:
    helper = make_helper(point=NEAR)
    return helper_profile_update(helper=helper, is_accepting_jobs=False)


def _inactive_user(customer: User) -> HelperProfile:
    helper = make_helper(point=NEAR)
    user_set_active(user=helper.user, is_active=False)
    return helper


def _lacks_the_skill(customer: User) -> HelperProfile:
    return make_helper(point=NEAR, skills=("tv-streaming",))


def _own_radius_too_small(customer: User) -> HelperProfile:
    # Both are 8 km away; the search widens to 10 km and finds the control (radius 10).
    return make_helper(point=offset(ZURICH, east_m=8_000), radius_km=5)


def _beyond_search_radius(customer: User) -> HelperProfile:
    # 7 km away with a 10 km radius: only a widened search would reach them.
    return make_helper(point=offset(ZURICH, east_m=7_000))


def _no_shared_language(customer: User) -> HelperProfile:
    return make_helper(point=NEAR, languages=("fr", "it"))


def _no_weekly_hours_in_window(customer: User) -> HelperProfile:
    return make_helper(point=NEAR, weekly=((time(6, 0), time(9, 0)), (time(15, 0), time(23, 0))))


def _unavailable_exception(customer: User) -> HelperProfile:
    helper = make_helper(point=NEAR)
    availability_exception_add(
        helper=helper,
        kind=ExceptionKind.UNAVAILABLE,
        starts_at=WINDOW_START - timedelta(hours=1),
        ends_at=WINDOW_END + timedelta(hours=1),
        note="holiday",
    )
    return helper


def _confirmed_visit_covers_window(customer: User) -> HelperProfile:
    helper = make_helper(point=NEAR)
    other_customer = cast(User, UserFactory())
    other_request = post_request(other_customer, start=WINDOW_START, hours=4)
    booking = services.offer_accept(offer=pending_offer(other_request, helper), actor=helper.user)
    booking = services.booking_propose(
        booking=booking, actor=helper.user, slots=[services.SlotInput(WINDOW_START, WINDOW_END)]
    )
    services.booking_confirm(
        booking=booking, actor=other_customer, proposal=booking.proposals.get()
    )
    return helper


RULE_BREAKERS: dict[str, Callable[[User], HelperProfile]] = {
    "approval applied": _applied,
    "approval suspended": _suspended,
    "not accepting jobs": _not_accepting_jobs,
    "user inactive": _inactive_user,
    "lacks the skill": _lacks_the_skill,
    "own service radius does not reach": _own_radius_too_small,
    "beyond the search radius": _beyond_search_radius,
    "no shared language": _no_shared_language,
    "no weekly hours in the window": _no_weekly_hours_in_window,
    "unavailable exception covers the window": _unavailable_exception,
    "confirmed visit covers the window": _confirmed_visit_covers_window,
}


@pytest.mark.django_db
@pytest.mark.parametrize("rule", RULE_BREAKERS)
def test_a_helper_breaking_one_rule_is_not_offered_but_the_control_is(rule, frozen_time):
    # Given a control helper and one who differs from it only by breaking `rule`
    customer = UserFactory()
    control_point = offset(ZURICH, east_m=8_000) if "own service radius" in rule else NEAR
    control = make_helper(point=control_point)
    breaker = RULE_BREAKERS[rule](customer)

    # When the customer asks for help
    help_request = post_request(customer, point=ZURICH)

    # Then only the control is offered the job
    assert offered(help_request) == [(control.pk, 1, OfferStatus.PENDING)]
    assert breaker.pk != control.pk


@pytest.mark.django_db
def test_a_customer_who_is_also_a_helper_is_not_offered_their_own_request(frozen_time):
    # Given a control helper, and a customer who is an approved, eligible helper too
    control = make_helper(point=NEAR)
    customer_as_helper = make_helper(point=NEAR)

    # When that customer asks for help
    help_request = post_request(customer_as_helper.user, point=ZURICH)

    # Then only the control is offered the job
    assert offered(help_request) == [(control.pk, 1, OfferStatus.PENDING)]


# --- Ranking and explanation -------------------------------------------------------------------


def expected_score(*, distance_m: float, radius_km: float, rating: tuple[int, int]) -> float:
    """The score formula of bookings.matching.scoring, restated: closeness, Bayesian rating, reliability
    (1.0 for a helper who never broke a commitment)."""
    config: QuartierConfig = settings.QUARTIER
    count, total = rating
    bayesian = (config.rating_prior_weight * config.rating_prior_mean + total) / (
        config.rating_prior_weight + count
    )
    closeness = max(0.0, 1.0 - distance_m / (radius_km * 1000.0))
    return (
        config.score_weight_distance * closeness
        + config.score_weight_rating * (bayesian - 1.0) / 4.0
        + config.score_weight_reliability * 1.0
    )


@pytest.mark.django_db
def test_at_equal_rating_the_nearer_helper_ranks_first(frozen_time):
    # Given two helpers with the same rating; the farther one registered first
    farther = make_helper(point=offset(ZURICH, east_m=3_000), rating=(4, 18))
    nearer = make_helper(point=offset(ZURICH, east_m=1_000), rating=(4, 18))

    # When the customer asks for help
    help_request = post_request(UserFactory(), point=ZURICH)

    # Then the nearer helper is ranked first
    assert offered(help_request) == [
        (nearer.pk, 1, OfferStatus.PENDING),
        (farther.pk, 2, OfferStatus.PENDING),
    ]


@pytest.mark.django_db
def test_a_much_better_rating_beats_a_slightly_nearer_helper(frozen_time):
    # Given a new helper at 1.0 km, a 5★ helper (20 reviews) at 1.5 km and a 2★ helper at 0.5 km
    helpers = {
        "new": (make_helper(point=offset(ZURICH, east_m=1_000)), (0, 0)),
        "excellent": (make_helper(point=offset(ZURICH, east_m=1_500), rating=(20, 100)), (20, 100)),
        "poor": (make_helper(point=offset(ZURICH, east_m=500), rating=(10, 20)), (10, 20)),
    }

    # When the customer asks for help (all three lie within the first 5 km)
    help_request = post_request(UserFactory(), point=ZURICH)

    # Then the offers follow the score formula: excellent, new, poor
    scores = {
        name: expected_score(
            distance_m=geodesic_m(ZURICH, Point(h.user.home_latitude, h.user.home_longitude)),
            radius_km=5.0,
            rating=rating,
        )
        for name, (h, rating) in helpers.items()
    }
    order = sorted(scores, key=lambda name: -scores[name])
    assert order == ["excellent", "new", "poor"]
    assert offered(help_request) == [
        (helpers[name][0].pk, rank, OfferStatus.PENDING) for rank, name in enumerate(order, 1)
    ]
    stored = dict(Offer.objects.filter(help_request=help_request).values_list("helper_id", "score"))
    for name, (helper, _) in helpers.items():
        assert stored[helper.pk] == pytest.approx(scores[name], abs=1e-12)


@pytest.mark.django_db
def test_every_offer_explains_itself(frozen_time):
    # Given a new helper 2.3 km east who speaks German and French
    helper = make_helper(point=offset(ZURICH, east_m=2_300), languages=("de", "fr"))
    helper_point = Point(helper.user.home_latitude, helper.user.home_longitude)

    # When a customer speaking German and English asks for help at Zürich HB
    help_request = post_request(UserFactory(languages=["de", "en"]), point=ZURICH)

    # Then the offer carries the exact geodesic distance and a readable explanation
    offer = Offer.objects.get(help_request=help_request)
    distance = geodesic_m(ZURICH, helper_point)
    score = expected_score(distance_m=distance, radius_km=5.0, rating=(0, 0))
    assert offer.distance_m == round(distance)
    assert offer.explanation == {
        "distance_m": round(distance),
        "search_radius_km": 5.0,
        "service_radius_km": 10,
        "rating_average": None,
        "rating_count": 0,
        "bayesian_rating": 4.0,
        "reliability": 1.0,
        "category": "internet-wifi",
        "shared_languages": ["de"],
        "free_from": offer.explanation["free_from"],
        "free_until": offer.explanation["free_until"],
        "score": round(score, 4),
    }
    # Figures and codes only: the summary is written when it is read, in the reader's language.
    assert offer_summary(offer) == (
        "2.3 km, new helper, skilled in Internet & Wi-Fi, speaks German, free Thu 04.02. 10:00"
    )
    assert datetime.fromisoformat(offer.explanation["free_from"]) == WINDOW_START
    assert datetime.fromisoformat(offer.explanation["free_until"]) == WINDOW_START + timedelta(
        hours=1
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("customer_town", "within_50_km"),
    [
        ("Olten", {"Aarau", "Basel", "Luzern", "Olten", "Solothurn", "Zürich"}),
        ("Zürich", {"Aarau", "Luzern", "Olten", "Winterthur", "Zug", "Zürich"}),
    ],
)
def test_distances_are_exact_wgs84_geodesics(customer_town, within_50_km, frozen_time):
    # Given helpers in town centres across Switzerland, each willing to travel 50 km
    helpers = {town: make_helper(point=point, radius_km=50) for town, point in TOWNS.items()}
    customer_point = TOWNS[customer_town]
    help_request = post_request(UserFactory(), point=customer_point)

    # When the candidates within 50 km are looked up
    candidates = match_request(
        help_request=help_request, radius_km=50, limit=len(TOWNS), now=timezone.now()
    ).candidates

    # Then exactly the towns within 50 km are found, each at geopy's geodesic distance
    towns_by_helper = {helper.pk: town for town, helper in helpers.items()}
    found = {towns_by_helper[c.helper_id]: c.distance_m for c in candidates}
    assert set(found) == within_50_km
    assert within_50_km == {
        town for town, point in TOWNS.items() if geodesic_m(customer_point, point) <= 50_000
    }
    for town, distance_m in found.items():
        assert abs(distance_m - geodesic_m(customer_point, TOWNS[town])) <= 1e-6
    assert found[customer_town] == 0.0


# --- Offers: batch size, widening, unmatched, decline ------------------------------------------


@pytest.mark.django_db
def test_only_the_best_k_helpers_are_offered(frozen_time, quartier_settings):
    # Given five eligible helpers 0.5 to 2.5 km away, and batches of three
    quartier_settings(OFFER_BATCH_SIZE=3)
    helpers = [make_helper(point=offset(ZURICH, east_m=500 * n)) for n in range(1, 6)]

    # When the customer asks for help
    help_request = post_request(UserFactory(), point=ZURICH)

    # Then the three nearest get an offer that expires after OFFER_TTL_MINUTES
    assert offered(help_request) == [
        (helper.pk, rank, OfferStatus.PENDING) for rank, helper in enumerate(helpers[:3], 1)
    ]
    assert set(Offer.objects.values_list("round", "expires_at")) == {
        (1, FROZEN_AT + timedelta(minutes=30))
    }
    assert [HelperProfile.objects.get(pk=helper.pk).offers_received for helper in helpers] == [
        1,
        1,
        1,
        0,
        0,
    ]
    # The offers' expiry, and the relay that sends them to the helpers' sockets and phones.
    tasks = DBTaskResult.objects.values_list("task_path", "args_kwargs", "run_after")
    assert list(tasks.exclude(task_path="backend.tasks.relay_events")) == [
        (
            "bookings.tasks.expire_offers",
            {"args": [help_request.pk], "kwargs": {}},
            FROZEN_AT + timedelta(minutes=30),
        )
    ]
    assert tasks.filter(task_path="backend.tasks.relay_events").count() == 1


@pytest.mark.django_db
def test_the_search_widens_step_by_step_until_someone_is_in_reach(frozen_time, quartier_settings):
    # Given only one helper, 12 km away with a 20 km radius; the search starts at 5 km
    quartier_settings(MATCH_INITIAL_RADIUS_KM=5.0, MATCH_RADIUS_STEP_KM=5.0)
    helper = make_helper(point=offset(ZURICH, east_m=12_000), radius_km=20)

    # When the customer asks for help
    help_request = post_request(UserFactory(), point=ZURICH)

    # Then the search widened 5 → 10 → 15 km and the helper is offered the job
    help_request.refresh_from_db()
    assert (help_request.status, help_request.search_radius_km, help_request.matching_round) == (
        HelpRequestStatus.OPEN,
        15.0,
        1,
    )
    assert offered(help_request) == [(helper.pk, 1, OfferStatus.PENDING)]
    assert Offer.objects.get().explanation["search_radius_km"] == 15.0


@pytest.mark.django_db
def test_nobody_eligible_leaves_the_request_unmatched(frozen_time):
    # Given one helper, but 30 km away (beyond the largest search radius of 25 km)
    make_helper(point=offset(ZURICH, east_m=30_000), radius_km=50)

    # When the customer asks for help
    help_request = post_request(UserFactory(), point=ZURICH)

    # Then the request is unmatched, says why, and nobody was offered it
    help_request.refresh_from_db()
    assert (
        help_request.status,
        help_request.status_reason,
        help_request.search_radius_km,
        help_request.matching_round,
    ) == (
        HelpRequestStatus.UNMATCHED,
        "No helper is available within 25 km in your time windows.",
        settings.QUARTIER.match_max_radius_km,
        0,
    )
    assert offered(help_request) == []


# The worker closes "old" database connections between tasks, which a test transaction
# would not survive: tests that run it commit for real and restore the database afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_decline_offers_the_job_to_the_next_helper_then_widens(frozen_time, quartier_settings):
    # Given helpers at 0.5 and 1 km and one at 12 km (radius 20); one offer at a time
    quartier_settings(OFFER_BATCH_SIZE=1)
    first = make_helper(point=offset(ZURICH, east_m=500))
    second = make_helper(point=offset(ZURICH, east_m=1_000))
    far = make_helper(point=offset(ZURICH, east_m=12_000), radius_km=20)
    help_request = post_request(UserFactory(), point=ZURICH)
    assert offered(help_request) == [(first.pk, 1, OfferStatus.PENDING)]

    # When the first helper declines
    services.offer_decline(
        offer=pending_offer(help_request, first), actor=first.user, reason="not_available"
    )

    # Then a dispatch task waits for the worker, and nobody else is offered the job yet
    assert list(
        DBTaskResult.objects.ready()
        .filter(task_path="bookings.tasks.dispatch_offers")
        .values_list("args_kwargs", flat=True)
    ) == [{"args": [help_request.pk], "kwargs": {}}]
    assert offered(help_request) == [(first.pk, 1, OfferStatus.DECLINED)]

    # When the worker runs, the second helper gets the offer
    run_worker()
    assert offered(help_request) == [
        (first.pk, 1, OfferStatus.DECLINED),
        (second.pk, 2, OfferStatus.PENDING),
    ]

    # And when the second declines too, the search widens to reach the far helper
    services.offer_decline(offer=pending_offer(help_request, second), actor=second.user)
    run_worker()
    assert offered(help_request) == [
        (first.pk, 1, OfferStatus.DECLINED),
        (second.pk, 2, OfferStatus.DECLINED),
        (far.pk, 3, OfferStatus.PENDING),
    ]
    help_request.refresh_from_db()
    assert (help_request.search_radius_km, help_request.matching_round) == (15.0, 3)
    assert HelperProfile.objects.get(pk=first.pk).offers_declined == 1


# --- Fairness through the service ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_equally_good_helper_with_fewer_offers_today_is_asked_and_told_why(
    frozen_time, quartier_settings
):
    # Given a helper who was offered two jobs this morning, then an equally good newcomer
    # 50 m farther away
    quartier_settings(OFFER_BATCH_SIZE=1, FAIRNESS_MARGIN=0.05)
    busy = make_helper(point=offset(ZURICH, east_m=1_000))
    for _ in range(2):
        assert pending_offer(post_request(UserFactory(), point=ZURICH), busy) is not None
    idle = make_helper(point=offset(ZURICH, east_m=1_050))
    before = Offer.objects.filter(helper=busy).count()

    # When a customer at Zürich HB asks for help, one helper at a time
    help_request = post_request(UserFactory(), point=ZURICH)

    # Then the idle helper is asked, and the offer says it was for fairness
    assert offered(help_request) == [(idle.pk, 1, OfferStatus.PENDING)]
    explanation = Offer.objects.get(help_request=help_request).explanation
    assert explanation["offers_today"] == 0
    assert explanation["chosen_over_busier"] == 1
    assert Offer.objects.filter(helper=busy).count() == before

    # And the manager's record says why the busier, nearer helper was not asked
    run = help_request.matching_runs.get()
    assert [(c["helper_id"], c["offered"], c["reason"]) for c in run.considered] == [
        (idle.pk, True, "offered"),
        (busy.pk, False, "ranked below the helpers offered"),
    ]
    assert run.examined_count == 2
