"""Stripe failing or not answering in time: a clear error, nothing half-written, and a retry
with the same idempotency key that does the work exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.models import EventDelivery
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments import services, stripe_gateway
from payments.exceptions import PaymentProviderUnavailable
from payments.models import LedgerEntry, PaymentEvent, PaymentStatus, StripeRequest
from tests.payments.money import (
    assert_books_balance,
    clear_faults,
    completed,
    fault,
    held_booking,
    payment_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_faults_left() -> Iterator[None]:
    clear_faults()
    yield
    clear_faults()


def _signed_off() -> Booking:
    booking = completed(held_booking())
    return bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)


def _snapshot(booking: Booking) -> tuple:
    payment = payment_of(booking)
    return (
        payment.status,
        payment.captured_minor,
        payment.stripe_fee_minor,
        LedgerEntry.objects.filter(booking=booking).count(),
        PaymentEvent.objects.filter(payment=payment).count(),
        Booking.objects.get(pk=booking.pk).status,
    )


def test_stripe_answering_500_on_capture_changes_nothing_and_the_worker_retries():
    booking = _signed_off()
    before = _snapshot(booking)
    fault("error", r"POST /v1/payment_intents/\w+/capture")

    relay_pending()

    assert _snapshot(booking) == before
    assert not EventDelivery.objects.filter(handler__endswith="capture_on_sign_off").exists()

    relay_pending()

    payment = payment_of(booking)
    assert payment.status == PaymentStatus.CAPTURED
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SETTLED
    assert_books_balance(booking)


def test_a_capture_stripe_made_but_we_never_heard_of_is_captured_once_on_retry(quartier_settings):
    quartier_settings(STRIPE_TIMEOUT_SECONDS=1.0)
    booking = _signed_off()
    payment = payment_of(booking)
    before = _snapshot(booking)
    fault("timeout", r"POST /v1/payment_intents/\w+/capture", seconds=3)

    with pytest.raises(PaymentProviderUnavailable):
        services.payment_capture(payment=payment)

    # Stripe captured; Quartier rolled back everything of its own.
    assert _snapshot(booking) == before
    intent = stripe_gateway.payment_intent_retrieve(
        account_id=payment.stripe_account_id, intent_id=str(payment.payment_intent_id)
    )
    assert intent.status == "succeeded"

    # The retry carries the same key: Stripe answers with the first capture, not a second one.
    services.payment_capture(payment=payment)

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.captured_minor == intent.amount_received
    assert LedgerEntry.objects.filter(payment=payment, kind="captured").count() == 1
    # In the order they were first sent: without an order the database may return either first.
    assert list(
        StripeRequest.objects.filter(payment=payment)
        .order_by("pk")
        .values_list("idempotency_key", flat=True)
    ) == [
        f"quartier:{payment.public_id}:authorise:1",
        f"quartier:{payment.public_id}:capture:1",
    ]
    assert_books_balance(booking)


def test_a_hold_placed_while_we_timed_out_is_the_same_paymentintent_on_retry(quartier_settings):
    quartier_settings(STRIPE_TIMEOUT_SECONDS=1.0)
    fault("timeout", r"POST /v1/payment_intents$", seconds=3)

    booking = held_booking()

    payment = payment_of(booking)
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.payment_intent_id is None
    assert payment.attempt == 1

    relay_pending()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AUTHORISED
    intents = stripe_gateway.payment_intents_list(account_id=payment.stripe_account_id)
    assert [intent.id for intent in intents] == [payment.payment_intent_id]
