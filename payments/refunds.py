"""Refunds: part or all of a capture given back, with a reason, by the manager (resolving a
dispute) or the helper; never more than captured over all refunds together."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from backend.exceptions import CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.roles import ActorRole
from backend.texts import visible_text
from bookings.models import Booking
from payments import stripe_gateway
from payments.errors import PaymentError
from payments.exceptions import PaymentProviderRefused, RefundTooLarge
from payments.models import LedgerAccount, LedgerEntry, LedgerKind, Payment, PaymentEvent
from payments.models import PaymentStatus as _PaymentStatus
from payments.services import payment_transition
from payments.steps import _answered, _book, _key, _lock, _record_request

_P = _PaymentStatus
_C, _H = LedgerAccount.CUSTOMER, LedgerAccount.HELPER


@raises(
    CoreError.NOT_ALLOWED_FOR_ROLE,
    CoreError.REASON_REQUIRED,
    PaymentError.PAYMENT_NOT_REFUNDABLE,
    PaymentError.REFUND_EXCEEDS_CAPTURED,
    visible_text,
    stripe_gateway.PROVIDER_ERRORS,  # a refund charges no card
)
def payment_refund(*, payment: Payment, actor: User, amount_minor: int, reason: str) -> Payment:
    """Give back part or all of what was captured, with a reason: by the manager (resolving a
    dispute) or by the helper. Never more than captured, over all refunds together."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        role = refunder_role(booking, actor)
        # The customer reads the reason: a text like every other one people write for others.
        reason = visible_text(reason, field="reason", required=False, max_length=300)
        if not reason:
            raise ValidationFailed.for_field(
                "reason", _("Give a reason for the refund."), code=CoreError.REASON_REQUIRED
            )
        if payment.status != _P.CAPTURED:
            raise PaymentProviderRefused(
                _("Only a captured payment can be refunded."),
                code=PaymentError.PAYMENT_NOT_REFUNDABLE,
            )
        if payment.account_lost:
            raise PaymentProviderRefused(
                _refund_elsewhere(role, replaced=payment.account_replaced),
                code=PaymentError.PAYMENT_NOT_REFUNDABLE,
            )
        left = payment.captured_minor - payment.refunded_minor
        if amount_minor <= 0 or amount_minor > left:
            raise RefundTooLarge.for_field(
                "amount_minor",
                _("A refund must be between 0.01 and %(left)s.") % {"left": _money(left)},
                code=PaymentError.REFUND_EXCEEDS_CAPTURED,
            )
        number = LedgerEntry.objects.filter(payment=payment, kind=LedgerKind.REFUNDED).count() + 1
        key = _key(payment, f"refund-{number}")
        _record_request(key, "refund", payment=payment)
        refund = stripe_gateway.refund_create(
            account_id=payment.stripe_account_id,
            intent_id=str(payment.payment_intent_id),
            amount=amount_minor,
            reason="requested_by_customer",
            idempotency_key=key,
        )
        _answered(key, refund.id)
        _apply_refund(payment, refund.id, refund.amount, role=role, reason=reason)
    return payment


def _apply_refund(payment: Payment, refund_id: str, amount: int, *, role: str, reason: str) -> None:
    if LedgerEntry.objects.filter(
        payment=payment, kind=LedgerKind.REFUNDED, reference=refund_id
    ).exists():
        return
    _book(payment, LedgerKind.REFUNDED, _H, _C, amount, refund_id)
    refunded = payment.refunded_minor + amount
    if refunded >= payment.captured_minor:
        payment_transition(
            payment=payment,
            to=_P.REFUNDED,
            role=role,
            reason=reason,
            changes={"refunded_minor": refunded},
            data={"refund": refund_id, "amount": amount},
        )
    else:
        payment.refunded_minor = refunded
        payment.save(update_fields=["refunded_minor", "updated_at"])
        PaymentEvent.objects.create(
            payment=payment,
            from_status=payment.status,
            to_status=payment.status,
            actor_role=role,
            reason=reason[:300],
            data={"refund": refund_id, "amount": amount},
        )


def _refund_elsewhere(role: str, *, replaced: bool) -> str:
    """Why the payment cannot be refunded through Quartier, and what the refunder can do: it was
    charged on an account that removed Quartier's access at Stripe, and Stripe refunds a direct
    charge only on the account it was made on, which answers Quartier nothing any more. The
    words name that account as it stands: the helper's account, disconnected and not replaced
    yet, or their previous one, replaced by a new one since (`replaced`)."""
    if role == ActorRole.HELPER:
        if not replaced:
            return _(
                "This payment was taken on your payout account, which is disconnected from "
                "Quartier, so Quartier can no longer refund it, even once you connect a payout "
                "account again. Please refund the customer from that account at Stripe, or pay "
                "the amount back to the customer directly."
            )
        return _(
            "This payment was taken on your previous payout account, which was disconnected "
            "from Quartier, so Quartier can no longer refund it. Please refund the customer "
            "from that account at Stripe, or pay the amount back to the customer directly."
        )
    if not replaced:
        return _(
            "This payment was taken on the helper's payout account, which is disconnected from "
            "Quartier, so Quartier can no longer refund it, even once the helper connects a "
            "payout account again. Please ask the helper to refund the customer from that "
            "account at Stripe, or to pay the amount back to the customer directly."
        )
    return _(
        "This payment was taken on the helper's previous payout account, which was "
        "disconnected from Quartier, so Quartier can no longer refund it. Please ask the helper "
        "to refund the customer from that account at Stripe, or to pay the amount back to the "
        "customer directly."
    )


def refunder_role(booking: Booking, actor: User) -> str:
    if actor.is_staff:
        return ActorRole.MANAGER
    if booking.helper.user_id == actor.pk:
        return ActorRole.HELPER
    raise PermissionDenied(
        _("Only the helper or the community manager can refund."),
        code=CoreError.NOT_ALLOWED_FOR_ROLE,
    )


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"
