"""The visit's services, called directly: the price is fixed when a time is proposed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.exceptions import ApplicationError
from bookings import services
from bookings.models import Booking, BookingStatus
from helpers.services import helper_profile_update
from tests.factories import make_booking

pytestmark = pytest.mark.django_db


def test_a_rate_change_after_proposing_does_not_change_the_confirmed_price():
    # Given one hour proposed by a helper at CHF 40 an hour
    booking = make_booking(BookingStatus.PROPOSED)
    assert booking.helper.hourly_rate_minor == 4000
    proposal = booking.proposals.get(status="proposed")
    assert (proposal.price_minor, proposal.currency) == (4000, "CHF")

    # When the helper raises the rate to CHF 500 before the customer confirms
    helper_profile_update(helper=booking.helper, hourly_rate_minor=50_000)
    booking = services.booking_confirm(
        booking=booking, actor=booking.help_request.customer, proposal=proposal
    )

    # Then the visit costs what was proposed
    booking.refresh_from_db()
    assert (booking.status, booking.price_minor, booking.currency) == (
        BookingStatus.CONFIRMED,
        4000,
        "CHF",
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.price_minor) == ("chosen", 4000)


def test_times_proposed_after_a_rate_change_are_priced_at_the_new_rate():
    # Given a helper who raised the rate while the customer waited for times
    booking = make_booking(BookingStatus.AWAITING_PROPOSAL)
    helper_profile_update(helper=booking.helper, hourly_rate_minor=6000)
    start = booking.help_request.windows.get().starts_at

    # When the helper proposes 90 minutes
    services.booking_propose(
        booking=booking,
        actor=booking.helper.user,
        slots=[services.SlotInput(start, start + timedelta(minutes=90))],
    )

    # Then that time is priced at the new rate
    assert list(booking.proposals.values_list("status", "price_minor")) == [("proposed", 9000)]


@pytest.mark.parametrize(
    ("work_summary", "leave_behind_note", "field"),
    [
        ("Replaced the router. " + "x" * 1980, "", "work_summary"),
        ("Replaced the router.", "x" * 4001, "leave_behind_note"),
    ],
    ids=["work summary", "leave-behind note"],
)
def test_a_check_out_text_longer_than_the_booking_holds_is_refused_and_changes_nothing(
    work_summary, leave_behind_note, field
):
    # Given a visit in progress
    booking = make_booking(BookingStatus.IN_PROGRESS)
    before = Booking.objects.values().get(pk=booking.pk)

    # When the helper checks out with a text one character longer than the booking holds
    with pytest.raises(ApplicationError) as refused:
        services.booking_check_out(
            booking=booking,
            actor=booking.helper.user,
            work_summary=work_summary,
            leave_behind_note=leave_behind_note,
        )

    # Then it is refused on that field, as the API refuses it, and the visit is as it was
    assert (refused.value.code, list(refused.value.fields)) == ("max_length", [field])
    assert Booking.objects.values().get(pk=booking.pk) == before
