"""A refund of a visit paid on the helper's previous payout account, which removed Quartier's
access at Stripe: Stripe refunds a direct charge only on the account it was made on, and that
account answers Quartier nothing any more (the emulator refuses it as Stripe does). So the
refund is refused before anything is asked of Stripe, with words saying what the manager (or
the helper) can do instead, in the reader's language, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from payments import refunds, stripe_gateway
from payments.exceptions import PaymentProviderRefused
from payments.models import LedgerEntry, Payment, PaymentEvent, StripeRequest
from tests.api.api_assertions import API, token_client
from tests.factories import ManagerFactory
from tests.payments.money import payment_of
from tests.payments.test_tip_after_reconnect import _settled_then_reconnected
from tests.realtime.helpers import api_token

pytestmark = pytest.mark.django_db

TO_THE_MANAGER = {
    "fr": "Ce paiement a été encaissé sur l’ancien compte de versement de l’aide, qui a été "
    "déconnecté de Quartier : Quartier ne peut donc plus le rembourser. Veuillez demander à "
    "l’aide de rembourser la cliente ou le client depuis ce compte chez Stripe, ou de lui rendre "
    "le montant directement.",
    "en": "This payment was taken on the helper's previous payout account, which was "
    "disconnected from Quartier, so Quartier can no longer refund it. Please ask the helper to "
    "refund the customer from that account at Stripe, or to pay the amount back to the customer "
    "directly.",
}
TO_THE_HELPER_DE = (
    "Diese Zahlung wurde auf Ihrem früheren Auszahlungskonto eingenommen, das von Quartier "
    "getrennt wurde, daher kann Quartier sie nicht mehr zurückerstatten. Bitte erstatten Sie der "
    "Kundin oder dem Kunden den Betrag über dieses Konto bei Stripe zurück oder zahlen Sie ihn "
    "direkt zurück."
)


def _state() -> dict[str, Any]:
    return {
        "payments": sorted(
            Payment.objects.values_list("pk", "status", "refunded_minor", "updated_at")
        ),
        "events": PaymentEvent.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "stripe_requests": StripeRequest.objects.count(),
    }


def test_stripe_refuses_a_refund_on_the_old_account():
    # Why Quartier cannot refund it: the charge lives on the old account only
    booking, old, _new = _settled_then_reconnected(Client())
    payment = payment_of(booking)
    with pytest.raises(PaymentProviderRefused):
        stripe_gateway.refund_create(
            account_id=old,
            intent_id=str(payment.payment_intent_id),
            amount=500,
            reason="requested_by_customer",
            idempotency_key=f"test:{payment.pk}:refund-on-old-account",
        )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_manager_is_told_what_to_do_and_nothing_changes(client, language):
    booking, _old, _new = _settled_then_reconnected(client)
    before = _state()

    answer = token_client(api_token(ManagerFactory.create())).post(
        f"{API}/bookings/{booking.public_id}/payment/refunds",
        {"amount_minor": 500, "reason": "The router was not set up."},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert answer.status_code == 409, answer.content
    assert answer.json() == {
        "code": "payment_not_refundable",
        "message": TO_THE_MANAGER[language],
        "fields": {},
    }
    assert _state() == before


def test_the_helper_is_told_what_to_do_and_nothing_changes(client):
    booking, _old, _new = _settled_then_reconnected(client)
    before = _state()

    with translation.override("de"), pytest.raises(PaymentProviderRefused) as refused:
        refunds.payment_refund(
            payment=payment_of(booking),
            actor=booking.helper.user,
            amount_minor=500,
            reason="Der Router wurde nicht eingerichtet.",
        )

    assert (refused.value.code, refused.value.message) == (
        "payment_not_refundable",
        TO_THE_HELPER_DE,
    )
    assert _state() == before
