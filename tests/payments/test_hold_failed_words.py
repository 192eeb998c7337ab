"""A hold refused by the customer's bank is explained in the e-mails as on the card's page: the
customer reads why and what to do in their language, the helper a plain sentence in theirs,
without what the customer's bank answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from backend.relay import relay_pending
from payments.models import PaymentStatus
from payments.tasks import place_hold
from tests.factories import UserFactory
from tests.payments.money import (
    THREE_D_SECURE_CARD,
    connected_helper,
    days_ahead,
    held_booking,
    payment_of,
)

pytestmark = pytest.mark.django_db

INSUFFICIENT_FUNDS_CARD = "4000000000009995"
EXPIRED_CARD = "4000000000000069"


def _hold_refused(number: str, *, customer_language: str, helper_language: str) -> tuple:
    start = days_ahead(8)
    customer = UserFactory.create(preferred_language=customer_language, display_name="Claire")
    helper = connected_helper(preferred_language=helper_language, display_name="Marco")
    booking = held_booking(helper=helper, customer=customer, number=number, start=start)
    payment = payment_of(booking)
    mail.outbox.clear()
    with time_machine.travel(start - timedelta(days=2), tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.REQUIRES_PAYMENT_METHOD
        relay_pending()
    payment.refresh_from_db()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([customer.email, helper.user.email])
    to_customer = next(m for m in mail.outbox if m.to == [customer.email])
    to_helper = next(m for m in mail.outbox if m.to == [helper.user.email])
    return payment, to_customer, to_helper


def test_insufficient_funds_is_explained_to_a_german_customer_and_plainly_to_a_french_helper():
    # Given a visit whose card the bank refuses for want of funds, when the hold is placed
    payment, to_customer, to_helper = _hold_refused(
        INSUFFICIENT_FUNDS_CARD, customer_language="de", helper_language="fr"
    )

    # Then the customer reads why and what to do, in German, as on the card's page
    assert (payment.failure_code, payment.decline_reason) == ("card_declined", "insufficient_funds")
    assert (
        "Ihre Bank hat die Karte abgelehnt: Der Betrag ist im Moment nicht darauf verfügbar. "
        "Bitte verwenden Sie eine andere Karte, oder geben Sie diese erneut ein, sobald Ihre "
        "Bank es zulässt."
    ) in to_customer.body
    assert "Auf der Seite des Besuchs in der Quartier-App" in to_customer.body
    assert "card_declined" not in to_customer.body
    assert "insufficient_funds" not in to_customer.body
    # And the helper reads, in French, only that the card was refused and another is asked for
    assert "la carte a été refusée" in to_helper.body
    for bank_words in ("disponible", "banque", "insufficient", "card_declined", "montant n’y"):
        assert bank_words not in to_helper.body


def test_an_expired_card_is_explained_to_a_french_customer_and_plainly_to_a_german_helper():
    # Given a visit whose card has expired, when the hold is placed
    payment, to_customer, to_helper = _hold_refused(
        EXPIRED_CARD, customer_language="fr", helper_language="de"
    )

    # Then the customer reads why and what to do, in French
    assert (payment.failure_code, payment.decline_reason) == ("card_declined", "expired_card")
    assert (
        "Votre banque a refusé la carte, car elle a expiré. Veuillez utiliser une autre carte."
        in to_customer.body
    )
    assert "La page de la visite dans l’application Quartier" in to_customer.body
    assert "expired_card" not in to_customer.body
    # And the helper reads, in German, only that the card was refused
    assert "die Karte wurde abgelehnt" in to_helper.body
    for bank_words in ("abgelaufen", "Bank", "expired"):
        assert bank_words not in to_helper.body


def test_a_confirmation_the_bank_asks_for_is_not_said_to_the_helper_as_theirs():
    # Given a card whose bank asks the customer to confirm the payment (3-D Secure)
    payment, to_customer, to_helper = _hold_refused(
        THREE_D_SECURE_CARD, customer_language="de", helper_language="de"
    )

    # Then the customer reads what to do, and the helper is not told to confirm with a bank
    assert payment.failure_code == "authentication_required"
    assert (
        "Ihre Bank verlangt eine Bestätigung dieser Zahlung (3-D Secure). Bitte bestätigen Sie "
        "sie bei Ihrer Bank, oder verwenden Sie eine andere Karte."
    ) in to_customer.body
    assert "die Karte wurde abgelehnt" in to_helper.body
    assert "3-D Secure" not in to_helper.body
