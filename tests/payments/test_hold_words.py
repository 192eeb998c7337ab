"""What a confirmed visit's page says of the card between confirming and the hold: while the
worker places it, that it is being held (and the page asks again until it is); for a visit too
far out for a hold to last, from when it is held; never that it is paid after the visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments.models import PaymentStatus
from payments.selectors import payment_state, visit_payment
from payments.services import payment_method_set
from tests.factories import UserFactory, make_booking
from tests.payments.money import card, connected_helper, days_ahead, payment_of
from tests.web.test_pages import _logged_in
from web.templatetags.quartier import weekday_date_year

pytestmark = pytest.mark.django_db

AFTER_THE_VISIT = "nach dem Besuch an die Helferin oder den Helfer bezahlt"
BEING_HELD = (
    "Preis: CHF 40.00, wird gerade auf Ihrer Karte reserviert und erst belastet, wenn Sie den "
    "Besuch abnehmen."
)
HELD = "Preis: CHF 40.00, auf Ihrer Karte reserviert und erst belastet, wenn Sie den Besuch"


def _confirmed_with_a_card(start=None) -> Booking:
    """Confirmed with a card given, the worker not yet at work (the relay has not run)."""
    customer = UserFactory.create()
    helper = connected_helper()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer, start=start)
    payment_method_set(booking=booking, actor=customer, payment_method_id=card(helper))
    bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    return Booking.objects.get(pk=booking.pk)


def _page(client, booking: Booking) -> str:
    response = client.get(f"/requests/{booking.help_request.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_says_the_card_is_being_held_until_the_worker_has_held_it(client):
    booking = _confirmed_with_a_card()
    assert payment_of(booking).status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    _logged_in(client, booking.help_request.customer, "de")

    html = _page(client, booking)

    assert BEING_HELD in html
    assert AFTER_THE_VISIT not in html
    # The page asks again by itself, so the hold shows once it is placed
    assert 'hx-trigger="load delay:3s"' in html

    relay_pending()  # the worker places the hold

    assert payment_of(booking).status == PaymentStatus.AUTHORISED
    html = _page(client, booking)
    assert HELD in html
    assert BEING_HELD not in html
    assert AFTER_THE_VISIT not in html


def test_a_visit_too_far_out_says_from_when_the_card_is_held(client):
    start = days_ahead(8)
    booking = _confirmed_with_a_card(start=start)
    relay_pending()  # the worker defers the hold
    assert payment_of(booking).status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    customer = booking.help_request.customer

    _logged_in(client, customer, "en")
    html = _page(client, booking)
    with translation.override("en"):
        day = weekday_date_year(start - timedelta(days=2))
    assert (
        f"Price: CHF 40.00, held on your card from {day} and charged only once you sign the "
        "visit off." in html
    )
    assert "paid to the helper after the visit" not in html
    assert "being held on your card right now" not in html

    # Once the deferred hold is due, and until the worker has placed it, it is being held
    with time_machine.travel(start - timedelta(days=2, minutes=-1), tick=False):
        _logged_in(client, customer, "de")
        html = _page(client, booking)
        assert BEING_HELD in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "Prix : 40.00 CHF, en cours de réservation sur votre carte"),
        ("it", "Prezzo: CHF 40.00, che viene riservato ora sulla sua carta"),
        ("en", "Price: CHF 40.00, being held on your card right now"),
    ],
)
def test_the_hold_being_placed_is_said_in_the_customers_language(client, language, words):
    booking = _confirmed_with_a_card()
    _logged_in(client, booking.help_request.customer, language)
    assert words in _page(client, booking)


def test_the_payment_state_of_a_hold_being_placed_and_of_one_deferred():
    booking = _confirmed_with_a_card()
    state = payment_state(booking, visit_payment(booking))
    assert (state.held, state.holding, state.hold_from, state.due) == (False, True, None, False)

    start = days_ahead(8)
    far = _confirmed_with_a_card(start=start)
    relay_pending()
    state = payment_state(far, visit_payment(far))
    assert (state.held, state.holding, state.hold_from) == (
        False,
        False,
        start - timedelta(days=2),
    )
