"""The money panel says why the last card was refused in the reader's language, never Stripe's
code: the manager reads the reason named in a few words, the helper's panel no bank answer."""

from __future__ import annotations

from html import unescape

import pytest

from bookings.models import BookingStatus
from payments.declines import failure_words
from payments.models import Payment
from payments.services import payment_card_ask_again
from tests.factories import ManagerFactory, make_booking
from tests.web.test_manage_request_story import _page, _section, _text
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _refused(code: str, reason: str = "") -> Payment:
    booking = make_booking(BookingStatus.CONFIRMED)
    payment = Payment.objects.get(booking=booking)
    payment_card_ask_again(payment=payment, failure_code=code, decline_reason=reason)
    return payment


@pytest.mark.parametrize(
    ("language", "code", "reason", "said"),
    [
        ("de", "card_declined", "insufficient_funds", "Ungenügende Deckung auf der Karte"),
        ("fr", "card_declined", "insufficient_funds", "Provision insuffisante sur la carte"),
        ("de", "card_declined", "expired_card", "Die Karte ist abgelaufen"),
        ("fr", "card_declined", "expired_card", "La carte a expiré"),
        ("en", "card_declined", "declined", "Declined by the bank without a reason"),
        ("it", "authentication_required", "authentication_required", "(3-D Secure)"),
        (
            "en",
            "helper_cannot_take_payments",
            "",
            "The helper's payout account could not take payments",
        ),
        (
            "en",
            "card_on_previous_payout_account",
            "",
            "The card was given for the helper's previous payout account",
        ),
    ],
)
def test_the_manager_reads_why_the_card_was_refused_in_words(client, language, code, reason, said):
    payment = _refused(code, reason)
    _logged_in(client, ManagerFactory.create(), language)

    html = client.get(_page(payment.booking.help_request)).content.decode()

    money = unescape(_text(_section(html, "money-heading-1")))
    assert said in money
    assert code not in html
    if reason:
        assert reason not in html


def test_the_manager_reads_words_for_a_code_quartier_does_not_know(client):
    payment = _refused("payment_intent_payment_attempt_failed")
    _logged_in(client, ManagerFactory.create(), "en")

    html = client.get(_page(payment.booking.help_request)).content.decode()

    money = unescape(_text(_section(html, "money-heading-1")))
    assert "Why the last card was refused The payment did not go through Stripe payment" in money
    assert "payment_intent_payment_attempt_failed" not in html


def test_the_words_are_empty_when_nothing_failed():
    assert failure_words("", "") == ""
