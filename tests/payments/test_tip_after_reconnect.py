"""A tip given after the helper reconnected a new payout account: the visit was paid on the
old account, which removed Quartier's access, so the tip is charged on the helper's account now
and its fee read there, by card or with TWINT; the visit's card, given on the old account,
cannot pay it, which the customer is told, and nothing is written."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking
from helpers.models import HelperProfile
from payments import payouts, stripe_gateway, tips
from payments.models import LedgerEntry, LedgerKind, PayoutAccount, StripeRequest, Tip
from payments.reconciliation import reconcile
from tests.api.api_assertions import API, token_client
from tests.payments.money import (
    assert_books_balance,
    card,
    completed,
    held_booking,
    payment_of,
    set_account_state,
)
from tests.payments.test_disconnected_account import _deauthorize, _deliver
from tests.payments.test_tip_twint import _paid_with_twint, _through_twint
from tests.realtime.helpers import api_token

pytestmark = pytest.mark.django_db


def _reconnect(client: Client, helper: HelperProfile) -> tuple[str, str]:
    """The helper's account removes Quartier's access, then a new one takes payments: the old
    account and the new."""
    old = str(PayoutAccount.objects.get(helper=helper).stripe_account_id)
    _deliver(client, _deauthorize(helper))
    relay_pending()
    account, _url = payouts.payout_account_onboard(
        actor=helper.user, return_url="http://testserver/done", refresh_url="http://testserver/a"
    )
    set_account_state(helper, "payouts_enabled")
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    relay_pending()
    return old, str(account.stripe_account_id)


def _settled_then_reconnected(client: Client) -> tuple[Booking, str, str]:
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    old, new = _reconnect(client, booking.helper)
    payment = payment_of(booking)
    assert (payment.status, payment.intent_account_id, payment.method_account_id) == (
        "captured",
        old,
        old,
    )
    return Booking.objects.get(pk=booking.pk), old, new


def _written() -> tuple[int, int, int]:
    return Tip.objects.count(), LedgerEntry.objects.count(), StripeRequest.objects.count()


def test_a_card_tip_after_reconnecting_goes_to_the_helpers_new_account(client):
    booking, old, new = _settled_then_reconnected(client)
    customer = booking.help_request.customer

    tip = tips.tip_give(
        payment=payment_of(booking),
        actor=customer,
        amount_minor=500,
        payment_method_id=card(booking.helper),
    )

    intent = stripe_gateway.payment_intent_retrieve(account_id=new, intent_id=tip.payment_intent_id)
    assert (intent.status, intent.amount_received, intent.application_fee_amount) == (
        "succeeded",
        500,
        None,
    )
    assert (tip.account_id, tip.amount_minor) == (new, 500)
    assert tip.stripe_fee_minor > 0
    assert tip.account_id != old
    tipped = LedgerEntry.objects.get(booking=booking, kind=LedgerKind.TIPPED)
    assert (tipped.debit, tipped.credit, tipped.amount_minor) == ("customer", "helper", 500)
    assert_books_balance(booking)
    assert reconcile() == []


def test_the_visits_card_from_the_old_account_cannot_pay_the_tip_and_nothing_is_written(client):
    booking, _old, _new = _settled_then_reconnected(client)
    before = _written()

    answer = token_client(api_token(booking.help_request.customer)).post(
        f"{API}/bookings/{booking.public_id}/tip",
        {"amount_minor": 500},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "invalid_payment_method"
    assert body["fields"] == {
        "payment_method": [
            "La carte avec laquelle cette visite a été payée a été donnée pour l’ancien compte "
            "de versement de la personne aidante et ne peut pas être débitée sur le nouveau. Veuillez saisir "
            "une carte pour le pourboire."
        ]
    }
    assert _written() == before


def test_a_twint_tip_after_reconnecting_goes_to_the_helpers_new_account(client):
    booking, browser = _paid_with_twint()
    old, new = _reconnect(client, booking.helper)
    assert payment_of(booking).intent_account_id == old
    pay_url = f"/requests/{booking.help_request.public_id}/pay"

    sent = browser.post(f"{pay_url}/tip", {"tip-amount": "5"})
    assert sent.status_code == 302
    returned = _through_twint(browser, sent["Location"])

    assert returned["Location"] == pay_url
    tip = Tip.objects.get(booking=booking)
    assert (tip.account_id, tip.amount_minor) == (new, 500)
    assert tip.stripe_fee_minor > 0
    intent = stripe_gateway.payment_intent_retrieve(account_id=new, intent_id=tip.payment_intent_id)
    assert intent.status == "succeeded"
    assert_books_balance(booking)
    assert reconcile() == []
