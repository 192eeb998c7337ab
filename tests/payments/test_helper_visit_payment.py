"""The helper's visit page reads the visit's payment once (`visit_payment`): its receipt and
money, whether extra time may be asked for, and whether the customer's card is held yet,
which it says instead of buttons the visit's start would refuse."""

from __future__ import annotations

import pytest

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments.models import PaymentStatus
from payments.services import payment_method_set
from tests.factories import UserFactory, make_booking
from tests.payments.money import card, completed, connected_helper, held_booking, payment_of
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

NOT_HELD = "The customer's card is not held yet: the visit can go ahead once it is."
ASK_EXTRA = "Ask the customer"


def _visit_page(client, booking: Booking) -> str:
    response = client.get(f"/helper/visits/{booking.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_done_visit_held_on_a_card_offers_extra_reading_its_payment_once(
    client, django_assert_num_queries
):
    booking = completed(held_booking())
    _logged_in(client, booking.helper.user, "en")
    _visit_page(client, booking)  # the session and the stream counter settled

    # 14: the session, the user and their helper profile, the stream's last number (twice),
    # the booking with its windows and proposals, its events, its payment (with its receipt)
    # once, its extra, its reviews, whether it was reported, the messages with the customer
    with django_assert_num_queries(14):
        html = _visit_page(client, booking)

    assert ASK_EXTRA in html
    assert NOT_HELD not in html


def test_a_paid_visit_shows_its_receipt_and_money_to_the_helper(client):
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    _logged_in(client, booking.helper.user, "en")

    html = _visit_page(client, booking)

    assert "Paid: receipt " in html
    assert "<dt>Captured</dt><dd>CHF 40.00</dd>" in html
    assert ASK_EXTRA not in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", NOT_HELD),
        ("de", "Auf der Karte der Kundin oder des Kunden ist der Betrag noch nicht reserviert"),
    ],
)
def test_until_the_card_is_held_the_helper_is_told_instead_of_offered_to_set_off(
    client, language, words
):
    customer = UserFactory.create()
    helper = connected_helper()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    payment_method_set(booking=booking, actor=customer, payment_method_id=card(helper))
    bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    assert payment_of(booking).status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    _logged_in(client, helper.user, language)

    html = _visit_page(client, booking)

    assert words in html
    assert f'action="/helper/visits/{booking.public_id}/on-my-way"' not in html
    assert f'action="/helper/visits/{booking.public_id}/arrived"' not in html

    relay_pending()  # the worker holds the card

    html = _visit_page(client, booking)
    assert words not in html
    assert f'action="/helper/visits/{booking.public_id}/on-my-way"' in html
