"""Tips with TWINT, on the pay-after page: TWINT cannot be charged without the customer, so the
tip is a TWINT PaymentIntent (a direct charge on the helper's account, no application fee) the
customer authorises on TWINT's page, then comes back. The Tip row and its ledger entries are
written only once Stripe says the charge succeeded (on the way back, or from the webhook), so a
tip abandoned in TWINT's app leaves nothing behind. Same rules as a card tip (payments.tips):
once per visit, after sign-off, within the bounds; Swiss francs only.

The PaymentIntent's key is made of the payment and the amount, so asking again for the same tip
is the same intent; its id is kept on the request's record (`StripeRequest`, action
`tip_twint`). A confirmation's key counts the tries, so a try TWINT refused is followed by a
new one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from backend.exceptions import CoreError, raises
from backend.models import User
from payments import stripe_gateway
from payments.errors import PaymentError
from payments.exceptions import HelperCannotTakePayments, PaymentProviderRefused
from payments.models import LedgerAccount, LedgerKind, Payment, StripeRequest, Tip
from payments.steps import _answered, _book, _lock, _record_request, _stripe_fee
from payments.tips import check_tip_allowed

_C, _H, _S = LedgerAccount.CUSTOMER, LedgerAccount.HELPER, LedgerAccount.STRIPE
ACTION = "tip_twint"


@raises(
    CoreError.NOT_ALLOWED_FOR_ROLE,
    PaymentError.TIP_BEFORE_SIGN_OFF,
    PaymentError.ALREADY_TIPPED,
    PaymentError.TIP_OUT_OF_BOUNDS,
    PaymentError.HELPER_CANNOT_TAKE_PAYMENTS,
    PaymentError.PAYMENT_METHOD_UNAVAILABLE,
    stripe_gateway.PROVIDER_ERRORS,
)
def tip_twint_start(*, payment: Payment, actor: User, amount_minor: int, return_url: str) -> str:
    """The URL of TWINT's page where the customer authorises a tip of `amount_minor`; Stripe
    sends them back to `return_url` (then `tip_twint_refresh`)."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        check_tip_allowed(booking, actor, amount_minor)
        if payment.currency != "CHF":
            raise PaymentProviderRefused(
                _("TWINT takes Swiss francs only. Please pay by card."),
                code=PaymentError.PAYMENT_METHOD_UNAVAILABLE,
            )
        account = payment.payout_account
        if account is None or not account.can_take_payments:
            raise HelperCannotTakePayments(_("The helper cannot take payments now."))
        account_id = _tip_account_id(payment)
        key = f"quartier:{payment.public_id}:tip-twint:{amount_minor}"
        _record_request(key, ACTION, payment=payment)
        intent = stripe_gateway.twint_intent_create(
            account_id=account_id,
            amount=amount_minor,
            currency=payment.currency,
            idempotency_key=key,
            metadata={"tip": str(payment.public_id), "booking": str(booking.public_id)},
        )
        if intent.application_fee_amount:
            raise AssertionError("a Quartier PaymentIntent carries an application fee")
        _answered(key, intent.id)
        if intent.status in ("requires_payment_method", "requires_confirmation"):
            tries = StripeRequest.objects.filter(
                payment=payment, action=f"{ACTION}_confirm", stripe_object_id=intent.id
            ).count()
            confirm_key = f"{key}:confirm:{tries + 1}"
            _record_request(confirm_key, f"{ACTION}_confirm", payment=payment)
            intent = stripe_gateway.twint_intent_confirm(
                account_id=account_id,
                intent_id=intent.id,
                return_url=return_url,
                idempotency_key=confirm_key,
            )
            _answered(confirm_key, intent.id)
        if intent.status == "succeeded":
            _book_tip(payment, intent, account_id)
            return ""
    return intent.redirect_url or ""


@raises(stripe_gateway.PROVIDER_ERRORS)
def tip_twint_refresh(*, payment: Payment) -> Tip | None:
    """The visit's tip, once Stripe says a TWINT tip's charge succeeded (the customer is back
    from TWINT's page, or its webhook came): booked once, whichever comes first."""
    with transaction.atomic():
        _booking, payment = _lock(payment)
        found = Tip.objects.filter(booking_id=payment.booking_id).first()
        if found is not None:
            return found
        asked = StripeRequest.objects.filter(payment=payment, action=ACTION).exclude(
            stripe_object_id=""
        )
        # Started on the helper's account then (`tip_twint_start`): theirs now, unless they
        # reconnected meanwhile.
        account_id = _tip_account_id(payment)
        for request in asked.order_by("-created_at", "-id"):
            intent = stripe_gateway.payment_intent_retrieve(
                account_id=account_id, intent_id=request.stripe_object_id
            )
            if intent.status == "succeeded":
                return _book_tip(payment, intent, account_id)
    return None


def _tip_account_id(payment: Payment) -> str:
    """The account a tip goes to: the helper's payout account's now, which is not the visit's
    payment's once the helper has reconnected a new account."""
    account = payment.payout_account
    return str(account.stripe_account_id or "") if account is not None else ""


def _book_tip(payment: Payment, intent: stripe_gateway.IntentState, account_id: str) -> Tip:
    fee, charge_id, txn_id = _stripe_fee(payment, intent, account_id=account_id)
    tip = Tip.objects.create(
        booking_id=payment.booking_id,
        payment=payment,
        amount_minor=intent.amount_received,
        currency=payment.currency,
        payment_intent_id=intent.id,
        account_id=account_id,
        charge_id=charge_id,
        balance_transaction_id=txn_id,
        stripe_fee_minor=fee,
    )
    _book(payment, LedgerKind.TIPPED, _C, _H, tip.amount_minor, charge_id)
    _book(payment, LedgerKind.STRIPE_FEE, _H, _S, fee, txn_id)
    return tip
