"""Before choosing a time, the customer's app reads on the booking how they can pay its helper
(`payment_methods`): card and TWINT while the helper's payout account takes payments, none
while it cannot, when confirming a paid time is refused. Nothing of the account itself."""

from __future__ import annotations

import pytest

from bookings.models import Booking, BookingStatus
from helpers.services import helper_takes_payments_set
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import ManagerFactory, make_booking

pytestmark = pytest.mark.django_db


def _read(booking: Booking, user) -> dict:
    response = client_for(user).get(f"{API}/bookings/{booking.public_id}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_customer_reads_that_the_helper_takes_a_card_and_twint_before_choosing_a_time():
    # Given a visit whose helper proposed times and whose payout account takes payments
    booking = make_booking(BookingStatus.PROPOSED)

    # When its customer reads it
    answer = _read(booking, booking.help_request.customer)

    # Then it says they can pay by card or with TWINT
    assert answer["payment_methods"] == ["card", "twint"]


def test_the_helper_and_the_manager_read_no_payment_methods():
    booking = make_booking(BookingStatus.PROPOSED)

    assert _read(booking, booking.helper.user)["payment_methods"] is None
    assert _read(booking, ManagerFactory.create())["payment_methods"] is None


def test_a_helper_who_cannot_take_payments_offers_no_method_and_no_paid_time_is_confirmed():
    # Given a visit with times proposed, whose helper's payout account stopped taking payments
    booking = make_booking(BookingStatus.PROPOSED)
    helper_takes_payments_set(helper_id=booking.helper_id, takes_payments=False)
    customer = booking.help_request.customer

    # When its customer reads it
    answer = _read(booking, customer)

    # Then there is no way to pay the helper yet
    assert answer["payment_methods"] == []
    # And confirming one of the times is refused, as the empty list told ahead, with nothing
    # changed
    proposal = answer["proposals"][0]
    assert proposal["price"]["amount_minor"] > 0
    response = client_for(customer).post(
        f"{API}/bookings/{booking.public_id}/confirm", {"proposal": proposal["id"]}, format="json"
    )
    assert_error(response, 409, "helper_cannot_be_paid")
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at, booking.price_minor) == (
        BookingStatus.PROPOSED,
        None,
        None,
    )


def test_a_visit_in_another_currency_is_paid_by_card_only():
    # Given a visit priced in euros (TWINT takes Swiss francs only)
    booking = make_booking(BookingStatus.PROPOSED)
    Booking.objects.filter(pk=booking.pk).update(currency="EUR")

    # When its customer reads it, then a card is the one way to pay
    assert _read(booking, booking.help_request.customer)["payment_methods"] == ["card"]
