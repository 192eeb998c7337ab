"""Broken visits, called directly: cancellations and no-shows count only against whoever caused
them, and the customer is looked after again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.exceptions import ValidationFailed
from bookings import services
from bookings.exceptions import TooEarly
from bookings.models import (
    ActorRole,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    OfferStatus,
    Party,
)
from tests.bookings.services.state import (
    T0,
    WORKER_DB,
    customer_counters,
    dispatches_of,
    helper_counters,
    snapshot,
)
from tests.factories import (
    ZURICH,
    ManagerFactory,
    make_booking,
    make_helper,
    offset,
)
from tests.worker import run_worker

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


@pytest.mark.django_db
def test_a_cancellation_reason_too_long_is_refused_and_changes_nothing(clock):
    # Given a confirmed visit
    booking = make_booking(BookingStatus.CONFIRMED)
    before = snapshot(booking)

    # When the customer cancels with a reason one character longer than is kept
    with pytest.raises(ValidationFailed) as refused:
        services.booking_cancel(
            booking=booking, actor=booking.help_request.customer, reason="x" * 501
        )

    # Then it is refused on that field, as the API refuses it, and nothing changed
    assert (refused.value.code, list(refused.value.fields)) == ("max_length", ["reason"])
    assert snapshot(booking) == before
