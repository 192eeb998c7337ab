"""A card given for a helper's proposed times, before a time is confirmed, on the helper's
payout account: once the helper has reconnected a new account that takes payments, the card
cannot be held there (it lives on the old one). It is asked for again at that moment, as for
the confirmed visits, not only once the customer confirms a time: both sides are told in their
own language, the request page asks for the card on the new account and says why, and no time
can be confirmed from the page before it is given. The card given again is held on the new
account when a time is confirmed; a repeated event asks nothing twice."""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.test import Client

from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments import payouts, services
from payments.models import LedgerEntry, Payment, PaymentStatus, StripeRequest
from tests.factories import UserFactory, make_booking
from tests.payments.money import card, connected_helper, days_ahead, payment_of
from tests.payments.test_disconnected_account import _deauthorize, _deliver
from tests.payments.test_reconnected_hold import _reconnected, _relay_all
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

ASKED_AGAIN_FR = (
    "La personne aidante a connecté un nouveau compte de versement depuis que vous avez donné votre carte, et "
    "une carte donnée pour l’ancien compte ne peut pas être débitée sur le nouveau. Rien n’a été "
    "débité : veuillez saisir à nouveau votre carte pour confirmer un horaire."
)


def _card_given_then_disconnected(client: Client) -> tuple[Booking, str]:
    """Anna (German) proposed times to Claire (French), who gave her card before choosing one;
    then Anna's account removed Quartier's access. The old account."""
    anna = connected_helper(preferred_language="de", display_name="Anna Meier")
    claire = UserFactory.create(preferred_language="fr", display_name="Claire Dubois")
    booking = make_booking(
        BookingStatus.PROPOSED, helper=anna, customer=claire, start=days_ahead(3)
    )
    services.payment_method_set(booking=booking, actor=claire, payment_method_id=card(anna))
    old = str(anna.payout_account.stripe_account_id)
    assert payment_of(booking).method_account_id == old
    _deliver(client, _deauthorize(anna))
    _relay_all()
    mail.outbox.clear()
    return booking, old


def _row(payment: Payment) -> tuple[object, ...]:
    payment.refresh_from_db()
    return (
        payment.status,
        payment.failure_code,
        payment.payment_method_id,
        payment.method_account_id,
        payment.attempt,
        payment.payment_intent_id,
        payment.updated_at,
    )


def test_reconnecting_asks_for_the_card_given_before_confirming_and_tells_both(client):
    booking, old = _card_given_then_disconnected(client)
    claire, anna = booking.help_request.customer, booking.helper.user
    payment = payment_of(booking)

    # When Anna connects a new account that takes payments
    new = _reconnected(booking.helper)

    # Then the card given on the old account is forgotten and asked for again, nothing asked
    # of Stripe, and the visit still waits for a time to be confirmed
    assert new != old
    assert _row(payment)[:6] == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        "card_on_previous_payout_account",
        "",
        "",
        2,
        None,
    )
    assert not StripeRequest.objects.filter(payment=payment).exists()
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PROPOSED
    # And both are told now, each in their own language, without a time that is not chosen yet
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (
                claire.email,
                "Veuillez saisir à nouveau votre carte pour confirmer un horaire avec Anna Meier",
            ),
            (
                anna.email,
                "Die Karte von Claire Dubois wird erneut angefragt, bevor eine Zeit bestätigt wird",
            ),
        ]
    )
    to_claire = next(m for m in mail.outbox if m.to == [claire.email])
    assert to_claire.body == (
        "Bonjour Claire Dubois,\n\nAnna Meier a connecté un nouveau compte de versement à "
        "Quartier depuis que vous avez donné votre carte pour les horaires proposés, et une carte "
        "donnée pour l’ancien compte ne peut pas être débitée sur le nouveau. Rien n’a été "
        "débité.\n\nVeuillez ouvrir votre demande dans l’application Quartier, saisir à nouveau "
        "votre carte, puis confirmer l’un des horaires proposés.\n\nQuartier"
    )
    to_anna = next(m for m in mail.outbox if m.to == [anna.email])
    assert to_anna.body == (
        "Hallo Anna Meier,\n\ndie Karte, die Claire Dubois für die von Ihnen vorgeschlagenen "
        "Zeiten angegeben hat, wurde für das Auszahlungskonto angegeben, das Sie vor Ihrem "
        "neuen hatten, und kann daher auf dem neuen Konto nicht belastet werden. Wir haben sie "
        "oder ihn gebeten, die Karte erneut einzugeben, bevor eine Zeit bestätigt wird."
        "\n\nQuartier"
    )

    # And Claire's page asks for the card on the new account, saying why, and offers no time
    # to confirm until it is given
    _logged_in(client, claire, "fr")
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    words = page.split('id="card-not-held">')[1].split("</p>")[0]
    assert html.unescape(" ".join(words.split())) == ASKED_AGAIN_FR
    assert f'data-account="{new}"' in page
    assert "data-card-form" in page
    assert "Saisissez votre carte ci-dessus pour confirmer cet horaire." in page
    assert "Confirmer le" not in page

    # When the same news comes again, nothing changes and nobody is told twice
    mail.outbox.clear()
    before = _row(payment)
    payouts.payout_account_sync(stripe_account_id=new)
    _relay_all()
    assert _row(payment) == before
    assert mail.outbox == []


def test_the_card_given_again_is_held_on_the_new_account_once_a_time_is_confirmed(client):
    booking, _old = _card_given_then_disconnected(client)
    claire = booking.help_request.customer
    new = _reconnected(booking.helper)
    mail.outbox.clear()

    # When Claire gives her card again on the page and confirms a time
    _logged_in(client, claire, "fr")
    answer = client.post(
        f"/requests/{booking.help_request.public_id}/card",
        {"card-payment_method": card(booking.helper)},
    )
    assert answer.status_code == 302
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    assert 'id="card-not-held"' not in page
    bookings.booking_confirm(
        booking=booking, actor=claire, proposal=booking.proposals.get(status="proposed")
    )
    _relay_all()

    # Then the card is held on the new account, and nobody is told of a failure or a recovery
    payment = payment_of(booking)
    assert (
        payment.status,
        payment.intent_account_id,
        payment.method_account_id,
        payment.failure_code,
        payment.authorised_minor,
    ) == (PaymentStatus.AUTHORISED, new, new, "", payment.amount_minor)
    # (only Anna's word that the visit is confirmed)
    assert [(m.to[0], m.subject.split(":")[0]) for m in mail.outbox] == [
        (booking.helper.user.email, "Besuch bestätigt")
    ]
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
