"""A deferred hold due after the helper reconnected a new payout account: the card was given on
the old account, so it cannot be held on the new one. The payment asks for the card again
(nothing is asked of Stripe), both sides are told in their own language, the visit's page says
why, and the visit stays confirmed; the card given again is held at once."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from backend.relay import relay_pending
from bookings.models import Booking, BookingStatus
from helpers.models import HelperProfile
from payments import emails, payouts, stripe_gateway
from payments.exceptions import PaymentProviderRefused
from payments.models import LedgerEntry, PaymentStatus, StripeRequest
from payments.tasks import place_hold
from tests.factories import UserFactory
from tests.payments.money import (
    card,
    connected_helper,
    days_ahead,
    held_booking,
    payment_of,
    set_account_state,
)
from tests.payments.test_disconnected_account import _deauthorize, _deliver
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _relay_all() -> None:
    while relay_pending():
        pass


def _reconnected(client: Client, helper: HelperProfile) -> str:
    """The helper's account is disconnected, then a new one connected that takes charges."""
    _deliver(client, _deauthorize(helper))
    _relay_all()
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
    "L’aide a connecté un nouveau compte de versement depuis que vous avez donné votre carte, et "
    "une carte donnée pour l’ancien compte ne peut pas être débitée sur le nouveau. Rien n’a été "
    "débité, et la visite reste réservée : veuillez saisir à nouveau votre carte pour que la "
    "visite puisse avoir lieu."
)


def _deferred_then_reconnected(client: Client) -> tuple[Booking, str, str]:
    """Claire (French) confirmed a visit with Anna (German) eight days out, her card kept for
    a hold two days before; then Anna's account is disconnected and a new one connected."""
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
    new = _reconnected(client, anna)
    assert new != old
    mail.outbox.clear()
    return booking, old, new


def test_stripe_refuses_the_old_card_on_the_new_account(client):
    # Why the hold must not simply be tried: the card lives on the old account only
    booking, _old, new = _deferred_then_reconnected(client)
    payment = payment_of(booking)
    with pytest.raises(PaymentProviderRefused):
        stripe_gateway.payment_intent_create(
            account_id=new,
            amount=payment.amount_minor,
            currency=payment.currency,
            payment_method=payment.payment_method_id,
            idempotency_key=f"test:{payment.pk}:old-card-on-new-account",
            metadata={},
        )


def test_a_deferred_hold_after_reconnecting_asks_for_the_card_again_and_tells_both(client):
    booking, _old, new = _deferred_then_reconnected(client)
    payment = payment_of(booking)
    claire, anna = booking.help_request.customer, booking.helper.user
    assert booking.starts_at is not None
    hold_day = booking.starts_at - timedelta(days=2)

    # When the worker places the hold two days before the visit
    with time_machine.travel(hold_day, tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.REQUIRES_PAYMENT_METHOD
        _relay_all()

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
    # And both are told, each in their own language
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

    # And Claire's page asks for the card again, on the new account, saying why
    _logged_in(client, claire, "fr")
    with time_machine.travel(hold_day, tick=False):
        page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    words = page.split('id="card-not-held">')[1].split("</p>")[0]
    assert html.unescape(" ".join(words.split())) == CARD_AGAIN
    assert f'data-account="{new}"' in page

    # When she gives the card again, it is held at once on the new account
    mail.outbox.clear()
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
