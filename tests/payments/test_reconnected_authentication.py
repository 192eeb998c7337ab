"""A hold waiting for 3-D Secure on the helper's payout account, when the card is asked for again
because the helper reconnected a new account: the PaymentIntent waiting there can no longer take
the payment, so it is cancelled at Stripe (or, when the old account refuses Quartier as Stripe
does after it removed Quartier's access, left to lapse) and closed in Quartier. The customer's
page no longer offers to confirm it with the bank, a late event about it changes nothing, and the
payment keeps waiting for the card given again: nothing is held, released or booked."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from bookings.models import Booking, BookingStatus
from payments import stripe_gateway
from payments.authentication import payment_authentication_finished
from payments.exceptions import PaymentProviderRefused
from payments.models import LedgerEntry, Payment, PaymentEvent, PaymentStatus, StripeRequest
from payments.services import payment_card_ask_again
from payments.steps import _lock
from payments.tasks import place_hold
from tests.factories import UserFactory
from tests.payments.money import (
    THREE_D_SECURE_CARD,
    connected_helper,
    days_ahead,
    event_payload,
    held_booking,
    payment_of,
    sign,
)
from tests.payments.test_disconnected_account import _deauthorize, _deliver
from tests.payments.test_reconnected_hold import CARD_AGAIN, _reconnected, _relay_all
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _waiting_for_3d_secure() -> tuple[Booking, Payment]:
    """Claire's visit with Anna eight days out: the hold placed two days before asked for 3-D
    Secure, and she has not confirmed it yet."""
    start = days_ahead(8)
    anna = connected_helper(preferred_language="de", display_name="Anna Meier")
    claire = UserFactory.create(preferred_language="fr", display_name="Claire Dubois")
    booking = held_booking(helper=anna, customer=claire, number=THREE_D_SECURE_CARD, start=start)
    payment = payment_of(booking)
    with time_machine.travel(start - timedelta(days=2), tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.REQUIRES_PAYMENT_METHOD
        _relay_all()
    payment.refresh_from_db()
    assert payment.failure_code == "authentication_required"
    assert payment.authentication_intent_id.startswith("pi_")
    assert payment.method_account_id == anna.payout_account.stripe_account_id
    return booking, payment


def _intent_event(event_id: str, intent_id: str, status: str, account: str) -> bytes:
    return event_payload(
        event_id,
        f"payment_intent.{status}",
        {"id": intent_id, "object": "payment_intent", "status": status},
        account,
    )


def test_reconnecting_closes_the_confirmation_waiting_on_the_old_account(client):
    booking, payment = _waiting_for_3d_secure()
    old, intent_id = payment.method_account_id, payment.authentication_intent_id
    _deliver(client, _deauthorize(booking.helper))
    _relay_all()
    mail.outbox.clear()

    # When Anna connects a new account that takes payments
    new = _reconnected(booking.helper)

    # Then the card is asked for again and the confirmation on the old account is closed
    payment.refresh_from_db()
    assert (
        payment.status,
        payment.failure_code,
        payment.payment_method_id,
        payment.method_account_id,
        payment.authentication_intent_id,
        payment.authentication_client_secret,
        payment.payment_intent_id,
    ) == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        "card_on_previous_payout_account",
        "",
        "",
        "",
        "",
        None,
    )
    # And Stripe was asked to cancel it on the old account, which refuses Quartier now
    asked = StripeRequest.objects.get(payment=payment, action="authentication_cancel")
    assert (asked.idempotency_key, asked.stripe_object_id) == (
        f"quartier:{payment.public_id}:authentication-cancel:2",
        "",
    )
    closed = PaymentEvent.objects.get(payment=payment, reason__startswith="3-D Secure")
    assert (closed.from_status, closed.to_status, closed.data) == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        {"authentication_intent": intent_id, "cancelled_at_stripe": False},
    )
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    # And both sides are told once that the card is asked for again
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [booking.help_request.customer.email, booking.helper.user.email]
    )

    # And Claire's page asks for her card on the new account, with no bank confirmation left
    _logged_in(client, booking.help_request.customer, "fr")
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    words = page.split('id="card-not-held">')[1].split("</p>")[0]
    assert html.unescape(" ".join(words.split())) == CARD_AGAIN
    assert f'data-account="{new}"' in page
    assert f'data-account="{old}"' not in page
    assert "data-secret" not in page
    assert "data-authenticate-form" not in page
    # And there is nothing left to confirm with the bank
    before = list(Payment.objects.filter(pk=payment.pk).values())
    with pytest.raises(PaymentProviderRefused) as refused:
        payment_authentication_finished(payment=payment, actor=booking.help_request.customer)
    assert refused.value.code == "payment_not_expected"
    assert list(Payment.objects.filter(pk=payment.pk).values()) == before
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_a_confirmation_stripe_still_answers_for_is_cancelled_there_and_a_late_event_changes_nothing(
    client,
):
    # Given a hold waiting for 3-D Secure on the account the card was given on, which still
    # answers Quartier
    booking, payment = _waiting_for_3d_secure()
    account, intent_id = payment.method_account_id, payment.authentication_intent_id
    mail.outbox.clear()

    # When the card is asked for again as given on a previous account
    with transaction.atomic():
        _booking, locked = _lock(payment)
        payment_card_ask_again(payment=locked, failure_code="card_on_previous_payout_account")

    # Then the PaymentIntent is cancelled at Stripe, and closed in Quartier without releasing
    # the payment, which waits for the card
    at_stripe = stripe_gateway.payment_intent_retrieve(account_id=account, intent_id=intent_id)
    assert at_stripe.status == "canceled"
    payment.refresh_from_db()
    assert (payment.status, payment.authentication_intent_id, payment.payment_intent_id) == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        "",
        None,
    )
    assert (
        StripeRequest.objects.get(payment=payment, action="authentication_cancel").stripe_object_id
        == intent_id
    )
    assert PaymentEvent.objects.get(payment=payment, reason__startswith="3-D Secure").data == {
        "authentication_intent": intent_id,
        "cancelled_at_stripe": True,
    }
    before = list(Payment.objects.filter(pk=payment.pk).values())

    # When Stripe's event about the cancelled intent arrives
    payload = _intent_event("evt_3ds_cancelled", intent_id, "canceled", account)
    answer = client.post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload)},
    )

    # Then it finds no payment: nothing is released
    assert answer.status_code == 200
    assert list(Payment.objects.filter(pk=payment.pk).values()) == before
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
