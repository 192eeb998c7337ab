"""Time-based work done by the worker: offer expiry, automatic sign-off and the review window
(the sweep that catches up after an outage is tested in services/test_sweeps.py).

Time is frozen (time_machine, tick=False) and moved by hand; the real django-tasks-db worker
runs in batch mode, so a task runs exactly when it is due and not a minute before.

The worker closes "old" database connections between tasks, which a test transaction would
not survive: tests that run it commit for real (`transaction=True`) and restore the database
afterwards (`serialized_rollback=True`, which keeps the seeded service categories).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from backend.models import User
from bookings import services
from bookings.models import (
    ActorRole,
    BookingStatus,
    HelpRequestStatus,
    Offer,
    OfferStatus,
    Review,
)
from bookings.tasks import close_review_window
from helpers.models import HelperProfile
from tests.bookings.services.state import T0, WORKER_DB, events_of, offers_of
from tests.factories import ZURICH, UserFactory, make_booking, make_helper, offset, post_request
from tests.worker import run_worker


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


# --- Offers expire ----------------------------------------------------------------------------


@WORKER_DB
def test_offers_expire_after_the_ttl_and_the_next_helpers_are_offered(clock, quartier_settings):
    # Given four helpers and batches of two: the two nearest are offered the job at T0
    quartier_settings(OFFER_BATCH_SIZE=2, OFFER_TTL_MINUTES=30)
    helpers = [make_helper(point=offset(ZURICH, east_m=500 * n)) for n in range(1, 5)]
    help_request = post_request(UserFactory(), point=ZURICH)
    first_batch = [(helpers[0].pk, 1, "pending"), (helpers[1].pk, 2, "pending")]
    assert offers_of(help_request) == first_batch

    # When the worker runs a minute before the offers expire
    clock.move_to(T0 + timedelta(minutes=29))
    run_worker()

    # Then nothing changed
    assert offers_of(help_request) == first_batch

    # When it runs once they have expired
    clock.move_to(T0 + timedelta(minutes=30))
    run_worker()

    # Then they are expired, counted against their helpers, and the next two are offered
    assert offers_of(help_request) == [
        (helpers[0].pk, 1, OfferStatus.EXPIRED),
        (helpers[1].pk, 2, OfferStatus.EXPIRED),
        (helpers[2].pk, 3, OfferStatus.PENDING),
        (helpers[3].pk, 4, OfferStatus.PENDING),
    ]
    assert [
        HelperProfile.objects.values_list("offers_expired", "offers_received").get(pk=h.pk)
        for h in helpers
    ] == [(1, 1), (1, 1), (0, 1), (0, 1)]
    assert set(
        Offer.objects.filter(status=OfferStatus.PENDING).values_list("round", "expires_at")
    ) == {(2, T0 + timedelta(minutes=60))}
    help_request.refresh_from_db()
    assert help_request.status == HelpRequestStatus.OPEN


# --- Automatic sign-off -----------------------------------------------------------------------


@WORKER_DB
def test_a_completed_visit_is_signed_off_automatically_after_48_hours(clock):
    # Given a visit checked out at T0 that the customer neither signs off nor disputes
    booking = make_booking(BookingStatus.COMPLETED)
    assert booking.checked_out_at == T0
    events_before = events_of(booking)

    # When the worker runs one minute before the 48 hours are up
    clock.move_to(T0 + timedelta(hours=47, minutes=59))
    run_worker()

    # Then the visit is still waiting for the customer, even if the step is forced early
    assert services.booking_auto_sign_off(booking=booking) is None
    booking.refresh_from_db()
    assert (booking.status, booking.signed_off_at, events_of(booking)) == (
        BookingStatus.COMPLETED,
        None,
        events_before,
    )

    # When it runs one minute after
    clock.move_to(T0 + timedelta(hours=48, minutes=1))
    run_worker()

    # Then the system signed it off, once
    booking.refresh_from_db()
    assert (booking.status, booking.signed_off_automatically, booking.signed_off_at) == (
        BookingStatus.SIGNED_OFF,
        True,
        T0 + timedelta(hours=48, minutes=1),
    )
    assert events_of(booking) == [
        *events_before,
        (BookingStatus.COMPLETED, BookingStatus.SIGNED_OFF, None, ActorRole.SYSTEM),
    ]
    assert HelperProfile.objects.get(pk=booking.helper_id).completed_visits == 1
    booking.help_request.refresh_from_db()
    assert booking.help_request.status == HelpRequestStatus.CLOSED
    assert list(
        DBTaskResult.objects.filter(status="READY").values_list(
            "task_path", "args_kwargs", "run_after"
        )
    ) == [
        (
            "bookings.tasks.close_review_window",
            {"args": [booking.pk], "kwargs": {}},
            T0 + timedelta(days=7, hours=48, minutes=1),
        )
    ]


@WORKER_DB
def test_a_disputed_visit_is_not_signed_off_automatically(clock):
    # Given a visit checked out at T0 and disputed by the customer
    booking = make_booking(BookingStatus.DISPUTED)
    events_before = events_of(booking)

    # When the automatic sign-off comes due and the worker runs
    clock.move_to(T0 + timedelta(hours=48, minutes=1))
    run_worker()

    # Then the task ran, did nothing, and the dispute waits for the manager
    assert list(
        DBTaskResult.objects.filter(task_path="bookings.tasks.auto_sign_off").values_list(
            "status", "return_value"
        )
    ) == [("SUCCESSFUL", False)]
    booking.refresh_from_db()
    assert (booking.status, booking.signed_off_at, booking.signed_off_automatically) == (
        BookingStatus.DISPUTED,
        None,
        False,
    )
    assert events_of(booking) == events_before
    assert HelperProfile.objects.get(pk=booking.helper_id).completed_visits == 0


# --- The review window ------------------------------------------------------------------------


@WORKER_DB
def test_the_review_window_closes_and_publishes_a_one_sided_review_once(clock):
    # Given a visit signed off at T0 and reviewed by the customer only
    booking = make_booking(BookingStatus.SIGNED_OFF)
    assert booking.signed_off_at == T0
    customer = booking.help_request.customer
    clock.move_to(T0 + timedelta(hours=1))
    review = services.review_submit(booking=booking, actor=customer, rating=5, text="Great.")
    assert review.published_at is None

    # When the worker runs a minute before the window closes
    clock.move_to(T0 + timedelta(days=7) - timedelta(minutes=1))
    run_worker()

    # Then the review is still hidden and not counted
    review.refresh_from_db()
    assert review.published_at is None
    assert HelperProfile.objects.values_list("rating_count", "rating_sum").get(
        pk=booking.helper_id
    ) == (0, 0)

    # When it runs after the window closed
    clock.move_to(T0 + timedelta(days=7, minutes=1))
    run_worker()

    # Then the review is published and counted once
    review.refresh_from_db()
    assert review.published_at == T0 + timedelta(days=7, minutes=1)
    assert HelperProfile.objects.values_list("rating_count", "rating_sum").get(
        pk=booking.helper_id
    ) == (1, 5)
    assert User.objects.values_list("customer_rating_count", "customer_rating_sum").get(
        pk=customer.pk
    ) == (0, 0)

    # And closing the window again counts nothing twice
    close_review_window.enqueue(booking.pk)
    run_worker()
    assert services.reviews_close_window(booking=booking) == 0
    assert HelperProfile.objects.values_list("rating_count", "rating_sum").get(
        pk=booking.helper_id
    ) == (1, 5)
    assert Review.objects.values_list("pk", "published_at").get() == (
        review.pk,
        T0 + timedelta(days=7, minutes=1),
    )
