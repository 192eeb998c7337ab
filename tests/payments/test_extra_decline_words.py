"""The extra's refused card in the API as the visit payment's: `failure_code` stays what it was
(card_declined, authentication_required), and the customer alone also reads the stable
`decline_reason` and `decline_message`, the words of the card's error in their language; the
helper reads neither, as for the visit's payment."""

from __future__ import annotations

import pytest

from payments.models import ExtraCharge, Payment
from tests.api.api_assertions import client_for
from tests.payments.money import THREE_D_SECURE_CARD, card
from tests.payments.test_extras_http import _ok, _post, _visit_in_progress

pytestmark = pytest.mark.django_db

INSUFFICIENT_FUNDS_CARD = "4000000000009995"
WORDS = {
    ("de", "insufficient_funds"): "Ihre Bank hat die Karte abgelehnt: Der Betrag ist im Moment "
    "nicht darauf verfügbar. Bitte verwenden Sie eine andere Karte, oder geben Sie diese erneut "
    "ein, sobald Ihre Bank es zulässt.",
    ("fr", "authentication_required"): "Votre banque demande de confirmer ce paiement "
    "(3-D Secure). Veuillez le confirmer auprès de votre banque, ou utiliser une autre carte.",
}


@pytest.mark.parametrize(
    ("language", "number", "code", "reason"),
    [
        ("de", INSUFFICIENT_FUNDS_CARD, "card_declined", "insufficient_funds"),
        ("fr", THREE_D_SECURE_CARD, "authentication_required", "authentication_required"),
    ],
)
def test_the_customer_reads_why_the_card_refused_the_extra_and_the_helper_does_not(
    language, number, code, reason
):
    booking, path, as_customer, as_helper = _visit_in_progress()
    customer = booking.help_request.customer
    customer.preferred_language = language
    customer.save(update_fields=["preferred_language"])
    as_customer = client_for(customer)
    _ok(as_helper, f"{path}/extra", {"minutes": 20})
    # The card the visit is held on now refuses a new charge, or asks for 3-D Secure.
    Payment.objects.filter(booking=booking).update(payment_method_id=card(booking.helper, number))
    refused = _post(as_customer, f"{path}/extra/answer", {"consent": True})
    assert (refused.status_code, refused.json()["code"]) == (402, code)
    extra = ExtraCharge.objects.get(booking=booking)
    assert (extra.status, extra.failure_code, extra.decline_reason) == ("declined", code, reason)

    # When each reads the extra
    to_customer = as_customer.get(f"/api/v1{path}/extra", HTTP_ACCEPT_LANGUAGE=language).json()
    to_helper = as_helper.get(f"/api/v1{path}/extra", HTTP_ACCEPT_LANGUAGE="it").json()

    # Then the code is the same for both, as before; only the customer reads why and what to do
    assert (
        to_customer["failure_code"],
        to_customer["decline_reason"],
        to_customer["decline_message"],
    ) == (code, reason, WORDS[(language, reason)])
    assert (
        to_helper["failure_code"],
        to_helper["decline_reason"],
        to_helper["decline_message"],
    ) == (
        code,
        "",
        None,
    )


def test_an_extra_not_refused_has_no_reason_nor_words():
    booking, path, as_customer, as_helper = _visit_in_progress()
    _ok(as_helper, f"{path}/extra", {"minutes": 20})
    answered = _ok(as_customer, f"{path}/extra/answer", {"consent": True})
    assert (answered["status"], answered["failure_code"], answered["decline_reason"]) == (
        "authorised",
        "",
        "",
    )
    assert answered["decline_message"] is None
