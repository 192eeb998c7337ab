"""The emulator behaves like Stripe where Quartier relies on it: accounts scope their objects,
idempotency keys replay or refuse, parameters the SDK does not define are refused, and the
balance transaction carries Stripe's fee."""

from __future__ import annotations

import pytest
import stripe

from payments import stripe_gateway
from payments.exceptions import PaymentProviderRefused


def stripe_fee(amount: int) -> int:
    """Stripe's Swiss card price: 2.9 % + 30 Rappen, rounded half up."""
    return (amount * 29 + 500) // 1000 + 30


pytestmark = pytest.mark.django_db


def _account() -> str:
    return stripe_gateway.client().v1.accounts.create({"type": "express", "country": "CH"}).id


def _card(account: str) -> str:
    return (
        stripe_gateway.client()
        .v1.payment_methods.create(
            {
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 1,
                    "exp_year": 2030,
                    "cvc": "123",
                },
            },
            {"stripe_account": account},
        )
        .id
    )


def _hold(account: str, key: str, amount: int = 4800) -> stripe_gateway.IntentState:
    return stripe_gateway.payment_intent_create(
        account_id=account,
        amount=amount,
        currency="CHF",
        payment_method=_card(account),
        idempotency_key=key,
        metadata={},
    )


def test_objects_of_one_account_do_not_exist_for_another():
    mine, theirs = _account(), _account()
    intent = _hold(mine, "emulator-scope-1")

    with pytest.raises(PaymentProviderRefused):
        stripe_gateway.payment_intent_retrieve(account_id=theirs, intent_id=intent.id)
    assert stripe_gateway.payment_intent_retrieve(account_id=mine, intent_id=intent.id).id == (
        intent.id
    )
    assert stripe_gateway.payment_intents_list(account_id=theirs) == []


def test_an_idempotency_key_replays_the_first_answer_and_refuses_other_parameters():
    account = _account()
    method = _card(account)
    params = {"amount": 4800, "currency": "chf", "payment_method": method, "confirm": True}
    client = stripe_gateway.client()
    options = {"stripe_account": account, "idempotency_key": "emulator-replay-1"}

    first = client.v1.payment_intents.create({**params, "capture_method": "manual"}, options)
    again = client.v1.payment_intents.create({**params, "capture_method": "manual"}, options)

    assert again.id == first.id
    assert [i.id for i in stripe_gateway.payment_intents_list(account_id=account)] == [first.id]
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create({**params, "amount": 4801}, options)


def test_a_parameter_the_sdk_does_not_define_is_refused():
    account = _account()
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_gateway.client().v1.payment_intents.create(
            {"amount": 100, "currency": "chf", "payment_method_types": ["card"]},
            {"stripe_account": account},
        )
    assert refused.value.code == "parameter_unknown"
    assert refused.value.param == "payment_method_types"


def test_the_balance_transaction_carries_stripes_fee_on_the_captured_amount():
    account = _account()
    intent = _hold(account, "emulator-fee-1", amount=10_000)
    captured = stripe_gateway.payment_intent_capture(
        account_id=account, intent_id=intent.id, amount=6_000, idempotency_key="emulator-fee-2"
    )
    assert captured.charge_id is not None
    charge = stripe_gateway.charge_retrieve(account_id=account, charge_id=captured.charge_id)
    assert charge.balance_transaction_id is not None
    txn = stripe_gateway.balance_transaction_retrieve(
        account_id=account, txn_id=charge.balance_transaction_id
    )

    assert captured.amount_received == 6_000
    assert (txn.amount, txn.fee, txn.net) == (6_000, stripe_fee(6_000), 6_000 - stripe_fee(6_000))
    assert stripe_fee(6_000) == 204


def test_a_capture_above_the_hold_is_refused():
    account = _account()
    intent = _hold(account, "emulator-over-1", amount=5_000)

    with pytest.raises(PaymentProviderRefused):
        stripe_gateway.payment_intent_capture(
            account_id=account, intent_id=intent.id, amount=5_001, idempotency_key="emulator-over-2"
        )
    after = stripe_gateway.payment_intent_retrieve(account_id=account, intent_id=intent.id)
    assert after.status == "requires_capture"
