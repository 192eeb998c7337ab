"""A card given for a hold still to be placed, on a helper's payout account, cannot be held
once the helper has reconnected a new account (the card lives on the old one). The moment the
new account takes card payments, the card is asked for again (nothing is asked of Stripe): both
sides are told in their own language, the visit's page and the API say why, and the visit stays
confirmed; the card given again is held on the new account. A held card, the visits of other
helpers and a repeated `account.updated` change nothing."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from backend.models import User
from backend.relay import relay_pending
from bookings.models import Booking, BookingStatus
from helpers.models import HelperProfile
from payments import emails, payouts, stripe_gateway
from payments.exceptions import PaymentProviderRefused
from payments.models import (
    LedgerEntry,
    Payment,
    PaymentStatus,
    PayoutAccount,
    StripeRequest,
    WebhookEvent,
)
from payments.tasks import place_hold
from tests.api.api_assertions import API, token_client
from tests.factories import UserFactory
from tests.payments.money import (
    card,
    connected_helper,
    days_ahead,
    event_payload,
    held_booking,
    payment_of,
    set_account_state,
)
from tests.payments.test_disconnected_account import _deauthorize, _deliver
from tests.payments.test_disconnected_ahead import (
    HELPER_WARNING,
    _anna_with_visits,
    _api_warning,
    _when,
)
from tests.realtime.helpers import api_token
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _relay_all() -> None:
    while relay_pending():
        pass


def _reconnected(helper: HelperProfile) -> str:
    """The helper (their account disconnected) connects a new one that takes charges."""
    account, _url = payouts.payout_account_onboard(
        actor=helper.user, return_url="http://testserver/done", refresh_url="http://testserver/a"
    )
    set_account_state(helper, "payouts_enabled")
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    _relay_all()
    account.refresh_from_db()
    assert account.can_take_payments
    return str(account.stripe_account_id)


CARD_AGAIN = (
    "La personne aidante a connecté un nouveau compte de versement depuis que vous avez donné votre carte, et "
    "une carte donnée pour l’ancien compte ne peut pas être débitée sur le nouveau. Rien n’a été "
    "débité, et la visite reste réservée : veuillez saisir à nouveau votre carte pour que la "
    "visite puisse avoir lieu."
)


def _deferred_then_disconnected(client: Client) -> tuple[Booking, str, str]:
    """Claire (French) confirmed a visit with Anna (German) eight days out, her card kept for
    a hold two days before; then Anna's account is disconnected. The old account and card."""
    start = days_ahead(8)
    anna = connected_helper(preferred_language="de", display_name="Anna Meier")
    claire = UserFactory.create(preferred_language="fr", display_name="Claire Dubois")
    booking = held_booking(helper=anna, customer=claire, start=start)
    payment = payment_of(booking)
    old = str(anna.payout_account.stripe_account_id)
    assert (payment.status, payment.method_account_id) == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        old,
    )
    _deliver(client, _deauthorize(anna))
    _relay_all()
    mail.outbox.clear()
    return booking, old, payment.payment_method_id


def test_stripe_refuses_the_old_card_on_the_new_account(client):
    # Why the hold must not simply be tried: the card lives on the old account only
    booking, old, old_card = _deferred_then_disconnected(client)
    new = _reconnected(booking.helper)
    assert new != old
    payment = payment_of(booking)
    with pytest.raises(PaymentProviderRefused):
        stripe_gateway.payment_intent_create(
            account_id=new,
            amount=payment.amount_minor,
            currency=payment.currency,
            payment_method=old_card,
            idempotency_key=f"test:{payment.pk}:old-card-on-new-account",
            metadata={},
        )


def test_coming_back_from_onboarding_asks_for_the_card_again_at_once_and_tells_both(client):
    booking, old, _old_card = _deferred_then_disconnected(client)
    payment = payment_of(booking)
    claire, anna = booking.help_request.customer, booking.helper.user
    assert booking.starts_at is not None
    hold_day = booking.starts_at - timedelta(days=2)

    # When Anna connects a new account and comes back from Stripe's onboarding, eight days
    # before the visit
    account, _url = payouts.payout_account_onboard(
        actor=anna, return_url="http://testserver/done", refresh_url="http://testserver/a"
    )
    set_account_state(booking.helper, "payouts_enabled")
    _logged_in(client, anna, "de")
    assert client.get("/helper/payouts/back").status_code == 302
    _relay_all()
    new = str(account.stripe_account_id)
    assert new != old

    # Then nothing is asked of Stripe: the payment waits for the card again, and says why
    payment.refresh_from_db()
    assert (
        payment.status,
        payment.failure_code,
        payment.payment_method_id,
        payment.method_account_id,
        payment.attempt,
        payment.payment_intent_id,
        payment.authorised_minor,
    ) == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        "card_on_previous_payout_account",
        "",
        "",
        2,
        None,
        0,
    )
    assert list(StripeRequest.objects.filter(payment=payment)) == []
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    # And the visit is not cancelled
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    # And both are told now, each in their own language
    with translation.override("fr"), timezone.override("Europe/Zurich"):
        when_fr = emails._visit_time(booking)
    with translation.override("de"), timezone.override("Europe/Zurich"):
        when_de = emails._visit_time(booking)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (claire.email, f"Veuillez saisir à nouveau votre carte pour la visite du {when_fr}"),
            (
                anna.email,
                "Die Karte der Kundin oder des Kunden für den Besuch am "
                f"{when_de} wird erneut angefragt",
            ),
        ]
    )
    to_claire = next(m for m in mail.outbox if m.to == [claire.email])
    assert to_claire.body == (
        "Bonjour Claire Dubois,\n\nAnna Meier a connecté un nouveau compte de versement à "
        "Quartier depuis que vous avez donné votre carte pour la visite du "
        f"{when_fr}, et une carte donnée pour l’ancien compte ne peut pas être débitée sur le "
        "nouveau. Rien n’a été débité, et la visite reste réservée.\n\nVeuillez ouvrir la "
        "visite dans l’application Quartier et saisir à nouveau votre carte, afin que "
        "CHF 40.00 puisse y être réservé. Tant que le montant n’est pas réservé, la visite ne "
        "peut pas commencer.\n\nQuartier"
    )
    to_anna = next(m for m in mail.outbox if m.to == [anna.email])
    assert to_anna.body.startswith(
        f"Hallo Anna Meier,\n\ndie Karte von Claire Dubois für den Besuch am {when_de} wurde "
        "für das Auszahlungskonto angegeben, das Sie vor Ihrem neuen hatten"
    )

    # And Claire's page asks for the card again at once, on the new account, saying why, as
    # the API does (no warning that the visit will not be paid any more)
    _logged_in(client, claire, "fr")
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    words = page.split('id="card-not-held">')[1].split("</p>")[0]
    assert html.unescape(" ".join(words.split())) == CARD_AGAIN
    assert f'data-account="{new}"' in page
    assert 'id="payment-lost-ahead"' not in page
    answer = token_client(api_token(claire)).get(f"{API}/bookings/{booking.public_id}/payment")
    assert answer.status_code == 200
    assert (
        answer.json()["failure_code"],
        answer.json()["stripe_account"],
        answer.json()["payout_warning"],
    ) == ("card_on_previous_payout_account", new, None)

    # When the day of the hold comes, the worker finds no card and tells nobody again
    mail.outbox.clear()
    with time_machine.travel(hold_day, tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.REQUIRES_PAYMENT_METHOD
        _relay_all()
    assert mail.outbox == []
    payment.refresh_from_db()
    assert (payment.attempt, payment.failure_code) == (2, "card_on_previous_payout_account")
    assert list(StripeRequest.objects.filter(payment=payment)) == []

    # When she gives the card again, it is held on the new account when the hold falls due
    with time_machine.travel(hold_day + timedelta(hours=1), tick=False):
        response = client.post(
            f"/requests/{booking.help_request.public_id}/card",
            {"card-payment_method": card(booking.helper)},
        )
        _relay_all()
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.authorised_minor, payment.intent_account_id) == (
        PaymentStatus.AUTHORISED,
        payment.amount_minor,
        new,
    )
    assert payment.failure_code == ""
    assert sorted(m.to[0] for m in mail.outbox) == sorted([claire.email, anna.email])
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def _payments() -> dict[int, tuple[object, ...]]:
    return {
        row[0]: row[1:]
        for row in Payment.objects.values_list(
            "pk",
            "status",
            "failure_code",
            "attempt",
            "payment_method_id",
            "method_account_id",
            "payment_intent_id",
            "intent_account_id",
            "authorised_minor",
            "captured_minor",
            "updated_at",
        )
    }


def _account_updated(event_id: str, account: str, *, charges: bool) -> dict[str, Any]:
    obj = {
        "id": account,
        "object": "account",
        "details_submitted": True,
        "charges_enabled": charges,
        "payouts_enabled": charges,
    }
    return dict(json.loads(event_payload(event_id, "account.updated", obj, account)))


def test_account_updated_asks_again_only_for_cards_given_on_the_old_account_and_only_once(
    client,
):
    # Given Anna's visit tomorrow, its card held, and one eight days out, its card given for a
    # hold two days before; Bruno (another helper) with a visit held and one eight days out
    anna, visits = _anna_with_visits()
    held, deferred, other = visits["held"], visits["deferred"], visits["other"]
    other_deferred = held_booking(helper=other.helper, start=days_ahead(8))
    assert payment_of(other_deferred).status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    # And Anna's account disconnected, then a new one created, its details still checked
    _deliver(client, _deauthorize(anna))
    _relay_all()
    account, _url = payouts.payout_account_onboard(
        actor=anna.user, return_url="http://testserver/done", refresh_url="http://testserver/a"
    )
    new = str(account.stripe_account_id)
    mail.outbox.clear()
    before = _payments()

    # When Stripe says the new account cannot take charges yet, nothing is asked
    _deliver(client, _account_updated("evt_new_pending", new, charges=False))
    _relay_all()
    assert PayoutAccount.objects.get(pk=account.pk).status == "pending_verification"
    assert _payments() == before
    assert mail.outbox == []

    # When Stripe says it takes charges
    _deliver(client, _account_updated("evt_new_enabled", new, charges=True))
    _relay_all()

    # Then only the card given on the old account for Anna's deferred hold is asked for again
    after = _payments()
    deferred_pk = payment_of(deferred).pk
    assert {pk: row for pk, row in after.items() if pk != deferred_pk} == {
        pk: row for pk, row in before.items() if pk != deferred_pk
    }
    assert after[deferred_pk][:7] == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        "card_on_previous_payout_account",
        before[deferred_pk][2] + 1,
        "",
        "",
        None,
        "",
    )
    assert PayoutAccount.objects.get(pk=account.pk).status == "payouts_enabled"
    assert WebhookEvent.objects.get(stripe_event_id="evt_new_enabled").outcome == "applied"
    assert not StripeRequest.objects.filter(payment__pk=deferred_pk).exists()
    # And its customer and Anna are told, each in their own language
    lia = deferred.help_request.customer
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (
                lia.email,
                f"Inserisca di nuovo la sua carta per la visita in data {_when(deferred, 'it')}",
            ),
            (
                anna.user.email,
                "Die Karte der Kundin oder des Kunden für den Besuch am "
                f"{_when(deferred, 'de')} wird erneut angefragt",
            ),
        ]
    )
    # And the card held on the old account keeps its warning
    assert payment_of(held).account_lost is True
    assert _api_warning(User.objects.get(pk=anna.user_id), held) == HELPER_WARNING["de"]

    # When the same event comes again, or another one saying the same, or the helper comes back
    # from the onboarding page once more, nothing changes and nobody is told twice
    mail.outbox.clear()
    _deliver(client, _account_updated("evt_new_enabled", new, charges=True))
    _deliver(client, _account_updated("evt_new_enabled_again", new, charges=True))
    payouts.payout_account_sync(stripe_account_id=new)
    _relay_all()
    assert _payments() == after
    assert mail.outbox == []


def test_a_hold_on_the_account_the_card_was_given_on_is_placed_as_before():
    start = days_ahead(8)
    booking = held_booking(start=start)
    payment = payment_of(booking)
    mail.outbox.clear()

    with time_machine.travel(start - timedelta(days=2), tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.AUTHORISED
        _relay_all()

    payment.refresh_from_db()
    assert payment.intent_account_id == payment.method_account_id
    assert payment.failure_code == ""
    assert mail.outbox == []
