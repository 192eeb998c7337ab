"""The emulator's Stripe.js: localstripe's, with what Quartier's card form uses (Connect's
stripeAccount, createPaymentMethod, labelled fields), and the publishable key allowed to make a
card PaymentMethod on a connected account, as with Stripe."""

from __future__ import annotations

import json

import pytest
import requests

from backend.config import config
from payments import stripe_gateway
from payments.models import PayoutAccount
from tests.payments.money import GOOD_CARD, connected_helper


def test_the_emulators_stripe_js_adds_connect_and_card_payment_methods():
    answer = requests.get(f"{config().stripe_api_base}/js.stripe.com/v3/", timeout=5)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/javascript")
    assert "localstripe" in answer.text
    assert "stripe.createPaymentMethod = async function" in answer.text
    assert "_stripe_account=" in answer.text
    assert "aria-label" in answer.text


def _create(body: dict[str, object], query: str = "") -> requests.Response:
    # As Stripe.js sends it: a JSON body as text/plain (no CORS preflight), the key inside.
    return requests.post(
        f"{config().stripe_api_base}/v1/payment_methods{query}",
        data=json.dumps(body),
        headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": "http://127.0.0.1:8000"},
        timeout=5,
    )


@pytest.mark.django_db
def test_a_publishable_key_makes_a_card_on_the_connected_account_named_in_the_query():
    helper = connected_helper()
    account = str(PayoutAccount.objects.get(helper=helper).stripe_account_id)
    card = {"number": GOOD_CARD, "exp_month": "12", "exp_year": "2031", "cvc": "123"}

    answer = _create(
        {"key": "pk_test_quartier", "type": "card", "card": card}, f"?_stripe_account={account}"
    )

    assert answer.status_code == 200, answer.text
    method = answer.json()
    assert method["id"].startswith("pm_")
    assert method["card"]["last4"] == "4242"
    assert answer.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    # It belongs to the helper's account: found with it, not without.
    found = stripe_gateway.client().v1.payment_methods.retrieve(
        method["id"], options={"stripe_account": account}
    )
    assert found.id == method["id"]
    alone = requests.get(
        f"{config().stripe_api_base}/v1/payment_methods/{method['id']}",
        auth=("sk_test_quartier", ""),
        timeout=5,
    )
    assert alone.status_code == 404


def test_without_a_key_or_with_a_secret_one_in_the_body_stripe_js_is_refused():
    card = {"number": GOOD_CARD, "exp_month": "12", "exp_year": "2031", "cvc": "123"}

    assert _create({"type": "card", "card": card}).status_code == 401
    assert _create({"key": "sk_test_x", "type": "card", "card": card}).status_code == 401
    unknown = _create({"key": "pk_test_quartier", "type": "card", "card": card, "colour": "red"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "parameter_unknown"
