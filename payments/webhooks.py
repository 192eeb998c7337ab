"""Stripe's webhook events: verified, stored once per event id, then applied through a
{type: handler} table. Payment events are applied from the PaymentIntent's current state at
Stripe, so that no order or repetition moves a payment backwards."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction

from backend import clock
from backend.roles import ActorRole
from payments import stripe_gateway, tip_twint
from payments.models import Payment, PaymentStatus, PayoutAccount, Tip, WebhookEvent
from payments.payouts import payout_account_disconnect, payout_account_sync
from payments.refunds import _apply_refund
from payments.services import _apply_intent, _settle_if_paid
from payments.steps import _lock

_P = PaymentStatus


def webhook_receive(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verify, store (once per Stripe event id), then apply a webhook event.

    A duplicate (also one arriving while the first is being applied) waits for the first and
    changes nothing. An event that cannot be applied now is kept with its outcome; one whose
    application fails raises, so Stripe delivers it again.
    """
    event = stripe_gateway.webhook_event(payload=payload, signature=signature)
    try:
        with transaction.atomic():
            row, _created = WebhookEvent.objects.get_or_create(
                stripe_event_id=event["id"],
                defaults={
                    "event_type": event.get("type", ""),
                    "account": event.get("account") or "",
                    "payload": event,
                },
            )
    except IntegrityError:
        row = WebhookEvent.objects.get(stripe_event_id=event["id"])
    with transaction.atomic():
        row = WebhookEvent.objects.select_for_update().get(pk=row.pk)
        if row.processed_at is not None:
            return row
        outcome = _apply_event(row.event_type, row.account, row.payload)
        row.processed_at = clock.now()
        row.outcome = outcome[:200]
        row.save(update_fields=["processed_at", "outcome"])
    return row


def _apply_event(event_type: str, account: str, payload: dict[str, Any]) -> str:
    handler = WEBHOOK_HANDLERS.get(event_type)
    if handler is None:
        return "ignored: not a type Quartier acts on"
    data = payload.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict) or not _stripe_id(obj.get("id")):
        # Nothing to look up: a later delivery of the same event would not change that.
        return "ignored: the event names no object"
    return handler(account, obj)


def _stripe_id(value: object) -> str | None:
    """A Stripe object id, or None for anything else (a missing id must never match the rows
    that have none)."""
    return value if isinstance(value, str) and value else None


def _on_account_updated(account: str, obj: dict[str, Any]) -> str:
    state = stripe_gateway.AccountState(
        id=obj["id"],
        details_submitted=bool(obj.get("details_submitted")),
        charges_enabled=bool(obj.get("charges_enabled")),
        payouts_enabled=bool(obj.get("payouts_enabled")),
    )
    found = payout_account_sync(stripe_account_id=state.id, state=state)
    if found is None:
        return "ignored: unknown account"
    return "ignored: account disconnected" if found.is_disconnected else "applied"


def _on_application_deauthorized(account: str, obj: dict[str, Any]) -> str:
    """The connected account removed Quartier's access: the event's `account` names it (its
    object is Quartier's application)."""
    stripe_account_id = _stripe_id(account)
    if stripe_account_id is None:
        return "ignored: the event names no account"
    before = PayoutAccount.objects.filter(stripe_account_id=stripe_account_id).first()
    if before is None:
        return "ignored: unknown account"
    if before.is_disconnected:
        return "ignored: account already disconnected"
    payout_account_disconnect(stripe_account_id=stripe_account_id)
    return "applied"


def _on_application_authorized(account: str, obj: dict[str, Any]) -> str:
    """An account granted Quartier's application access (Stripe: "occurs whenever a user
    authorizes an application"; the event's `account` names it, its object is the application).
    Nothing to do: Quartier creates each payout account itself at onboarding, where it has the
    access already, and `account.updated` says when it takes payments; an account that removed
    the access stays disconnected (`_on_application_deauthorized`): onboarding again connects a
    new one. Recorded with why, so it is not taken for an unknown event."""
    stripe_account_id = _stripe_id(account)
    if stripe_account_id is None:
        return "ignored: the event names no account"
    found = PayoutAccount.objects.filter(stripe_account_id=stripe_account_id).first()
    if found is None:
        return "ignored: unknown account"
    if found.is_disconnected:
        return "ignored: account disconnected; only onboarding again connects the helper"
    return "ignored: access given at onboarding; account.updated brings the account's state"


def _tipped_payment(obj: dict[str, Any]) -> Payment | None:
    """The visit's payment a tip's PaymentIntent names, unless its tip is booked already."""
    try:
        metadata = obj.get("metadata")
        public_id = uuid.UUID(str(metadata.get("tip") if isinstance(metadata, dict) else None))
    except ValueError:
        return None
    if Tip.objects.filter(payment_intent_id=obj.get("id")).exists():
        return None
    return Payment.objects.filter(public_id=public_id).first()


def _on_intent(account: str, obj: dict[str, Any]) -> str:
    payment = Payment.objects.filter(payment_intent_id=obj.get("id")).first()
    if payment is None and obj.get("id"):
        # A hold waiting for 3-D Secure, finished by the customer.
        payment = Payment.objects.filter(
            authentication_intent_id=obj["id"], status=PaymentStatus.REQUIRES_PAYMENT_METHOD
        ).first()
    if payment is None and obj.get("status") == "succeeded":
        # A TWINT tip the customer authorised: booked now if the way back did not yet.
        tipped = _tipped_payment(obj)
        if tipped is not None and tip_twint.tip_twint_refresh(payment=tipped) is not None:
            return "applied"
    if payment is None:
        return "ignored: unknown payment intent"
    booking, payment = _lock(payment)
    # What Stripe holds now decides, not the event's snapshot: a late event cannot undo a
    # later state, and a missed one is caught up.
    intent = stripe_gateway.payment_intent_retrieve(
        account_id=payment.stripe_account_id, intent_id=str(obj["id"])
    )
    before = (payment.status, payment.refunded_minor)
    _apply_intent(payment, intent, reason="webhook")
    _sync_refunds(payment)
    _settle_if_paid(booking, payment)
    changed = (payment.status, payment.refunded_minor) != before
    return "applied" if changed else f"ignored: payment is {payment.status}"


def _on_charge_refunded(account: str, obj: dict[str, Any]) -> str:
    intent_id = _stripe_id(obj.get("payment_intent"))
    payment = Payment.objects.filter(payment_intent_id=intent_id).first() if intent_id else None
    if payment is None:
        return "ignored: unknown payment intent"
    _booking, payment = _lock(payment)
    before = payment.refunded_minor
    _sync_refunds(payment)
    return (
        "applied" if payment.refunded_minor != before else f"ignored: payment is {payment.status}"
    )


def _sync_refunds(payment: Payment) -> None:
    """Book the refunds Stripe made that the ledger does not know yet (the locked payment must
    be captured: refunds of an intent Quartier has not seen captured wait for its capture)."""
    if payment.status != _P.CAPTURED or payment.payment_intent_id is None:
        return
    for refund in stripe_gateway.refunds_list(
        account_id=payment.stripe_account_id, intent_id=payment.payment_intent_id
    ):
        if refund.status == "succeeded" and payment.status == _P.CAPTURED:
            _apply_refund(
                payment, refund.id, refund.amount, role=ActorRole.SYSTEM, reason="refund at Stripe"
            )


WEBHOOK_HANDLERS = {
    "account.updated": _on_account_updated,
    "account.application.authorized": _on_application_authorized,
    "account.application.deauthorized": _on_application_deauthorized,
    "payment_intent.amount_capturable_updated": _on_intent,
    "payment_intent.succeeded": _on_intent,
    "payment_intent.canceled": _on_intent,
    "payment_intent.payment_failed": _on_intent,
    "charge.refunded": _on_charge_refunded,
}
