"""Double-blind reviews, and reliability counted only against whoever caused a broken visit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from backend.exceptions import ValidationFailed
from backend.models import User
from bookings import selectors, services
from bookings.exceptions import AlreadyReviewed, ReviewWindowClosed, TooEarly
from bookings.models import (
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    OfferStatus,
    Party,
    Review,
)
from helpers.models import HelperProfile
from tests.factories import (
    ZURICH,
    ManagerFactory,
    make_booking,
    make_helper,
    offset,
)

ZURICH_TIME = ZoneInfo("Europe/Zurich")
T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZURICH_TIME)  # a Tuesday morning
WORKER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HELPER_COUNTERS = ("cancellations_caused", "late_cancellations_caused", "no_shows_caused")
CUSTOMER_COUNTERS = (
    "customer_cancellations_caused",
    "customer_late_cancellations_caused",
    "customer_no_shows_caused",
)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def run_worker() -> None:
    """Run the real django-tasks-db worker over every due task; no task may fail."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    assert list(DBTaskResult.objects.failed().values_list("task_path", "traceback")) == []


def helper_counters(booking: Booking) -> tuple[int, ...]:
    return HelperProfile.objects.values_list(*HELPER_COUNTERS).get(pk=booking.helper_id)


def customer_counters(booking: Booking) -> tuple[int, ...]:
    return User.objects.values_list(*CUSTOMER_COUNTERS).get(pk=booking.help_request.customer_id)


def helper_rating(booking: Booking) -> tuple[int, int]:
    return HelperProfile.objects.values_list("rating_count", "rating_sum").get(pk=booking.helper_id)


def customer_rating(booking: Booking) -> tuple[int, int]:
    return User.objects.values_list("customer_rating_count", "customer_rating_sum").get(
        pk=booking.help_request.customer_id
    )


def snapshot(booking: Booking) -> dict[str, Any]:
    """Everything a refused action must leave exactly as it was."""
    return {
        "booking": Booking.objects.values().get(pk=booking.pk),
        "events": list(BookingEvent.objects.filter(booking=booking).values_list("pk", flat=True)),
        "request": HelpRequest.objects.values().get(pk=booking.help_request_id),
        "offers": list(Offer.objects.order_by("pk").values_list("pk", "status")),
        "helper": helper_counters(booking),
        "customer": customer_counters(booking),
        "reviews": list(Review.objects.values_list("pk", "rating", "published_at")),
        "tasks": DBTaskResult.objects.count(),
    }


def dispatches_of(help_request: HelpRequest) -> int:
    return DBTaskResult.objects.filter(
        task_path="bookings.tasks.dispatch_offers", args_kwargs__args=[help_request.pk]
    ).count()


# --- Reviews ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reviews_are_double_blind_and_counted_only_when_published(clock):
    # Given a signed-off visit
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer, helper_user = booking.help_request.customer, booking.helper.user
    manager = ManagerFactory()

    # When the helper reviews the customer
    helper_review = services.review_submit(
        booking=booking, actor=helper_user, rating=4, text="Kind"
    )

    # Then only the helper (and the manager) can see it, and nothing is counted yet
    assert helper_review.published_at is None
    assert list(selectors.reviews_visible_to(customer, booking)) == []
    assert list(selectors.reviews_visible_to(helper_user, booking)) == [helper_review]
    assert list(selectors.reviews_visible_to(manager, booking)) == [helper_review]
    assert (helper_rating(booking), customer_rating(booking)) == ((0, 0), (0, 0))

    # When the customer reviews the helper too
    clock.shift(timedelta(hours=2))
    customer_review = services.review_submit(booking=booking, actor=customer, rating=5)

    # Then both are published at that moment and counted once each
    assert list(
        selectors.reviews_visible_to(customer, booking).values_list(
            "author_role", "rating", "published_at"
        )
    ) == [
        (ActorRole.HELPER, 4, T0 + timedelta(hours=2)),
        (ActorRole.CUSTOMER, 5, T0 + timedelta(hours=2)),
    ]
    assert customer_review.published_at == T0 + timedelta(hours=2)
    assert (helper_rating(booking), customer_rating(booking)) == ((1, 5), (1, 4))


@pytest.mark.django_db
@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_outside_one_to_five_is_refused(rating, clock):
    # Given a signed-off visit
    booking = make_booking(BookingStatus.SIGNED_OFF)
    before = snapshot(booking)

    # When the customer rates it out of range
    with pytest.raises(ValidationFailed) as refused:
        services.review_submit(booking=booking, actor=booking.help_request.customer, rating=rating)

    # Then it is refused and no review exists
    assert (refused.value.code, refused.value.status, list(refused.value.fields)) == (
        "invalid_rating",
        400,
        ["rating"],
    )
    assert snapshot(booking) == before
    assert Review.objects.count() == 0


@pytest.mark.django_db
def test_reviewing_twice_is_refused(clock):
    # Given a visit the customer already reviewed
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer = booking.help_request.customer
    first = services.review_submit(booking=booking, actor=customer, rating=2)
    before = snapshot(booking)

    # When they review it again
    with pytest.raises(AlreadyReviewed) as refused:
        services.review_submit(booking=booking, actor=customer, rating=5)

    # Then the first review stands alone
    assert (refused.value.code, refused.value.status) == ("already_reviewed", 409)
    assert snapshot(booking) == before
    assert list(Review.objects.values_list("pk", "rating")) == [(first.pk, 2)]


@pytest.mark.django_db
def test_reviews_close_seven_days_after_the_sign_off(clock):
    # Given a visit signed off at T0
    booking = make_booking(BookingStatus.SIGNED_OFF)
    assert booking.signed_off_at == T0
    before = snapshot(booking)

    # When the customer reviews it seven days and a second later
    clock.move_to(T0 + timedelta(days=7, seconds=1))
    with pytest.raises(ReviewWindowClosed) as refused:
        services.review_submit(booking=booking, actor=booking.help_request.customer, rating=5)

    # Then the window is closed and nothing was written
    assert (refused.value.code, refused.value.status) == ("review_window_closed", 409)
    assert snapshot(booking) == before


# --- Cancellations: who caused it pays --------------------------------------------------------


@pytest.mark.django_db
def test_a_late_customer_cancellation_counts_against_the_customer_only(clock):
    # Given a visit confirmed for 30 minutes from now
    booking = make_booking(BookingStatus.CONFIRMED)
    assert booking.starts_at == T0 + timedelta(minutes=30)

    # When the customer cancels it
    booking = services.booking_cancel(
        booking=booking, actor=booking.help_request.customer, reason="Fixed it myself"
    )

    # Then it is a late cancellation caused by the customer, and the helper is not blamed
    assert (booking.status, booking.caused_by, booking.is_late_cancellation) == (
        BookingStatus.CANCELLED,
        Party.CUSTOMER,
        True,
    )
    assert customer_counters(booking) == (1, 1, 0)
    assert helper_counters(booking) == (0, 0, 0)
    booking.help_request.refresh_from_db()
    assert booking.help_request.status == HelpRequestStatus.CLOSED
    assert dispatches_of(booking.help_request) == 0


@pytest.mark.django_db
def test_an_early_customer_cancellation_is_not_late(clock):
    # Given a visit confirmed for three days from now
    booking = make_booking(BookingStatus.CONFIRMED, start=T0 + timedelta(days=3))

    # When the customer cancels it
    booking = services.booking_cancel(
        booking=booking, actor=booking.help_request.customer, reason="Not needed"
    )

    # Then it counts as a cancellation, not a late one, and not against the helper
    assert (booking.caused_by, booking.is_late_cancellation) == (Party.CUSTOMER, False)
    assert customer_counters(booking) == (1, 0, 0)
    assert helper_counters(booking) == (0, 0, 0)


@WORKER_DB
def test_a_helper_cancellation_counts_against_the_helper_and_reopens_the_request(clock):
    # Given a visit confirmed for 30 minutes from now
    booking = make_booking(BookingStatus.CONFIRMED)
    helper_user = booking.helper.user
    # And another helper, who registered after the first one accepted
    other = make_helper(point=offset(ZURICH, east_m=800))

    # When the helper cancels it
    booking = services.booking_cancel(booking=booking, actor=helper_user, reason="I am ill")

    # Then it counts against the helper only
    assert (booking.status, booking.caused_by, booking.is_late_cancellation) == (
        BookingStatus.CANCELLED,
        Party.HELPER,
        True,
    )
    assert helper_counters(booking) == (1, 1, 0)
    assert customer_counters(booking) == (0, 0, 0)

    # And the request is open again, to be offered to someone else
    help_request = HelpRequest.objects.get(pk=booking.help_request_id)
    assert (help_request.status, help_request.assigned_helper_id) == (HelpRequestStatus.OPEN, None)
    assert dispatches_of(help_request) == 1

    # When the worker runs
    run_worker()

    # Then the other helper is offered the job and the one who cancelled is not offered it again
    assert list(
        Offer.objects.filter(help_request=help_request)
        .order_by("rank")
        .values_list("helper_id", "status")
    ) == [(booking.helper_id, OfferStatus.ACCEPTED), (other.pk, OfferStatus.PENDING)]


@WORKER_DB
def test_a_helper_who_lost_the_race_is_offered_the_job_again_after_a_cancellation(clock):
    # Given two helpers offered a request, the first of whom accepted and confirmed a visit
    first = make_helper(point=offset(ZURICH, east_m=200))
    second = make_helper(point=offset(ZURICH, east_m=800))
    booking = make_booking(BookingStatus.CONFIRMED, helper=first)
    help_request = booking.help_request
    assert Offer.objects.get(help_request=help_request, helper=second).status == "withdrawn"

    # When the first helper cancels and the worker runs
    services.booking_cancel(booking=booking, actor=first.user, reason="I am ill")
    run_worker()

    # Then the second helper, who never declined, is offered the job again
    help_request.refresh_from_db()
    assert help_request.status == HelpRequestStatus.OPEN
    assert list(
        Offer.objects.filter(help_request=help_request)
        .order_by("rank")
        .values_list("helper_id", "rank", "status")
    ) == [
        (first.pk, 1, OfferStatus.ACCEPTED),
        (second.pk, 2, OfferStatus.WITHDRAWN),
        (second.pk, 3, OfferStatus.PENDING),
    ]


# --- No-shows ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_no_show_reported_by_the_customer_counts_against_the_helper_only(clock):
    # Given a visit confirmed for T0 + 30 min (the grace period is 30 minutes)
    booking = make_booking(BookingStatus.CONFIRMED)
    customer = booking.help_request.customer
    before = snapshot(booking)

    # When the customer reports a no-show one minute before the grace period is over
    clock.move_to(booking.starts_at + timedelta(minutes=29))
    with pytest.raises(TooEarly) as refused:
        services.booking_report_no_show(booking=booking, actor=customer, note="Nobody came")

    # Then it is refused and nothing changed
    assert (refused.value.code, refused.value.status) == ("too_early", 409)
    assert snapshot(booking) == before

    # When they report it once the grace period is over
    clock.move_to(booking.starts_at + timedelta(minutes=30))
    booking = services.booking_report_no_show(booking=booking, actor=customer, note="Nobody came")

    # Then it is the helper's no-show, and the customer is looked after again
    assert (booking.status, booking.caused_by) == (BookingStatus.NO_SHOW, Party.HELPER)
    assert helper_counters(booking) == (0, 0, 1)
    assert customer_counters(booking) == (0, 0, 0)
    help_request = HelpRequest.objects.get(pk=booking.help_request_id)
    assert help_request.status == HelpRequestStatus.OPEN
    assert dispatches_of(help_request) == 1


# --- The manager cancels ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("caused_by", [None, "", "somebody"])
def test_a_manager_cancelling_must_say_who_caused_it(caused_by, clock):
    # Given a confirmed visit
    booking = make_booking(BookingStatus.CONFIRMED)
    before = snapshot(booking)

    # When the manager cancels without saying who caused it
    with pytest.raises(ValidationFailed) as refused:
        services.booking_cancel(
            booking=booking, actor=ManagerFactory(), reason="Storm", caused_by=caused_by
        )

    # Then it is refused and nothing changed
    assert (refused.value.code, refused.value.status, list(refused.value.fields)) == (
        "caused_by_required",
        400,
        ["caused_by"],
    )
    assert snapshot(booking) == before


@pytest.mark.django_db
def test_a_cancellation_caused_by_nobody_counts_against_nobody(clock):
    # Given a confirmed visit
    booking = make_booking(BookingStatus.CONFIRMED)
    manager = ManagerFactory()

    # When the manager cancels it, caused by nobody
    booking = services.booking_cancel(
        booking=booking, actor=manager, reason="Storm warning", caused_by=Party.NOBODY
    )

    # Then nobody's reliability suffers, and the customer is looked after again
    assert (booking.status, booking.caused_by, booking.cause) == (
        BookingStatus.CANCELLED,
        Party.NOBODY,
        "Storm warning",
    )
    assert helper_counters(booking) == (0, 0, 0)
    assert customer_counters(booking) == (0, 0, 0)
    assert BookingEvent.objects.filter(booking=booking).last().actor_role == ActorRole.MANAGER
    assert BookingEvent.objects.filter(booking=booking).last().actor_id == manager.pk
    help_request = HelpRequest.objects.get(pk=booking.help_request_id)
    assert help_request.status == HelpRequestStatus.OPEN
    assert dispatches_of(help_request) == 1
