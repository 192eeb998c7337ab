"""What the payments tests share: helpers who can take payments, cards, paid bookings, signed
webhooks, and the checks of the ledger."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from typing import Any

import requests
import stripe
import time_machine
from django.utils import timezone

from backend.config import config
from backend.models import User
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from helpers.models import HelperProfile
from payments import payouts, selectors, services, stripe_gateway
from payments.models import LedgerEntry, Payment, PayoutAccount
from tests.factories import UserFactory, make_booking, make_helper

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"
THREE_D_SECURE_CARD = "4000002760003184"


def connected_helper(*, state: str = "payouts_enabled", **fields: Any) -> HelperProfile:
    """A helper whose Stripe account went through onboarding (at the emulator's page)."""
    helper = make_helper(takes_payments=False, **fields)
    account, url = payouts.payout_account_onboard(
        actor=helper.user,
        return_url="http://testserver/done",
        refresh_url="http://testserver/again",
    )
    answer = requests.get(f"{url}&state={state}", allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    return helper


def set_account_state(helper: HelperProfile, state: str) -> None:
    account = PayoutAccount.objects.get(helper=helper)
    requests.post(
        f"{config().stripe_api_base}/_config/accounts/{account.stripe_account_id}",
        json={"state": state},
        timeout=5,
    ).raise_for_status()


def card(helper: HelperProfile, number: str = GOOD_CARD) -> str:
    """A card PaymentMethod on the helper's account, as Stripe.js would create it."""
    account = PayoutAccount.objects.get(helper=helper)
    method = stripe_gateway.client().v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"},
        },
        {"stripe_account": str(account.stripe_account_id)},
    )
    return str(method.id)


def fault(kind: str, path: str, *, count: int = 1, seconds: float = 8) -> None:
    """The emulator's next `count` requests matching `path` fail: `error` (500) or `timeout`."""
    requests.post(
        f"{config().stripe_api_base}/_config/faults",
        json={"mode": kind, "path": path, "count": count, "seconds": seconds},
        timeout=5,
    ).raise_for_status()


def clear_faults() -> None:
    requests.post(
        f"{config().stripe_api_base}/_config/faults", json={"clear": True}, timeout=5
    ).raise_for_status()


def held_booking(
    *,
    helper: HelperProfile | None = None,
    customer: User | None = None,
    number: str = GOOD_CARD,
    start: datetime | None = None,
) -> Booking:
    """A confirmed booking whose hold the worker has placed (or tried to); the visit starts in
    30 minutes unless `start` says otherwise."""
    helper = helper or connected_helper()
    customer = customer or UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer, start=start)
    services.payment_method_set(
        booking=booking, actor=customer, payment_method_id=card(helper, number)
    )
    bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


def days_ahead(days: int) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def completed(booking: Booking) -> Booking:
    helper = booking.helper.user
    booking = bookings.booking_start_journey(booking=booking, actor=helper, eta_minutes=10)
    booking = bookings.booking_check_in(booking=booking, actor=helper)
    return bookings.booking_check_out(
        booking=booking, actor=helper, work_summary="Set up the router.", leave_behind_note=""
    )


def no_show_by(booking: Booking, party: str) -> Booking:
    assert booking.starts_at is not None
    reporter = booking.helper.user if party == "customer" else booking.help_request.customer
    with time_machine.travel(booking.starts_at + timedelta(minutes=45), tick=False):
        return bookings.booking_report_no_show(booking=booking, actor=reporter)


def payment_of(booking: Booking) -> Payment:
    return Payment.objects.get(booking=booking)


def sign(payload: bytes, *, at: int | None = None, secret: str | None = None) -> str:
    stamp = int(time.time()) if at is None else at
    secret = secret or config().stripe_webhook_secret
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def event_payload(event_id: str, event_type: str, obj: dict[str, Any], account: str = "") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "account": account,
            "api_version": stripe.api_version,
            "created": int(timezone.now().timestamp()),
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
        }
    ).encode()


def assert_books_balance(booking: Booking) -> dict[str, int]:
    """Customer paid = helper received + Stripe's fee; Quartier's share 0; nothing still held."""
    balances = selectors.ledger_balances(booking_id=booking.pk)
    assert balances["quartier"] == 0
    assert balances["hold"] == 0
    assert -balances["customer"] == balances["helper"] + balances["stripe"]
    assert not LedgerEntry.objects.filter(booking=booking, debit="quartier").exists()
    assert not LedgerEntry.objects.filter(booking=booking, credit="quartier").exists()
    return balances
