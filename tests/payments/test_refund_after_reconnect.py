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

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking
from payments import refunds, stripe_gateway
from payments.exceptions import PaymentProviderRefused
from payments.models import LedgerEntry, Payment, PaymentEvent, StripeRequest
from tests.api.api_assertions import API, token_client
from tests.factories import ManagerFactory
from tests.payments.money import completed, held_booking, payment_of
from tests.payments.test_disconnected_account import _deauthorize, _deliver
from tests.payments.test_tip_after_reconnect import _settled_then_reconnected
from tests.realtime.helpers import api_token

pytestmark = pytest.mark.django_db

TO_THE_MANAGER = {
    "fr": "Ce paiement a été encaissé sur l’ancien compte de versement de la personne aidante, qui a été "
    "déconnecté de Quartier : Quartier ne peut donc plus le rembourser. Veuillez demander à "
    "la personne aidante de rembourser la cliente ou le client depuis ce compte chez Stripe, ou de lui rendre "
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


NOT_YET_RECONNECTED = {
    "manager_fr": "Ce paiement a été encaissé sur le compte de versement de la personne aidante, qui est "
    "déconnecté de Quartier : Quartier ne peut donc plus le rembourser, même si la personne aidante connecte à "
    "nouveau un compte de versement. Veuillez demander à la personne aidante de rembourser la cliente ou le "
    "client depuis ce compte chez Stripe, ou de lui rendre le montant directement.",
    "helper_it": "Questo pagamento è stato incassato sul suo conto di versamento, che è "
    "scollegato da Quartier: Quartier non può quindi più rimborsarlo, nemmeno collegando di nuovo "
    "un conto di versamento. Rimborsi l’importo da quel conto presso Stripe o lo restituisca "
    "direttamente alla cliente o al cliente.",
}


def _settled_then_disconnected(client: Client) -> Booking:
    """A visit paid and settled; then the helper's account removes Quartier's access, and the
    helper has not connected another one yet."""
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    _deliver(client, _deauthorize(booking.helper))
    relay_pending()
    payment = payment_of(booking)
    assert payment.status == "captured"
    account = payment.payout_account
    assert account is not None
    assert payment.intent_account_id == account.stripe_account_id
    assert account.is_disconnected
    return booking


def test_before_the_helper_reconnects_the_words_name_the_disconnected_account_not_a_previous_one(
    client,
):
    booking = _settled_then_disconnected(client)
    before = _state()

    # When the manager asks for a refund in French
    answer = token_client(api_token(ManagerFactory.create())).post(
        f"{API}/bookings/{booking.public_id}/payment/refunds",
        {"amount_minor": 500, "reason": "Le routeur n’a pas été installé."},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # And the helper in Italian
    with translation.override("it"), pytest.raises(PaymentProviderRefused) as refused:
        refunds.payment_refund(
            payment=payment_of(booking),
            actor=booking.helper.user,
            amount_minor=500,
            reason="Il router non è stato installato.",
        )

    # Then both are refused with words for an account disconnected and not replaced yet
    assert answer.status_code == 409, answer.content
    assert answer.json() == {
        "code": "payment_not_refundable",
        "message": NOT_YET_RECONNECTED["manager_fr"],
        "fields": {},
    }
    assert (refused.value.code, refused.value.message) == (
        "payment_not_refundable",
        NOT_YET_RECONNECTED["helper_it"],
    )
    # And nothing changed
    assert _state() == before
