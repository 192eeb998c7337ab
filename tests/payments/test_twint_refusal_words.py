"""The money panel says why the last TWINT try failed as TWINT's, not as a card's: TWINT is not
a card, and Stripe's answer to a try the customer did not confirm in the TWINT app (the code
it also gives a 3-D Secure failure) is not a bank asking for 3-D Secure."""

from __future__ import annotations

from html import unescape

import pytest
from django.utils import translation

from payments.declines import failure_words
from payments.models import PaymentStatus
from tests.factories import ManagerFactory
from tests.payments.money import payment_of
from tests.payments.test_twint import _answer_at_twint, _pay, _signed_off, _twint_booking
from tests.web.test_manage_request_story import _page, _section, _text
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "de",
            "Grund des letzten Fehlschlags der TWINT-Zahlung "
            "Die Zahlung wurde in der TWINT-App nicht bestätigt",
        ),
        (
            "fr",
            "Motif du dernier échec du paiement TWINT "
            "Le paiement n’a pas été confirmé dans l’app TWINT",
        ),
        (
            "it",
            "Motivo dell’ultimo mancato pagamento TWINT "
            "Il pagamento non è stato confermato nell’app TWINT",
        ),
        (
            "en",
            "Why the last TWINT payment failed The payment was not confirmed in the TWINT app",
        ),
    ],
)
def test_the_manager_reads_a_failed_twint_try_in_twint_words(client, language, said):
    # Given a visit paid with TWINT after sign-off, whose first try failed in the TWINT app
    booking = _signed_off(_twint_booking())
    back = _answer_at_twint(_pay(booking, "try-1")["redirect_url"], "fail")
    assert back["redirect_status"] == ["failed"]
    _pay(booking, "try-2")
    payment = payment_of(booking)
    assert (payment.status, payment.failure_code) == (
        PaymentStatus.DUE,
        "payment_intent_authentication_failure",
    )
    _logged_in(client, ManagerFactory.create(), language)

    # When the manager opens the request's page
    html = client.get(_page(booking.help_request)).content.decode()

    # Then the money panel says why in TWINT's words, neither a card's nor a bank's
    money = unescape(_text(_section(html, "money-heading-1")))
    assert said in money
    for card_words in (
        "Grund der letzten Kartenablehnung",
        "Motif du dernier refus de carte",
        "Motivo dell’ultimo rifiuto della carta",
        "Why the last card was refused",
        "3-D Secure",
    ):
        assert card_words not in money
    assert "payment_intent_authentication_failure" not in html


@translation.override("en")
def test_a_twint_code_quartier_does_not_name_is_said_as_a_twint_payment_that_failed():
    assert failure_words("payment_failed", "", twint=True) == "The TWINT payment did not go through"
    assert failure_words("payment_intent_authentication_failure", "", twint=True) == (
        "The payment was not confirmed in the TWINT app"
    )
    # Why the helper's account could not take it is said as for a card
    assert failure_words("helper_cannot_take_payments", "", twint=True) == (
        "The helper's payout account could not take payments"
    )
