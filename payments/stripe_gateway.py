"""The one module that talks to Stripe (the official SDK, over HTTP).

It pins the API version (the SDK's own), sets a timeout, sends the idempotency key the caller
derived from its rows (never a random one), addresses the helper's connected account with
`Stripe-Account`, and returns plain dataclasses. Stripe's errors become Quartier's:
a declined card `PaymentDeclined` (402), Stripe down or too slow `PaymentProviderUnavailable`
(503, safe to retry with the same key), a refused request `PaymentProviderRefused` (409).

Without `QUARTIER_STRIPE_SECRET_KEY` it talks to the local emulator at
`QUARTIER_STRIPE_API_BASE` with a test key.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import stripe
from django.utils.translation import gettext as _

from backend.config import config
from payments.declines import decline_reason, decline_words
from payments.errors import PaymentError
from payments.exceptions import (
    PaymentDeclined,
    PaymentProviderRefused,
    PaymentProviderUnavailable,
    WebhookRefused,
)

T = TypeVar("T")
logger = logging.getLogger(__name__)
EMULATOR_KEY = "sk_test_quartier_emulator"  # noqa: S105 - the emulator accepts any sk_ key


@dataclass(frozen=True)
class AccountState:
    id: str
    details_submitted: bool
    charges_enabled: bool
    payouts_enabled: bool


@dataclass(frozen=True)
class IntentState:
    id: str
    status: str
    amount: int
    amount_capturable: int
    amount_received: int
    currency: str
    charge_id: str | None
    failure_code: str | None
    application_fee_amount: int | None
    # Where to send the customer to pay (a redirect method such as TWINT in `requires_action`).
    redirect_url: str | None = None
    # What Stripe.js needs to finish a 3-D Secure challenge on this PaymentIntent.
    client_secret: str | None = None
    # The issuer's reason for the last decline, where Stripe gives one (`insufficient_funds`).
    decline_code: str | None = None


@dataclass(frozen=True)
class ChargeState:
    id: str
    amount_captured: int
    balance_transaction_id: str | None


@dataclass(frozen=True)
class BalanceTransactionState:
    id: str
    amount: int
    fee: int
    net: int
    currency: str
    source: str


@dataclass(frozen=True)
class RefundState:
    id: str
    amount: int
    status: str
    payment_intent: str | None


# What any call to Stripe can answer with, translated by `_translated_errors`.
PROVIDER_ERRORS = (
    PaymentError.PAYMENT_PROVIDER_UNAVAILABLE,
    PaymentError.PAYMENT_PROVIDER_REFUSED,
    PaymentError.PAYMENT_REQUEST_CONFLICT,
)
# And a call that charges a card (a PaymentIntent confirmed with it): Stripe's card errors.
STRIPE_ERRORS = (
    PaymentError.CARD_DECLINED,
    PaymentError.AUTHENTICATION_REQUIRED,
    *PROVIDER_ERRORS,
)


@cache
def _client(secret_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key or EMULATOR_KEY,
        base_addresses={"api": api_base} if not secret_key else {},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def client() -> stripe.StripeClient:
    settings = config()
    return _client(
        settings.stripe_secret_key, settings.stripe_api_base, settings.stripe_timeout_seconds
    )


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except stripe.CardError as exc:
        # Stripe's message is English: the customer reads Quartier's words for its codes.
        reason = decline_reason(exc.code, getattr(exc.error, "decline_code", None))
        raise PaymentDeclined(
            decline_words(reason),
            code=(
                PaymentError.AUTHENTICATION_REQUIRED
                if exc.code == "authentication_required"
                else PaymentError.CARD_DECLINED
            ),
            decline_reason=reason,
        ) from exc
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        raise PaymentProviderUnavailable(
            _("The payment service did not answer. Please try again in a moment.")
        ) from exc
    except stripe.IdempotencyError as exc:
        raise PaymentProviderRefused(
            _("This payment request was already made with other details."),
            code=PaymentError.PAYMENT_REQUEST_CONFLICT,
        ) from exc
    except stripe.StripeError as exc:
        if exc.http_status is None or exc.http_status >= 500:
            raise PaymentProviderUnavailable(
                _("The payment service did not answer. Please try again in a moment.")
            ) from exc
        # Stripe's own (English, technical) words are for the developers' log only.
        logger.warning("Stripe refused a request: %s %s", exc.code, exc.user_message or exc)
        raise PaymentProviderRefused(
            _(
                "The payment service refused this request, so nothing was changed. Please try "
                "again later; if it happens again, please contact us."
            )
        ) from exc


def _call(function: Callable[[], T]) -> T:
    with _translated_errors():
        return function()


def _options(*, account: str | None = None, key: str | None = None) -> Any:
    options: dict[str, str] = {}
    if account:
        options["stripe_account"] = account
    if key:
        options["idempotency_key"] = key
    return options


def _account(obj: Any) -> AccountState:
    return AccountState(
        id=obj.id,
        details_submitted=bool(obj.details_submitted),
        charges_enabled=bool(obj.charges_enabled),
        payouts_enabled=bool(obj.payouts_enabled),
    )


def _plain(obj: Any) -> dict[str, Any]:
    return obj if isinstance(obj, dict) else obj.to_dict()


def _id_in(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value["id"])


def _intent(obj: Any) -> IntentState:
    data = _plain(obj)
    error = data.get("last_payment_error") or {}
    action = data.get("next_action") or {}
    redirect = (
        action.get("redirect_to_url") or {} if action.get("type") == "redirect_to_url" else {}
    )
    return IntentState(
        id=data["id"],
        status=data["status"],
        amount=int(data["amount"]),
        amount_capturable=int(data.get("amount_capturable") or 0),
        amount_received=int(data.get("amount_received") or 0),
        currency=str(data["currency"]).upper(),
        charge_id=_id_in(data.get("latest_charge")),
        failure_code=error.get("code") if error else None,
        application_fee_amount=data.get("application_fee_amount"),
        redirect_url=redirect.get("url"),
        client_secret=data.get("client_secret"),
        decline_code=error.get("decline_code") if error else None,
    )


# --- Connected accounts ----------------------------------------------------------------------


def account_create(*, email: str, idempotency_key: str) -> AccountState:
    """A new Express account in Switzerland that can take card payments."""
    params: Any = {
        "type": "express",
        "country": "CH",
        "email": email,
        "default_currency": "chf",
        "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
    }
    return _account(
        _call(lambda: client().v1.accounts.create(params, _options(key=idempotency_key)))
    )


def account_retrieve(account_id: str) -> AccountState:
    return _account(_call(lambda: client().v1.accounts.retrieve(account_id)))


def account_link_create(*, account_id: str, return_url: str, refresh_url: str) -> str:
    """A one-time link to Stripe's hosted onboarding for the account (a new one each time)."""
    params: Any = {
        "account": account_id,
        "return_url": return_url,
        "refresh_url": refresh_url,
        "type": "account_onboarding",
    }
    return str(_call(lambda: client().v1.account_links.create(params)).url)


# --- Payments on the helper's account (direct charges, no application fee) ------------------


def payment_intent_create(
    *,
    account_id: str,
    amount: int,
    currency: str,
    payment_method: str,
    idempotency_key: str,
    metadata: dict[str, str],
    capture_method: str = "manual",
) -> IntentState:
    """A hold (manual capture) confirmed at once with the customer's payment method; with
    `capture_method="automatic"` a charge taken at once (a tip).

    A declined card raises PaymentDeclined; 3-D Secure comes back as `requires_action`."""
    params: Any = {
        "amount": amount,
        "currency": currency.lower(),
        "capture_method": capture_method,
        "payment_method": payment_method,
        "confirm": True,
        "metadata": metadata,
    }
    return _intent(
        _call(
            lambda: client().v1.payment_intents.create(
                params, _options(account=account_id, key=idempotency_key)
            )
        )
    )


def twint_intent_create(
    *, account_id: str, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str]
) -> IntentState:
    """A PaymentIntent the customer pays with TWINT (which cannot be held: the charge is taken
    when the customer authorises it), waiting for the customer in `requires_payment_method`."""
    params: Any = {
        "amount": amount,
        "currency": currency.lower(),
        "allowed_payment_method_types": ["twint"],
        "metadata": metadata,
    }
    return _intent(
        _call(
            lambda: client().v1.payment_intents.create(
                params, _options(account=account_id, key=idempotency_key)
            )
        )
    )


def twint_intent_confirm(
    *, account_id: str, intent_id: str, return_url: str, idempotency_key: str
) -> IntentState:
    """Confirm the TWINT PaymentIntent: Stripe answers `requires_action` with the URL the
    customer is sent to (`redirect_url`), and sends them back to `return_url` afterwards."""
    params: Any = {"payment_method_data": {"type": "twint"}, "return_url": return_url}
    return _intent(
        _call(
            lambda: client().v1.payment_intents.confirm(
                intent_id, params, _options(account=account_id, key=idempotency_key)
            )
        )
    )


def payment_intent_retrieve(*, account_id: str, intent_id: str) -> IntentState:
    return _intent(
        _call(
            lambda: client().v1.payment_intents.retrieve(
                intent_id, options=_options(account=account_id)
            )
        )
    )


def payment_intent_capture(
    *, account_id: str, intent_id: str, amount: int, idempotency_key: str
) -> IntentState:
    params: Any = {"amount_to_capture": amount}
    return _intent(
        _call(
            lambda: client().v1.payment_intents.capture(
                intent_id, params, _options(account=account_id, key=idempotency_key)
            )
        )
    )


def payment_intent_cancel(*, account_id: str, intent_id: str, idempotency_key: str) -> IntentState:
    params: Any = {"cancellation_reason": "abandoned"}
    return _intent(
        _call(
            lambda: client().v1.payment_intents.cancel(
                intent_id, params, _options(account=account_id, key=idempotency_key)
            )
        )
    )


def charge_retrieve(*, account_id: str, charge_id: str) -> ChargeState:
    charge = _plain(
        _call(lambda: client().v1.charges.retrieve(charge_id, options=_options(account=account_id)))
    )
    return ChargeState(
        id=charge["id"],
        amount_captured=int(charge.get("amount_captured") or 0),
        balance_transaction_id=_id_in(charge.get("balance_transaction")),
    )


def balance_transaction_retrieve(*, account_id: str, txn_id: str) -> BalanceTransactionState:
    txn = _plain(
        _call(
            lambda: client().v1.balance_transactions.retrieve(
                txn_id, options=_options(account=account_id)
            )
        )
    )
    return BalanceTransactionState(
        id=txn["id"],
        amount=int(txn["amount"]),
        fee=int(txn["fee"]),
        net=int(txn["net"]),
        currency=str(txn["currency"]).upper(),
        source=str(_id_in(txn.get("source"))),
    )


def refund_create(
    *, account_id: str, intent_id: str, amount: int, reason: str, idempotency_key: str
) -> RefundState:
    params: Any = {"payment_intent": intent_id, "amount": amount, "reason": reason}
    return _refund(
        _call(
            lambda: client().v1.refunds.create(
                params, _options(account=account_id, key=idempotency_key)
            )
        )
    )


def _refund(obj: Any) -> RefundState:
    data = _plain(obj)
    return RefundState(
        id=data["id"],
        amount=int(data["amount"]),
        status=str(data["status"]),
        payment_intent=_id_in(data.get("payment_intent")),
    )


def payment_intents_list(*, account_id: str) -> list[IntentState]:
    """Every PaymentIntent on the account (for reconciliation)."""
    found = _call(
        lambda: client().v1.payment_intents.list(
            {"limit": 100}, options=_options(account=account_id)
        )
    )
    return [_intent(obj) for obj in found.auto_paging_iter()]


def refunds_list(*, account_id: str, intent_id: str) -> list[RefundState]:
    found = _call(
        lambda: client().v1.refunds.list(
            {"payment_intent": intent_id, "limit": 100}, options=_options(account=account_id)
        )
    )
    return [_refund(refund) for refund in found.auto_paging_iter()]


# --- Webhooks ----------------------------------------------------------------------------------


def webhook_event(*, payload: bytes, signature: str) -> dict[str, Any]:
    """The event in a webhook's raw body, once its signature and timestamp check out and it
    is an event as Stripe sends them (an object with an id and a type)."""
    settings = config()
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text,
            signature,
            settings.stripe_webhook_secret,
            tolerance=settings.stripe_webhook_tolerance_seconds,
        )
        event = json.loads(text)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRefused(_("The webhook's signature or timestamp is not valid.")) from exc
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and event["id"]
        and isinstance(event.get("type", ""), str)
        and isinstance(event.get("account") or "", str)
    ):
        raise WebhookRefused(_("The webhook's body is not an event as Stripe sends them."))
    return event
