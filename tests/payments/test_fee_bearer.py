"""Who bears Stripe's processing fee: the setting fixes the charge before the customer confirms,
and either way the helper receives the charge less Stripe's actual fee, Quartier nothing."""

from __future__ import annotations

import pytest

from backend.money import card_fee, gross_up
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments import selectors
from payments.models import PaymentStatus
from tests.api.api_assertions import API, client_for
from tests.factories import UserFactory, make_booking
from tests.payments.money import (
    assert_books_balance,
    completed,
    connected_helper,
    held_booking,
    payment_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_pays_the_fee(settings):
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_fee_paid_by="customer")


def _settled(booking: Booking) -> Booking:
    booking = completed(booking)
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


@pytest.mark.parametrize(
    ("net", "charge"), [(0, 0), (1, 32), (100, 134), (4000, 4150), (6000, 6210), (50000, 51524)]
)
def test_gross_up_leaves_exactly_the_net_after_the_fee(net, charge):
    assert gross_up(net, percent_tenths=29, fixed_minor=30) == charge
    if charge:
        assert charge - card_fee(charge, percent_tenths=29, fixed_minor=30) == net
        assert charge - 1 - card_fee(charge - 1, percent_tenths=29, fixed_minor=30) < net


def test_passed_to_the_customer_the_helper_receives_exactly_the_price(customer_pays_the_fee):
    # Given a customer looking at the proposed time of a CHF 40 visit
    helper = connected_helper()
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    shown = client_for(customer).get(f"{API}/bookings/{booking.public_id}").json()
    # Then before confirming they see the price, the charge and who bears the fee
    (proposal,) = shown["proposals"]
    assert proposal["price"] == {"amount_minor": 4000, "currency": "CHF"}
    assert proposal["charge"] == {"amount_minor": 4150, "currency": "CHF"}
    assert proposal["stripe_fee_paid_by"] == "customer"

    # When they confirm with a card, the booking stores the charge and the card is held for it
    booking = held_booking(helper=helper, customer=customer)
    assert (booking.price_minor, booking.charge_minor, booking.stripe_fee_paid_by) == (
        4000,
        4150,
        "customer",
    )
    assert payment_of(booking).authorised_minor == 4150

    # And on sign-off, Stripe's actual fee leaves the helper exactly the price
    booking = _settled(booking)
    payment = payment_of(booking)
    assert booking.status == BookingStatus.SETTLED
    assert (payment.status, payment.captured_minor, payment.stripe_fee_minor) == (
        PaymentStatus.CAPTURED,
        4150,
        150,
    )
    assert selectors.helper_receives_minor(payment) == 4000
    balances = assert_books_balance(booking)
    assert (balances["customer"], balances["helper"], balances["stripe"]) == (-4150, 4000, 150)


def test_borne_by_the_helper_the_charge_is_the_price():
    booking = _settled(held_booking())
    payment = payment_of(booking)
    assert (booking.price_minor, booking.charge_minor, booking.stripe_fee_paid_by) == (
        4000,
        4000,
        "helper",
    )
    assert (payment.captured_minor, payment.stripe_fee_minor) == (4000, 146)
    assert selectors.helper_receives_minor(payment) == 4000 - 146
    answer = client_for(booking.help_request.customer).get(
        f"{API}/bookings/{booking.public_id}/payment"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert {
        key: body[key]
        for key in (
            "price_minor",
            "charge_minor",
            "stripe_fee_minor",
            "quartier_fee_minor",
            "helper_receives_minor",
            "stripe_fee_paid_by",
        )
    } == {
        "price_minor": 4000,
        "charge_minor": 4000,
        "stripe_fee_minor": 146,
        "quartier_fee_minor": 0,
        "helper_receives_minor": 3854,
        "stripe_fee_paid_by": "helper",
    }
