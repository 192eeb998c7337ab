"""Every write of a payment: holds, captures, releases, fees, and the payment falling due when
it cannot be held (TWINT). `payment_transition` is the only writer of `Payment.status` (the
payout account's is `payout_account_move`, in payments/payouts.py); the ledger is appended to
and never changed. Paying a due payment is payments.pay_after; refunds and tips have their own
modules; the small steps they all share (keys, ledger entries, locks) are payments.steps.

Stripe calls carry an idempotency key made of our own row and attempt
(`quartier:<payment>:<action>:<attempt>`), recorded in `StripeRequest` before the call, and run
inside the transaction that records their outcome, with the booking's and the payment's rows
locked (always in that order). When the process dies between Stripe's answer and our commit,
everything of ours rolls back, and the retry sends the same request with the same key: Stripe
answers with the first answer, so there is still one PaymentIntent, one capture, one refund.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backend.config import config
from backend.exceptions import CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole
from bookings.models import Booking, BookingStatus
from bookings.services import booking_transition
from bookings.services.locks import lock_booking
from payments import events, extras, stripe_gateway
from payments.declines import ACCOUNT_LOST, CARD_ON_OLD_ACCOUNT, decline_reason
from payments.errors import PaymentError
from payments.exceptions import PaymentDeclined, PaymentProviderRefused
from payments.models import (
    LedgerKind,
    Payment,
    PaymentEvent,
    PaymentStatus,
    PayoutAccount,
    PayWith,
    StripeRequest,
)
from payments.payment_methods import (
    _account_taking_payments,
    _check_method_expected,
    _method_choose,
    _payment_waiting_for_method,
    _price_to_hold,
)
from payments.receipts import receipt_issue
from payments.selectors import (
    cancellation_fee_owed,
    hold_deferred_until,
)
from payments.steps import (
    _C,
    _H,
    _HOLD,
    _S,
    _answered,
    _book,
    _key,
    _lock,
    _record_request,
    _stripe_fee,
)
from payments.transitions import PAYMENT_MACHINE

logger = logging.getLogger(__name__)

_P = PaymentStatus


# --- The status writer -------------------------------------------------------------------------


def payment_transition(
    *,
    payment: Payment,
    to: str,
    role: str,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Payment:
    """The only writer of `Payment.status`. The caller holds the payment's lock (it passes the
    locked row). Refuses a move not in PAYMENT_MACHINE (409), saves the changed fields, appends
    a PaymentEvent and emits the move's domain event, in the caller's transaction."""
    if changes and "status" in changes:
        raise ValueError("the status is `to`; it cannot also be among `changes`")
    from_status = payment.status
    transition = PAYMENT_MACHINE.check(payment, from_status=from_status, to_status=to, role=role)
    payment.status = to
    fields = ["status", "updated_at"]
    for name, value in (changes or {}).items():
        setattr(payment, name, value)
        fields.append(name)
    payment.save(update_fields=fields)
    PaymentEvent.objects.create(
        payment=payment,
        from_status=from_status,
        to_status=to,
        actor_role=role,
        reason=reason[:300],
        data=data or {},
    )
    if transition.event is not None:
        emit(
            transition.event(
                payment_id=payment.pk,
                booking_id=payment.booking_id,
                from_status=from_status,
                to_status=to,
                role=role,
                reason=reason[:300],
                data=data or {},
            )
        )
    return payment


# --- Holding the price on confirmation -----------------------------------------------------------


def payment_open_for_booking(*, booking: Booking) -> Payment | None:
    """The booking's payment, created when the customer confirms (in that transaction): for the
    price agreed then, to the helper's payout account. A free visit needs none."""
    if not booking.price_minor:
        return None
    charge = booking.charge_minor or booking.price_minor
    account = PayoutAccount.objects.filter(helper_id=booking.helper_id).first()
    payment, created = Payment.objects.get_or_create(
        booking=booking,
        defaults={"payout_account": account, "amount_minor": charge, "currency": booking.currency},
    )
    if not created and payment.status == _P.REQUIRES_PAYMENT_METHOD:
        # Rescheduled before any hold: the charge for the new time is the one to hold.
        payment.amount_minor = charge
        payment.currency = booking.currency
        payment.payout_account = account
        payment.save(update_fields=["amount_minor", "currency", "payout_account", "updated_at"])
    return payment


@dataclass(frozen=True)
class AuthorisationOutcome:
    payment: Payment
    declined: PaymentDeclined | None = None


def payment_authorise(*, payment: Payment) -> AuthorisationOutcome:
    """Place the hold: a manual-capture PaymentIntent, confirmed with the customer's payment
    method, as a direct charge on the helper's account with no application fee.

    Only for a confirmed booking whose payment waits for a hold and has a payment method. A
    declined card or a 3-D Secure demand is recorded on the payment (the customer is told and
    can give another card: the next try is a new attempt with a new key); Stripe being down
    rolls everything back, and the retry sends the same key.
    """
    declined: PaymentDeclined | None = None
    with transaction.atomic():
        booking, payment = _lock(payment)
        if (
            payment.status != _P.REQUIRES_PAYMENT_METHOD
            or not payment.payment_method_id
            or booking.status
            not in (BookingStatus.CONFIRMED, BookingStatus.ON_THE_WAY, BookingStatus.IN_PROGRESS)
        ):
            return AuthorisationOutcome(payment)
        account = payment.payout_account
        if account is None or not account.can_take_payments:
            _record_failure(payment, "helper_cannot_take_payments", "")
            return AuthorisationOutcome(payment)
        if payment.method_account_id and payment.method_account_id != account.stripe_account_id:
            # Stripe would refuse the card on the helper's new account: ask for it again.
            payment_card_ask_again(payment=payment, failure_code=CARD_ON_OLD_ACCOUNT)
            return AuthorisationOutcome(payment)
        hold_at = hold_deferred_until(booking)
        if hold_at is not None:
            emit(
                events.PaymentHoldDeferred(
                    payment_id=payment.pk, booking_id=booking.pk, hold_at=hold_at.isoformat()
                )
            )
            return AuthorisationOutcome(payment)
        key = _key(payment, "authorise")
        _record_request(key, "authorise", payment=payment)
        try:
            intent = stripe_gateway.payment_intent_create(
                account_id=str(account.stripe_account_id),
                amount=payment.amount_minor,
                currency=payment.currency,
                payment_method=payment.payment_method_id,
                idempotency_key=key,
                metadata={"payment": str(payment.public_id), "booking": str(booking.public_id)},
            )
        except PaymentDeclined as exc:
            payment_card_ask_again(
                payment=payment,
                failure_code=exc.code,
                message=exc.message,
                decline_reason=exc.decline_reason,
            )
            declined = exc
        else:
            _answered(key, intent.id)
            _apply_intent(payment, intent, reason="hold placed")
    return AuthorisationOutcome(payment, declined)


def payment_card_ask_again(
    *, payment: Payment, failure_code: str, message: str = "", decline_reason: str = ""
) -> Payment:
    """The card cannot be held (declined, or given on the helper's payout account before they
    reconnected a new one): forget it and record why (`failure_code`, and for a declined card
    `decline_reason`), so that the customer's
    page asks for a card again and the next one is a new attempt; customer and helper are told
    after commit (`tell_hold_failed`). The caller holds the payment's lock; the payment keeps
    waiting for a card and the visit stays as it is. A card given on the previous account may
    have left a hold waiting for 3-D Secure there: it is closed (`_authentication_close`)."""
    if failure_code == CARD_ON_OLD_ACCOUNT:
        _authentication_close(payment, account_id=payment.method_account_id)
    payment.payment_method_id = ""
    payment.method_account_id = ""
    payment.save(update_fields=["payment_method_id", "method_account_id", "updated_at"])
    _record_failure(payment, failure_code, message, decline_reason)
    return payment


def _authentication_close(payment: Payment, *, account_id: str) -> None:
    """The (locked) payment's hold waiting for 3-D Secure, on the account `account_id` its card
    was given on, can no longer take the payment: its PaymentIntent is cancelled at Stripe and
    closed here, so the customer's page no longer offers to confirm it and a late event about
    it finds no payment. An account that removed Quartier's access refuses the call (Stripe
    lets such an intent lapse, and nobody can confirm it there any more): it is closed all the
    same, and the payment's events say whether Stripe cancelled it."""
    intent_id = payment.authentication_intent_id
    if not intent_id:
        return
    key = _key(payment, "authentication-cancel")
    _record_request(key, "authentication_cancel", payment=payment)
    try:
        stripe_gateway.payment_intent_cancel(
            account_id=account_id, intent_id=intent_id, idempotency_key=key
        )
    except PaymentProviderRefused:
        cancelled = False
    else:
        _answered(key, intent_id)
        cancelled = True
    payment.authentication_intent_id = ""
    payment.authentication_client_secret = ""
    payment.save(
        update_fields=["authentication_intent_id", "authentication_client_secret", "updated_at"]
    )
    PaymentEvent.objects.create(
        payment=payment,
        from_status=payment.status,
        to_status=payment.status,
        actor_role=ActorRole.SYSTEM,
        reason="3-D Secure confirmation closed: the card is asked for again",
        data={"authentication_intent": intent_id, "cancelled_at_stripe": cancelled},
    )


def _record_failure(payment: Payment, code: str, message: str, decline_reason: str = "") -> None:
    """The hold failed: the next payment method gets a new attempt (a new PaymentIntent)."""
    payment.failure_code = code[:64]
    payment.failure_message = message[:300]
    payment.decline_reason = decline_reason
    payment.attempt += 1
    payment.save(
        update_fields=["failure_code", "failure_message", "decline_reason", "attempt", "updated_at"]
    )
    emit(
        events.PaymentAuthorisationFailed(
            payment_id=payment.pk, booking_id=payment.booking_id, failure_code=payment.failure_code
        )
    )


def _apply_intent(payment: Payment, intent: stripe_gateway.IntentState, *, reason: str) -> None:
    """Bring the (locked) payment up to what the PaymentIntent says, never backwards."""
    if intent.application_fee_amount:
        raise AssertionError("a Quartier PaymentIntent carries an application fee")
    if payment.payment_intent_id not in (None, intent.id):
        return  # an earlier attempt's intent
    if intent.status == "requires_capture" and payment.status == _P.REQUIRES_PAYMENT_METHOD:
        payment_transition(
            payment=payment,
            to=_P.AUTHORISED,
            role=ActorRole.SYSTEM,
            reason=reason,
            changes={
                "payment_intent_id": intent.id,
                "intent_account_id": payment.stripe_account_id,
                "authorised_minor": intent.amount_capturable,
                "failure_code": "",
                "failure_message": "",
                "decline_reason": "",
                "authentication_intent_id": "",
                "authentication_client_secret": "",
            },
            # After a failed hold, both sides are told the visit goes ahead.
            data={"payment_intent": intent.id, "recovered": bool(payment.failure_code)},
        )
        _book(payment, LedgerKind.AUTHORISED, _C, _HOLD, intent.amount_capturable, intent.id)
    elif (
        intent.status in ("requires_action", "requires_payment_method")
        and payment.status == _P.REQUIRES_PAYMENT_METHOD
    ):
        if payment.payment_intent_id is None and intent.id != payment.authentication_intent_id:
            code = (
                "authentication_required"
                if intent.status == "requires_action"
                else intent.failure_code or "card_declined"
            )
            _record_failure(payment, code, "", decline_reason(code, intent.decline_code))
            if intent.status == "requires_action":
                # The customer can finish the challenge on this same PaymentIntent.
                payment.authentication_intent_id = intent.id
                payment.authentication_client_secret = intent.client_secret or ""
                payment.save(
                    update_fields=[
                        "authentication_intent_id",
                        "authentication_client_secret",
                        "updated_at",
                    ]
                )
    elif intent.status == "succeeded" and payment.status == _P.AUTHORISED:
        _apply_capture(payment, intent, reason=reason)
    elif intent.status == "succeeded" and payment.status == _P.DUE:
        _apply_paid_after(payment, intent, reason=reason)
    elif intent.status == "requires_payment_method" and payment.status == _P.DUE:
        # The customer's last try failed (declined or abandoned in the TWINT app): the next
        # try is a new attempt, confirmed with a new key. Known once per attempt.
        tried = StripeRequest.objects.filter(idempotency_key=_key(payment, "pay-after-confirm"))
        if tried.exists():
            _record_failure(payment, intent.failure_code or "payment_failed", "")
    elif intent.status == "canceled" and payment.status in (
        _P.AUTHORISED,
        _P.REQUIRES_PAYMENT_METHOD,
    ):
        _apply_release(payment, reason=reason, reference=intent.id)


# The word a client sends instead of a card's PaymentMethod id to pay with TWINT.
TWINT = "twint"


@raises(CoreError.NOT_ALLOWED_FOR_ROLE)
def require_paying_customer(booking: Booking, actor: User) -> None:
    """Only the visit's customer pays for it (gives the card, pays after the visit). The API
    asks it before reading what was sent: who may act is answered first."""
    if booking.help_request.customer_id != actor.pk:
        raise PermissionDenied(
            _("Only the customer pays for a visit."), code=CoreError.NOT_ALLOWED_FOR_ROLE
        )


@raises(
    CoreError.NOT_ALLOWED_FOR_ROLE,
    PaymentError.INVALID_PAYMENT_METHOD,
    PaymentError.NO_PAYOUT_ACCOUNT,
    PaymentError.HELPER_CANNOT_TAKE_PAYMENTS,
    PaymentError.PAYMENT_NOT_EXPECTED,
    PaymentError.PAYMENT_METHOD_UNAVAILABLE,
    stripe_gateway.STRIPE_ERRORS,
)
def payment_method_set(*, booking: Booking, actor: User, payment_method_id: str) -> Payment:
    """The customer gives the card (a PaymentMethod created on the helper's account with
    Stripe.js) the hold is placed on: before confirming, or after a hold failed, when the hold
    is placed at once. A declined card is recorded (the next card is a new attempt), then
    answered with PaymentDeclined (402).

    `payment_method_id="twint"` chooses TWINT instead: it cannot be held, so nothing is held and
    the customer pays right after sign-off on a payment page (Swiss francs only)."""
    with transaction.atomic():
        booking = lock_booking(booking)
        require_paying_customer(booking, actor)
        payment_method_id = payment_method_id.strip()
        twint = payment_method_id.lower() == TWINT
        if not twint and not payment_method_id.startswith("pm_"):
            raise ValidationFailed.for_field(
                "payment_method",
                _("This is not a payment method."),
                code=PaymentError.INVALID_PAYMENT_METHOD,
            )
        account = _account_taking_payments(booking)
        _check_method_expected(booking, twint=twint)
        payment = _payment_waiting_for_method(booking, account, _price_to_hold(booking))
        proposed = booking.status == BookingStatus.PROPOSED
        _method_choose(
            payment,
            account,
            twint=twint,
            payment_method_id=payment_method_id,
            before_confirming=proposed,
        )
        if proposed or twint:
            return payment
        outcome = payment_authorise(payment=payment)
    if outcome.declined is not None:
        raise outcome.declined
    return outcome.payment


# --- Capture on sign-off, settlement -------------------------------------------------------------


def payment_capture(*, payment: Payment) -> Payment:
    """Capture the agreed amount (never more than the hold) once the visit is signed off, and
    a consented extra with it (payments.extras), then settle the booking (signed_off →
    settled, the system's move)."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        if booking.status == BookingStatus.SIGNED_OFF and _lost(payment):
            _release_lost(booking, payment, reason="visit signed off")
        elif payment.status == _P.AUTHORISED and booking.status == BookingStatus.SIGNED_OFF:
            amount = min(payment.amount_minor, payment.authorised_minor)
            key = _key(payment, "capture")
            _record_request(key, "capture", payment=payment)
            intent = stripe_gateway.payment_intent_capture(
                account_id=payment.stripe_account_id,
                intent_id=str(payment.payment_intent_id),
                amount=amount,
                idempotency_key=key,
            )
            _answered(key, intent.id)
            _apply_capture(payment, intent, reason="visit signed off")
        elif (
            payment.pay_with == PayWith.TWINT
            and payment.status == _P.REQUIRES_PAYMENT_METHOD
            and booking.status == BookingStatus.SIGNED_OFF
        ):
            _pay_after_open(payment, amount=payment.amount_minor, reason="visit signed off")
        extras.extra_settle(booking=booking, payment=payment)
        _settle_if_paid(booking, payment)
    return payment


def _lost(payment: Payment) -> bool:
    """Whether the (locked) payment is still to be taken on an account that removed Quartier's
    access: held on it, or to be paid with TWINT after sign-off while it is disconnected."""
    if payment.status == _P.AUTHORISED:
        return payment.account_lost
    return (
        payment.status == _P.REQUIRES_PAYMENT_METHOD
        and payment.pay_with == PayWith.TWINT
        and payment.account_lost
    )


def _release_lost(booking: Booking, payment: Payment, *, reason: str) -> None:
    """The (locked) payment's account removed Quartier's access at Stripe: nothing can be
    captured, released or charged there any more, and Stripe lets its holds lapse by
    themselves. Nothing is charged: released in the books with why, without a call to Stripe;
    customer and helper are told (`tell_payment_lost`). The booking stays as it is."""
    extras.extra_release_lost(booking=booking, payment=payment)
    held = payment.authorised_minor
    payment_transition(
        payment=payment,
        to=_P.RELEASED,
        role=ActorRole.SYSTEM,
        reason=f"{reason}: the payout account was disconnected",
        changes={"failure_code": ACCOUNT_LOST, "failure_message": "", "decline_reason": ""},
        data={"account_lost": True},
    )
    _book(payment, LedgerKind.RELEASED, _HOLD, _C, held, payment.payment_intent_id or "")


def _apply_capture(
    payment: Payment, intent: stripe_gateway.IntentState, *, reason: str, fee_only: bool = False
) -> None:
    captured = intent.amount_received
    if captured > payment.authorised_minor:
        raise AssertionError("Stripe captured more than the hold")
    fee, charge_id, txn_id = _stripe_fee(payment, intent)
    payment_transition(
        payment=payment,
        to=_P.CAPTURED,
        role=ActorRole.SYSTEM,
        reason=reason,
        changes={
            "captured_minor": captured,
            "stripe_fee_minor": fee,
            "is_cancellation_fee": fee_only,
        },
        data={"payment_intent": intent.id, "captured": captured, "stripe_fee": fee},
    )
    kind = LedgerKind.CANCELLATION_FEE if fee_only else LedgerKind.CAPTURED
    _book(payment, kind, _HOLD, _H, captured, charge_id)
    _book(payment, LedgerKind.RELEASED, _HOLD, _C, payment.authorised_minor - captured, intent.id)
    _book(payment, LedgerKind.STRIPE_FEE, _H, _S, fee, txn_id)
    receipt_issue(payment=payment)


def _settle_if_paid(booking: Booking, payment: Payment) -> None:
    if booking.status == BookingStatus.SIGNED_OFF and payment.status == _P.CAPTURED:
        booking_transition(
            booking=booking,
            to=BookingStatus.SETTLED,
            actor=None,
            role=ActorRole.SYSTEM,
            reason="payment captured",
            data={"payment": str(payment.public_id), "captured_minor": payment.captured_minor},
        )


@transaction.atomic
def booking_settle_unpaid(*, booking: Booking) -> Booking:
    """A signed-off visit without a price (a neighbourly favour) is settled at once."""
    booking = lock_booking(booking)
    if booking.status == BookingStatus.SIGNED_OFF and not booking.price_minor:
        return booking_transition(
            booking=booking,
            to=BookingStatus.SETTLED,
            actor=None,
            role=ActorRole.SYSTEM,
            reason="nothing to pay",
        )
    return booking


# --- Cancellations and no-shows ------------------------------------------------------------------


def payment_on_booking_ended(*, payment: Payment) -> Payment:
    """The booking was cancelled or nobody came: release the hold at once, or capture the
    cancellation fee (the policy's percentage of the price) when the customer owes it."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        if booking.status not in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW):
            return payment
        if payment.status == _P.AUTHORISED and payment.account_lost:
            _release_lost(booking, payment, reason=f"booking {booking.status}")
            return payment
        extras.extra_settle(booking=booking, payment=payment)
        if payment.status == _P.REQUIRES_PAYMENT_METHOD:
            fee = payment.amount_minor * config().cancellation_fee_percent // 100
            if payment.pay_with == PayWith.TWINT and cancellation_fee_owed(booking) and fee > 0:
                # Nothing was held: the customer pays the fee with TWINT on the payment page.
                _pay_after_open(
                    payment, amount=fee, reason=f"fee for {booking.status}", fee_only=True
                )
                return payment
            return payment_transition(
                payment=payment,
                to=_P.RELEASED,
                role=ActorRole.SYSTEM,
                reason=f"booking {booking.status} before a hold",
            )
        if payment.status != _P.AUTHORISED:
            return payment
        fee = payment.authorised_minor * config().cancellation_fee_percent // 100
        if cancellation_fee_owed(booking) and fee > 0:
            key = _key(payment, "cancellation-fee")
            _record_request(key, "cancellation_fee", payment=payment)
            intent = stripe_gateway.payment_intent_capture(
                account_id=payment.stripe_account_id,
                intent_id=str(payment.payment_intent_id),
                amount=fee,
                idempotency_key=key,
            )
            _answered(key, intent.id)
            _apply_capture(payment, intent, reason=f"fee for {booking.status}", fee_only=True)
            return payment
        key = _key(payment, "release")
        _record_request(key, "release", payment=payment)
        intent = stripe_gateway.payment_intent_cancel(
            account_id=payment.stripe_account_id,
            intent_id=str(payment.payment_intent_id),
            idempotency_key=key,
        )
        _answered(key, intent.id)
        _apply_release(payment, reason=f"booking {booking.status}", reference=intent.id)
    return payment


def _apply_release(payment: Payment, *, reason: str, reference: str) -> None:
    held = payment.authorised_minor
    payment_transition(payment=payment, to=_P.RELEASED, role=ActorRole.SYSTEM, reason=reason)
    _book(payment, LedgerKind.RELEASED, _HOLD, _C, held, reference)


# --- Methods that cannot be held (TWINT): the due payment and its charge ---------------------


def _pay_after_open(payment: Payment, *, amount: int, reason: str, fee_only: bool = False) -> None:
    """The (locked) payment falls due: a TWINT PaymentIntent for `amount` as a direct charge on
    the helper's account (no application fee), which the customer pays on the payment page."""
    account = payment.payout_account
    if account is None or not account.stripe_account_id or account.is_disconnected:
        _record_failure(payment, "helper_cannot_take_payments", "")
        return
    key = _key(payment, "pay-after", 1)
    _record_request(key, "pay_after", payment=payment)
    intent = stripe_gateway.twint_intent_create(
        account_id=str(account.stripe_account_id),
        amount=amount,
        currency=payment.currency,
        idempotency_key=key,
        metadata={"payment": str(payment.public_id), "booking": str(payment.booking.public_id)},
    )
    if intent.application_fee_amount:
        raise AssertionError("a Quartier PaymentIntent carries an application fee")
    _answered(key, intent.id)
    payment_transition(
        payment=payment,
        to=_P.DUE,
        role=ActorRole.SYSTEM,
        reason=reason,
        changes={
            "payment_intent_id": intent.id,
            "intent_account_id": str(account.stripe_account_id),
            "is_cancellation_fee": fee_only,
            "due_minor": amount,
        },
        data={"payment_intent": intent.id, "amount": amount},
    )


def _apply_paid_after(payment: Payment, intent: stripe_gateway.IntentState, *, reason: str) -> None:
    """The customer paid the due amount: the charge went straight from the customer to the
    helper's account (nothing was held), less Stripe's fee from the balance transaction."""
    paid = intent.amount_received
    if paid > payment.amount_minor:
        raise AssertionError("Stripe took more than the payment's amount")
    fee, charge_id, txn_id = _stripe_fee(payment, intent)
    payment_transition(
        payment=payment,
        to=_P.CAPTURED,
        role=ActorRole.SYSTEM,
        reason=reason,
        changes={
            "authorised_minor": paid,
            "captured_minor": paid,
            "stripe_fee_minor": fee,
            "failure_code": "",
            "failure_message": "",
            "decline_reason": "",
        },
        data={"payment_intent": intent.id, "captured": paid, "stripe_fee": fee},
    )
    kind = LedgerKind.CANCELLATION_FEE if payment.is_cancellation_fee else LedgerKind.CAPTURED
    _book(payment, kind, _C, _H, paid, charge_id)
    _book(payment, LedgerKind.STRIPE_FEE, _H, _S, fee, txn_id)
    receipt_issue(payment=payment)
