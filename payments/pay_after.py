"""Paying after the visit (TWINT, which cannot be held): the customer pays a due payment on the
payment page, and comes back from TWINT's page. The payment falls due in payments.services
(on sign-off, or for a cancellation fee); its reminders are payments.tasks'."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from backend.exceptions import CoreError, raises
from backend.models import User
from payments import stripe_gateway
from payments.errors import PaymentError
from payments.exceptions import PaymentProviderRefused
from payments.models import Payment, PaymentStatus
from payments.services import _apply_intent, _settle_if_paid, require_paying_customer
from payments.steps import _answered, _key, _lock, _record_request

_P = PaymentStatus

# --- Methods that cannot be held (TWINT): paid right after sign-off on a payment page ---------

# The customer is reminded of an unpaid visit this many days after it fell due, up to
# PAY_AFTER_REMINDERS times; the manager's list of due payments shows it meanwhile.
PAY_AFTER_REMIND_DAYS = 3
PAY_AFTER_REMINDERS = 3


@raises(
    CoreError.NOT_ALLOWED_FOR_ROLE,
    PaymentError.PAYMENT_NOT_EXPECTED,
    stripe_gateway.PROVIDER_ERRORS,
)
def payment_pay_after_start(
    *, payment: Payment, actor: User, return_url: str
) -> tuple[Payment, str]:
    """The customer pays a due TWINT payment: the PaymentIntent is confirmed with TWINT and
    `return_url`, and the answer is the URL of TWINT's page the customer is sent to. Asking
    again while that page waits gives the same URL; after a failed try, a new attempt (a new
    key). Stripe sends the customer back to `return_url`; the payment is taken from Stripe's
    state then (`payment_pay_after_refresh`) or from its webhook, whichever comes first.
    A payment that is already paid answers with an empty URL."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        require_paying_customer(booking, actor)
        if payment.status != _P.DUE:
            raise PaymentProviderRefused(
                _("This visit has nothing to pay now."), code=PaymentError.PAYMENT_NOT_EXPECTED
            )
        intent = stripe_gateway.payment_intent_retrieve(
            account_id=payment.stripe_account_id, intent_id=str(payment.payment_intent_id)
        )
        _apply_intent(payment, intent, reason="paid with TWINT")
        _settle_if_paid(booking, payment)
        if payment.status == _P.DUE and intent.status in (
            "requires_payment_method",
            "requires_confirmation",
        ):
            key = _key(payment, "pay-after-confirm")
            _record_request(key, "pay_after_confirm", payment=payment)
            intent = stripe_gateway.twint_intent_confirm(
                account_id=payment.stripe_account_id,
                intent_id=str(payment.payment_intent_id),
                return_url=return_url,
                idempotency_key=key,
            )
            _answered(key, intent.id)
        redirect = intent.redirect_url if payment.status == _P.DUE else None
    return payment, redirect or ""


@raises(stripe_gateway.PROVIDER_ERRORS)
def payment_pay_after_refresh(*, payment: Payment) -> Payment:
    """Bring a due payment up to its PaymentIntent at Stripe (the customer is back from TWINT's
    page): paid → captured and the booking settled; failed → the next try is a new attempt."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        if payment.status != _P.DUE or payment.payment_intent_id is None:
            return payment
        intent = stripe_gateway.payment_intent_retrieve(
            account_id=payment.stripe_account_id, intent_id=payment.payment_intent_id
        )
        _apply_intent(payment, intent, reason="back from TWINT")
        _settle_if_paid(booking, payment)
    return payment
