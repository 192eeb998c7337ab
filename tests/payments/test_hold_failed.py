"""A hold placed closer to the visit fails: customer and helper are told by e-mail in their own
language, and the visit stays confirmed but cannot start until the card is held."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.exceptions import PaymentNotHeld
from bookings.models import Booking, BookingStatus
from payments.models import PaymentStatus
from payments.tasks import place_hold
from tests.factories import UserFactory
from tests.payments.money import (
    DECLINED_CARD,
    card,
    connected_helper,
    days_ahead,
    held_booking,
    payment_of,
)

pytestmark = pytest.mark.django_db


def test_a_deferred_hold_that_fails_tells_both_sides_in_their_language():
    # Given a visit eight days out, confirmed with a card that will be declined, by a customer
    # who reads French, with a helper who reads Italian
    start = days_ahead(8)
    customer = UserFactory.create(preferred_language="fr", display_name="Claire Dubois")
    helper = connected_helper(preferred_language="it", display_name="Marco Bianchi")
    booking = held_booking(helper=helper, customer=customer, number=DECLINED_CARD, start=start)
    payment = payment_of(booking)
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    mail.outbox.clear()

    # When the worker tries to hold the card two days before the visit
    with time_machine.travel(start - timedelta(days=2), tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.REQUIRES_PAYMENT_METHOD
        relay_pending()

        # Then both are told, each in their own language
        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            [customer.email, helper.user.email]
        )
        to_customer = next(m for m in mail.outbox if m.to == [customer.email])
        to_helper = next(m for m in mail.outbox if m.to == [helper.user.email])
        assert to_customer.subject.startswith("Votre carte n’a pas pu être réservée")
        assert "CHF 40.00" in to_customer.body
        assert "Marco Bianchi" in to_customer.body
        assert "Votre banque a refusé la carte sans en donner la raison." in to_customer.body
        assert to_customer.extra_headers["Content-Language"] == "fr"
        assert to_helper.subject.startswith(
            "La carta della cliente o del cliente non è ancora bloccata"
        )
        assert "Claire Dubois" in to_helper.body
        assert to_helper.extra_headers["Content-Language"] == "it"

        # And the booking stays confirmed, but the visit cannot start
        booking = Booking.objects.get(pk=booking.pk)
        assert booking.status == BookingStatus.CONFIRMED
        payment.refresh_from_db()
        assert (payment.failure_code, payment.attempt) == ("card_declined", 2)
    with (
        time_machine.travel(start - timedelta(minutes=30), tick=False),
        pytest.raises(PaymentNotHeld),
    ):
        bookings.booking_start_journey(booking=booking, actor=helper.user, eta_minutes=10)

    # And once the customer gives a good card, the hold is placed and both are told the visit
    # goes ahead, each in their own language
    mail.outbox.clear()
    with time_machine.travel(start - timedelta(days=1), tick=False):
        from payments.services import payment_method_set

        payment_method_set(booking=booking, actor=customer, payment_method_id=card(helper))
        relay_pending()
    assert payment_of(booking).status == PaymentStatus.AUTHORISED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([customer.email, helper.user.email])
    assert all(m.extra_headers["Content-Language"] in ("fr", "it") for m in mail.outbox)
