"""3-D Secure asked for by the hold placed 2 days before the visit: the customer finishes the
challenge on the same PaymentIntent from the visit's page (here, the emulator's Stripe.js call
is made directly), the hold is placed and the visit goes ahead; customer and helper are told
both when it failed and when it is held after all. A failed challenge asks for another card."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import time_machine
from django.core import mail
from django.test import Client

from backend.config import config
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments.models import PaymentStatus
from payments.reconciliation import reconcile
from payments.tasks import place_hold
from tests.factories import UserFactory
from tests.payments.money import (
    THREE_D_SECURE_CARD,
    connected_helper,
    days_ahead,
    held_booking,
    payment_of,
)

pytestmark = pytest.mark.django_db


def _challenge_needed():
    start = days_ahead(8)
    customer = UserFactory.create(preferred_language="en", display_name="Claire Dubois")
    helper = connected_helper(preferred_language="en", display_name="Marco Bianchi")
    booking = held_booking(
        helper=helper, customer=customer, number=THREE_D_SECURE_CARD, start=start
    )
    payment = payment_of(booking)
    mail.outbox.clear()
    with time_machine.travel(start - timedelta(days=2), tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.REQUIRES_PAYMENT_METHOD
        relay_pending()
    payment.refresh_from_db()
    assert payment.failure_code == "authentication_required"
    assert payment.authentication_intent_id.startswith("pi_")
    assert payment.authentication_client_secret.startswith(payment.authentication_intent_id)
    assert payment.payment_intent_id is None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([customer.email, helper.user.email])
    browser = Client()
    browser.force_login(customer)
    return booking, payment, browser, start


def _stripe_js_challenge(payment, *, success: bool) -> None:
    """What the emulator's Stripe.js `confirmCardPayment` sends once the customer answered."""
    answer = requests.post(
        f"{config().stripe_api_base}/v1/payment_intents/{payment.authentication_intent_id}"
        f"/_authenticate?success={'true' if success else 'false'}"
        f"&_stripe_account={payment.stripe_account_id}",
        json={"key": "pk_test_quartier", "client_secret": payment.authentication_client_secret},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


def test_the_challenge_finished_on_the_same_intent_holds_the_card_and_the_visit_goes_ahead():
    booking, payment, browser, start = _challenge_needed()
    request_url = f"/requests/{booking.help_request.public_id}/"
    page = browser.get(request_url).content.decode()
    assert "Confirm with my bank" in page
    assert payment.authentication_client_secret in page
    challenged = payment.authentication_intent_id
    mail.outbox.clear()

    with time_machine.travel(start - timedelta(days=2, minutes=-5), tick=False):
        _stripe_js_challenge(payment, success=True)
        back = browser.post(f"{request_url}card/authenticated")
        assert back.status_code == 302
        relay_pending()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AUTHORISED
    assert payment.payment_intent_id == challenged  # the same PaymentIntent
    assert (payment.authorised_minor, payment.failure_code) == (payment.amount_minor, "")
    assert (payment.authentication_intent_id, payment.authentication_client_secret) == ("", "")
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {booking.help_request.customer.email, booking.helper.user.email}
    assert all(m.subject.startswith("The card is held: the visit on") for m in told.values())
    assert "Confirm with my bank" not in browser.get(request_url).content.decode()
    with time_machine.travel(start - timedelta(minutes=30), tick=False):
        bookings.booking_start_journey(booking=booking, actor=booking.helper.user, eta_minutes=10)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.ON_THE_WAY
    assert reconcile() == []


def test_a_failed_challenge_asks_for_another_card_and_holds_nothing():
    booking, payment, browser, start = _challenge_needed()
    request_url = f"/requests/{booking.help_request.public_id}/"
    mail.outbox.clear()
    _stripe_js_challenge(payment, success=False)
    browser.post(f"{request_url}card/authenticated")
    relay_pending()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert (payment.authorised_minor, payment.payment_intent_id) == (0, None)
    assert (payment.authentication_intent_id, payment.authentication_client_secret) == ("", "")
    assert mail.outbox == []
    page = browser.get(request_url).content.decode()
    assert "Confirm with my bank" not in page
    assert "Hold the amount on this card" in page
    # Nothing to finish any more: refused, nothing changes
    again = browser.post(f"{request_url}card/authenticated")
    assert again.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert reconcile() == []
