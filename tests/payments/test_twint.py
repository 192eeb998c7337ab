"""TWINT, a payment method that cannot be held: nothing is held on confirmation; right after
sign-off (manual or automatic) a TWINT PaymentIntent falls due on the helper's account, the
customer pays it through TWINT's page (a redirect) and the booking settles, driven by the
payment's state, from the webhook or from the customer's return. Through HTTP, against the
emulator."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from backend.config import config
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments import stripe_gateway, tasks
from payments.models import (
    LedgerEntry,
    Payment,
    PaymentStatus,
    StripeRequest,
    WebhookEvent,
)
from payments.reconciliation import reconcile
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import UserFactory, make_booking
from tests.payments.money import (
    assert_books_balance,
    completed,
    connected_helper,
    event_payload,
    payment_of,
    sign,
)

pytestmark = pytest.mark.django_db

RETURN_URL = "https://app.quartier.test/paid?booking=1"


def _twint_booking(*, start=None) -> Booking:
    """A booking confirmed over HTTP by a customer who chose TWINT."""
    helper = connected_helper()
    customer = UserFactory.create(preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer, start=start)
    as_customer = client_for(customer)
    chosen = as_customer.post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": "twint"},
        format="json",
    )
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["pay_with"] == "twint"
    proposal = booking.proposals.get(status="proposed")
    confirmed = as_customer.post(
        f"{API}/bookings/{booking.public_id}/confirm", {"proposal": str(proposal.public_id)}
    )
    assert confirmed.status_code == 200, confirmed.content
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


def _signed_off(booking: Booking) -> Booking:
    booking = completed(booking)
    answer = client_for(booking.help_request.customer).post(
        f"{API}/bookings/{booking.public_id}/sign-off"
    )
    assert answer.status_code == 200, answer.content
    relay_pending()
    relay_pending()  # what the capture handler emitted (the payment fell due)
    return Booking.objects.get(pk=booking.pk)


def _pay(booking: Booking, key: str) -> dict:
    answer = client_for(booking.help_request.customer).post(
        f"{API}/bookings/{booking.public_id}/payment/pay",
        {"return_url": RETURN_URL},
        format="json",
        headers={"Idempotency-Key": key},
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def _answer_at_twint(url: str, action: str) -> dict[str, list[str]]:
    """The customer on TWINT's page: authorises (or fails) and is sent back to Quartier."""
    assert requests.get(url, timeout=5).status_code == 200
    back = requests.post(url, data={"action": action}, allow_redirects=False, timeout=5)
    assert back.status_code == 303, back.text
    location = back.headers["Location"]
    assert location.startswith(RETURN_URL + "&")
    return parse_qs(urlsplit(location).query)


def _deliver(payment: Payment, event_id: str, event_type: str) -> dict:
    """Stripe's webhook about the payment's PaymentIntent, signed, through HTTP."""
    payload = event_payload(
        event_id,
        event_type,
        {"id": payment.payment_intent_id, "object": "payment_intent"},
        account=payment.stripe_account_id,
    )
    answer = Client().post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload)},
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_twint_is_paid_after_sign_off_through_twints_page_and_settles_by_webhook():
    booking = _twint_booking()
    payment = payment_of(booking)
    # Nothing is held, and the visit may still go ahead.
    assert (payment.status, payment.pay_with) == (PaymentStatus.REQUIRES_PAYMENT_METHOD, "twint")
    assert payment.payment_intent_id is None
    assert not StripeRequest.objects.filter(payment=payment).exists()
    assert not LedgerEntry.objects.filter(booking=booking).exists()

    booking = _signed_off(booking)
    payment = payment_of(booking)
    charge = payment.amount_minor
    assert booking.status == BookingStatus.SIGNED_OFF
    assert (payment.status, payment.due_minor) == (PaymentStatus.DUE, charge)
    intent = stripe_gateway.payment_intent_retrieve(
        account_id=payment.stripe_account_id, intent_id=str(payment.payment_intent_id)
    )
    assert (intent.status, intent.amount, intent.application_fee_amount) == (
        "requires_payment_method",
        charge,
        None,
    )
    assert [m.to for m in mail.outbox if "TWINT" in m.subject] == [
        [booking.help_request.customer.email]
    ]

    as_customer = client_for(booking.help_request.customer)
    shown = as_customer.get(f"{API}/bookings/{booking.public_id}/payment").json()
    assert (shown["status"], shown["pay_with"], shown["due_minor"]) == ("due", "twint", charge)

    first = _pay(booking, "pay-1")
    assert first["status"] == "due"
    assert first["redirect_url"].startswith(stripe_gateway.config().stripe_api_base)
    # Asking again while TWINT's page waits gives the same page, and confirms nothing twice.
    again = _pay(booking, "pay-2")
    assert again["redirect_url"] == first["redirect_url"]
    assert StripeRequest.objects.filter(payment=payment, action="pay_after_confirm").count() == 1

    back = _answer_at_twint(first["redirect_url"], "authorize")
    assert back["redirect_status"] == ["succeeded"]
    assert back["payment_intent"] == [payment.payment_intent_id]
    # Not paid in our books until Stripe says so (the webhook, or the customer's return).
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SIGNED_OFF

    outcome = _deliver(payment, "evt_twint_paid", "payment_intent.succeeded")
    assert outcome["outcome"] == "applied"
    payment.refresh_from_db()
    fee = (charge * 29 + 500) // 1000 + 30
    assert (payment.status, payment.captured_minor, payment.stripe_fee_minor) == (
        PaymentStatus.CAPTURED,
        charge,
        fee,
    )
    assert payment.authorised_minor == charge
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SETTLED
    balances = assert_books_balance(booking)
    assert balances == {
        "customer": -charge,
        "hold": 0,
        "helper": charge - fee,
        "stripe": fee,
        "quartier": 0,
    }
    assert list(
        LedgerEntry.objects.filter(booking=booking).values_list("kind", "debit", "credit")
    ) == [("captured", "customer", "helper"), ("stripe_fee", "helper", "stripe")]

    receipt = as_customer.get(f"{API}/bookings/{booking.public_id}/receipt")
    assert receipt.status_code == 200, receipt.content
    body = receipt.json()
    assert (body["charged_minor"], body["stripe_fee_minor"], body["quartier_fee_minor"]) == (
        charge,
        fee,
        0,
    )
    assert body["helper_receives_minor"] == charge - fee

    # The same event again, and a late one from before: nothing moves.
    assert _deliver(payment, "evt_twint_paid", "payment_intent.succeeded")["outcome"] == "applied"
    late = _deliver(payment, "evt_twint_action", "payment_intent.requires_action")
    assert late["outcome"] == "ignored: not a type Quartier acts on"
    assert WebhookEvent.objects.filter(stripe_event_id="evt_twint_paid").count() == 1
    assert LedgerEntry.objects.filter(booking=booking).count() == 2
    # Nothing left to pay.
    paid_again = as_customer.post(
        f"{API}/bookings/{booking.public_id}/payment/pay",
        {"return_url": RETURN_URL},
        format="json",
    )
    assert_error(paid_again, 409, "payment_not_expected")
    assert reconcile() == []


def test_a_failed_try_stays_due_and_the_next_try_is_a_new_attempt_taken_on_return():
    booking = _signed_off(_twint_booking())
    payment = payment_of(booking)
    first = _pay(booking, "try-1")
    back = _answer_at_twint(first["redirect_url"], "fail")
    assert back["redirect_status"] == ["failed"]

    second = _pay(booking, "try-2")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.DUE
    assert payment.attempt == 2
    assert payment.failure_code == "payment_intent_authentication_failure"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SIGNED_OFF
    assert not LedgerEntry.objects.filter(booking=booking).exists()
    keys = set(
        StripeRequest.objects.filter(payment=payment, action="pay_after_confirm").values_list(
            "idempotency_key", flat=True
        )
    )
    assert keys == {
        f"quartier:{payment.public_id}:pay-after-confirm:1",
        f"quartier:{payment.public_id}:pay-after-confirm:2",
    }

    _answer_at_twint(second["redirect_url"], "authorize")
    # Back from TWINT before any webhook: the next call takes the payment from Stripe's state.
    third = _pay(booking, "try-3")
    assert (third["status"], third["redirect_url"]) == ("captured", "")
    payment.refresh_from_db()
    assert payment.failure_code == ""
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SETTLED
    assert_books_balance(booking)
    # One PaymentIntent for the payment in all.
    intents = stripe_gateway.payment_intents_list(account_id=payment.stripe_account_id)
    assert [intent.id for intent in intents] == [payment.payment_intent_id]
    assert reconcile() == []


def test_an_automatic_sign_off_makes_it_due_too():
    booking = completed(_twint_booking())
    assert booking.checked_out_at is not None
    with time_machine.travel(booking.checked_out_at + timedelta(hours=49), tick=False):
        bookings.booking_auto_sign_off(booking=booking)
        relay_pending()
    assert payment_of(booking).status == PaymentStatus.DUE
    _answer_at_twint(_pay(booking, "auto")["redirect_url"], "authorize")
    _pay(booking, "auto-back")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SETTLED
    assert_books_balance(booking)


def test_a_customers_late_cancellation_makes_only_the_fee_due():
    booking = _twint_booking()
    answer = client_for(booking.help_request.customer).post(
        f"{API}/bookings/{booking.public_id}/cancel", {"reason": "Away after all"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    relay_pending()
    booking = Booking.objects.get(pk=booking.pk)
    assert (booking.status, booking.is_late_cancellation) == (BookingStatus.CANCELLED, True)
    payment = payment_of(booking)
    fee = payment.amount_minor * config().cancellation_fee_percent // 100
    assert fee > 0
    assert (payment.status, payment.due_minor, payment.is_cancellation_fee) == (
        PaymentStatus.DUE,
        fee,
        True,
    )
    _answer_at_twint(_pay(booking, "fee")["redirect_url"], "authorize")
    paid = _pay(booking, "fee-back")
    assert (paid["status"], paid["captured_minor"]) == ("captured", fee)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert list(LedgerEntry.objects.filter(booking=booking).values_list("kind", flat=True)) == [
        "cancellation_fee",
        "stripe_fee",
    ]
    assert_books_balance(booking)
    assert reconcile() == []


def test_a_helpers_cancellation_costs_a_twint_customer_nothing():
    booking = _twint_booking()
    bookings.booking_cancel(booking=booking, actor=booking.helper.user, reason="I am ill")
    relay_pending()
    payment = payment_of(booking)
    assert (payment.status, payment.payment_intent_id) == (PaymentStatus.RELEASED, None)
    assert not StripeRequest.objects.filter(payment=payment).exists()
    assert not LedgerEntry.objects.filter(booking=booking).exists()


def test_an_unpaid_visit_is_reminded_until_it_is_paid():
    booking = _signed_off(_twint_booking())
    payment = payment_of(booking)
    queued = DBTaskResult.objects.filter(task_path="payments.tasks.remind_pay_after")
    assert list(queued.values_list("args_kwargs", flat=True)) == [
        {"args": [payment.pk, 1], "kwargs": {}}
    ]
    mail.outbox.clear()
    assert tasks.remind_pay_after.call(payment.pk, 1) == "reminded 1"
    assert [m.subject.startswith("Reminder") for m in mail.outbox] == [True]
    assert queued.count() == 2  # the next one

    _answer_at_twint(_pay(booking, "late")["redirect_url"], "authorize")
    _pay(booking, "late-back")
    mail.outbox.clear()
    assert tasks.remind_pay_after.call(payment.pk, 2) == "paid"
    assert mail.outbox == []
    assert queued.count() == 2


def test_a_twint_payment_can_be_refunded_in_part():
    booking = _signed_off(_twint_booking())
    _answer_at_twint(_pay(booking, "r")["redirect_url"], "authorize")
    _pay(booking, "r-back")
    payment = payment_of(booking)
    refunded = client_for(booking.helper.user).post(
        f"{API}/bookings/{booking.public_id}/payment/refunds",
        {"amount_minor": 500, "reason": "Finished early"},
        format="json",
    )
    assert refunded.status_code == 200, refunded.content
    assert (refunded.json()["status"], refunded.json()["refunded_minor"]) == ("captured", 500)
    payment.refresh_from_db()
    assert payment.refunded_minor == 500
    assert_books_balance(booking)
    assert reconcile() == []


def test_twint_takes_swiss_francs_only_and_changes_nothing():
    helper = connected_helper()
    customer = UserFactory.create(preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    Booking.objects.filter(pk=booking.pk).update(currency="EUR")
    answer = client_for(customer).post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": "twint"},
        format="json",
    )
    assert_error(answer, 409, "payment_method_unavailable")
    assert not Payment.objects.filter(booking=booking).exists()


def test_the_emulator_refuses_a_held_twint_payment_as_stripe_does():
    helper = connected_helper()
    payment_account = helper.payout_account.stripe_account_id
    with pytest.raises(stripe_gateway.PaymentProviderRefused):
        stripe_gateway._call(
            lambda: stripe_gateway.client().v1.payment_intents.create(
                {
                    "amount": 5000,
                    "currency": "chf",
                    "capture_method": "manual",
                    "allowed_payment_method_types": ["twint"],
                },
                {"stripe_account": str(payment_account)},
            )
        )
