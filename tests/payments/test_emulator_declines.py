"""The emulator declines Stripe's test cards as Stripe documents them: a PaymentIntent confirmed
with one is refused with HTTP 402 and Stripe's error object (type, code, decline_code, message,
param), nothing is held, and the intent keeps the error as its `last_payment_error`."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from payments import stripe_gateway

pytestmark = pytest.mark.django_db


def _account() -> str:
    return str(stripe_gateway.client().v1.accounts.create({"type": "express", "country": "CH"}).id)


def _card(account: str, number: str) -> str:
    method = stripe_gateway.client().v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 1, "exp_year": 2030, "cvc": "123"},
        },
        {"stripe_account": account},
    )
    return str(method.id)


def _hold(account: str, number: str) -> Any:
    return stripe_gateway.client().v1.payment_intents.create(
        {
            "amount": 4800,
            "currency": "chf",
            "capture_method": "manual",
            "payment_method": _card(account, number),
            "confirm": True,
        },
        {"stripe_account": account},
    )


DOCUMENTED = [
    ("4000000000000002", "card_declined", "generic_decline", None, "Your card was declined."),
    ("4000000000000341", "card_declined", "generic_decline", None, "Your card was declined."),
    (
        "4000000000009995",
        "card_declined",
        "insufficient_funds",
        None,
        "Your card has insufficient funds.",
    ),
    ("4000000000009987", "card_declined", "lost_card", None, "Your card was declined."),
    ("4000000000009979", "card_declined", "stolen_card", None, "Your card was declined."),
    (
        "4000000000006975",
        "card_declined",
        "card_velocity_exceeded",
        None,
        "Your card was declined for making repeated attempts too frequently or exceeding its "
        "amount limit.",
    ),
    ("4000000000000069", "expired_card", None, "exp_month", "Your card has expired."),
    (
        "4000000000000127",
        "incorrect_cvc",
        None,
        "cvc",
        "Your card's security code is incorrect.",
    ),
    (
        "4000000000000119",
        "processing_error",
        None,
        None,
        "An error occurred while processing your card. Try again in a little bit.",
    ),
]


@pytest.mark.parametrize(("number", "code", "decline_code", "param", "message"), DOCUMENTED)
def test_a_declining_test_card_is_refused_with_stripes_error_object(
    number, code, decline_code, param, message
):
    account = _account()

    with pytest.raises(stripe.CardError) as refused:
        _hold(account, number)

    error = refused.value
    assert error.http_status == 402
    body = error.json_body["error"]
    assert body["type"] == "card_error"
    assert (body["code"], body.get("decline_code"), body.get("param")) == (
        code,
        decline_code,
        param,
    )
    assert body["message"] == message
    assert body["charge"].startswith("ch_")
    assert (error.code, error.error.decline_code, error.user_message) == (
        code,
        decline_code,
        message,
    )
    # The declined intent holds nothing and keeps the error
    (intent,) = stripe_gateway.payment_intents_list(account_id=account)
    assert (intent.status, intent.amount_capturable, intent.failure_code) == (
        "requires_payment_method",
        0,
        code,
    )
    assert intent.decline_code == decline_code


def test_a_good_card_is_still_held():
    intent = _hold(_account(), "4242424242424242")
    assert (intent.status, intent.amount_capturable) == ("requires_capture", 4800)
