"""Hold on confirmation, capture on sign-off, settlement, and the branches that end otherwise,
through the services against the Stripe emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import BookingStatus
from payments import stripe_gateway
from payments.models import LedgerEntry, PaymentStatus, StripeRequest
from payments.tasks import place_hold
from tests.payments.money import (
    assert_books_balance,
    completed,
    days_ahead,
    held_booking,
    no_show_by,
    payment_of,
)

pytestmark = pytest.mark.django_db


def test_a_confirmed_visit_is_held_on_the_helpers_account_without_an_application_fee():
    booking = held_booking()

    payment = payment_of(booking)
    assert payment.status == PaymentStatus.AUTHORISED
    assert payment.amount_minor == booking.price_minor
    assert payment.authorised_minor == booking.price_minor
    assert payment.captured_minor == 0
    intent = stripe_gateway.payment_intent_retrieve(
        account_id=payment.stripe_account_id, intent_id=str(payment.payment_intent_id)
    )
    assert intent.status == "requires_capture"
    assert intent.amount == booking.price_minor
    assert intent.application_fee_amount is None
    assert list(
        StripeRequest.objects.filter(payment=payment).values_list("idempotency_key", flat=True)
    ) == [f"quartier:{payment.public_id}:authorise:1"]


def test_sign_off_captures_the_agreed_price_and_settles_the_booking():
    booking = held_booking()
    booking = completed(booking)
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)

    relay_pending()

    booking.refresh_from_db()
    payment = payment_of(booking)
    assert booking.status == BookingStatus.SETTLED
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.captured_minor == booking.price_minor
    price = booking.price_minor
    assert price is not None
    expected_fee = (price * 29 + 500) // 1000 + 30
    assert payment.stripe_fee_minor == expected_fee
    balances = assert_books_balance(booking)
    assert balances == {
        "customer": -price,
        "hold": 0,
        "helper": price - expected_fee,
        "stripe": expected_fee,
        "quartier": 0,
    }


def test_an_early_cancellation_releases_the_hold_at_once():
    booking = held_booking(start=days_ahead(3))
    bookings.booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Fixed it")
    relay_pending()

    payment = payment_of(booking)
    assert payment.status == PaymentStatus.RELEASED
    assert payment.captured_minor == 0
    intent = stripe_gateway.payment_intent_retrieve(
        account_id=payment.stripe_account_id, intent_id=str(payment.payment_intent_id)
    )
    assert intent.status == "canceled"
    assert assert_books_balance(booking)["customer"] == 0


def test_a_customer_no_show_pays_the_helper_the_policys_fee(quartier_settings):
    quartier_settings(CANCELLATION_FEE_PERCENT=40)
    booking = held_booking()
    booking = no_show_by(booking, "customer")
    relay_pending()

    payment = payment_of(booking)
    price = booking.price_minor
    assert price is not None
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.is_cancellation_fee
    assert payment.captured_minor == price * 40 // 100
    balances = assert_books_balance(booking)
    assert -balances["customer"] == price * 40 // 100
    assert LedgerEntry.objects.filter(booking=booking, kind="cancellation_fee").count() == 1


def test_a_helper_no_show_costs_the_customer_nothing():
    booking = held_booking()
    booking = no_show_by(booking, "helper")
    relay_pending()

    payment = payment_of(booking)
    assert payment.status == PaymentStatus.RELEASED
    assert assert_books_balance(booking)["customer"] == 0


def test_a_helpers_late_cancellation_costs_the_customer_nothing():
    booking = held_booking()
    bookings.booking_cancel(booking=booking, actor=booking.helper.user, reason="I am ill")
    relay_pending()

    booking.refresh_from_db()
    assert booking.is_late_cancellation
    assert payment_of(booking).status == PaymentStatus.RELEASED
    assert assert_books_balance(booking)["customer"] == 0


def test_a_customers_late_cancellation_pays_the_fee():
    booking = held_booking()
    bookings.booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Away")
    relay_pending()

    booking.refresh_from_db()
    assert booking.is_late_cancellation
    payment = payment_of(booking)
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.is_cancellation_fee
    assert payment.captured_minor == (booking.price_minor or 0) * 50 // 100
    assert_books_balance(booking)


def test_relaying_again_changes_nothing():
    booking = held_booking()
    booking = completed(booking)
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    entries = list(LedgerEntry.objects.filter(booking=booking).values_list("kind", "amount_minor"))

    relay_pending()
    from payments.services import payment_capture

    payment_capture(payment=payment_of(booking))

    assert (
        list(LedgerEntry.objects.filter(booking=booking).values_list("kind", "amount_minor"))
        == entries
    )


def test_a_visit_more_than_five_days_out_is_held_two_days_before_it():
    start = days_ahead(8)
    booking = held_booking(start=start)

    payment = payment_of(booking)
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.payment_intent_id is None
    task = DBTaskResult.objects.get(task_path="payments.tasks.place_hold")
    assert task.run_after == start - timedelta(days=2)
    assert task.args_kwargs["args"] == [payment.pk]

    with time_machine.travel(start - timedelta(days=2), tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.AUTHORISED

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AUTHORISED
    assert payment.authorised_minor == booking.price_minor
