"""Tips: after sign-off the customer may give the helper a tip, once per visit, within the
bounds of the settings (`tip_min_minor`, `tip_max_minor`). All of it goes to the helper: a
separate PaymentIntent, captured at once, as a direct charge on the helper's account with no
application fee. Stripe's fee on it is the helper's, from the charge's balance transaction,
and both are booked on the visit's payment (`tipped`, `stripe_fee`).

The Stripe call's idempotency key is made of our rows and the request (payment, card, amount),
so a retry after a crash is the same request; a refused tip writes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from backend.config import config
from backend.exceptions import Conflict, CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.money import format_chf
from bookings.models import Booking, BookingStatus
from payments import stripe_gateway
from payments.errors import PaymentError
from payments.exceptions import HelperCannotTakePayments, PaymentDeclined
from payments.models import LedgerAccount, LedgerKind, Payment, Tip
from payments.steps import _answered, _book, _lock, _record_request, _stripe_fee

_C, _H, _S = LedgerAccount.CUSTOMER, LedgerAccount.HELPER, LedgerAccount.STRIPE
# A tip is given once the customer has signed the visit off (and after it is settled).
TIPPABLE = (BookingStatus.SIGNED_OFF, BookingStatus.SETTLED)


@raises(
    CoreError.NOT_ALLOWED_FOR_ROLE,
    PaymentError.TIP_BEFORE_SIGN_OFF,
    PaymentError.ALREADY_TIPPED,
    PaymentError.TIP_OUT_OF_BOUNDS,
    PaymentError.INVALID_PAYMENT_METHOD,
    PaymentError.HELPER_CANNOT_TAKE_PAYMENTS,
    stripe_gateway.STRIPE_ERRORS,
)
def tip_give(
    *, payment: Payment, actor: User, amount_minor: int, payment_method_id: str = ""
) -> Tip:
    """The customer tips the helper `amount_minor`, charged to `payment_method_id` (a card on
    the helper's account from Stripe.js) or, without one, to the card the visit was paid with."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        check_tip_allowed(booking, actor, amount_minor)
        account = payment.payout_account
        if account is None or not account.can_take_payments:
            raise HelperCannotTakePayments(_("The helper cannot take payments now."))
        # All of it goes to the helper's account now: after a reconnection, not the payment's.
        account_id = str(account.stripe_account_id)
        method = _tip_method(payment, account_id, payment_method_id.strip())
        key = f"quartier:{payment.public_id}:tip:{method}:{amount_minor}"
        _record_request(key, "tip", payment=payment)
        intent = stripe_gateway.payment_intent_create(
            account_id=account_id,
            amount=amount_minor,
            currency=payment.currency,
            payment_method=method,
            idempotency_key=key,
            metadata={"tip": str(payment.public_id), "booking": str(booking.public_id)},
            capture_method="automatic",
        )
        if intent.application_fee_amount:
            raise AssertionError("a Quartier PaymentIntent carries an application fee")
        if intent.status != "succeeded":
            # 3-D Secure asked for: the tip is not taken, and nothing of it is kept.
            raise PaymentDeclined(
                _("Your bank asks you to confirm this payment. Please use another card."),
                code=PaymentError.AUTHENTICATION_REQUIRED,
            )
        _answered(key, intent.id)
        fee, charge_id, txn_id = _stripe_fee(payment, intent, account_id=account_id)
        tip = Tip.objects.create(
            booking=booking,
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


def tip_card_account(payment: Payment | None) -> str:
    """The helper's Stripe account a card for the tip is to be given on (with Stripe.js), when
    the visit's card cannot pay it: it was given on the helper's previous payout account, and
    their new one takes payments. "" when the visit's card pays it (or nothing can). No query
    beyond the payment's account."""
    account = payment.payout_account if payment is not None else None
    if payment is None or account is None or not account.can_take_payments:
        return ""
    account_id = str(account.stripe_account_id or "")
    return account_id if _card_on_other_account(payment, account_id) else ""


def _card_on_other_account(payment: Payment, account_id: str) -> bool:
    """Whether the visit's card was given on another account than `account_id`: only the
    account it was given on can charge it."""
    return bool(payment.method_account_id) and payment.method_account_id != account_id


def _tip_method(payment: Payment, account_id: str, given: str) -> str:
    """The card the tip is charged to: the one given, else the visit's card, which only the
    account it was given on can charge (not a payout account the helper connected since)."""
    if given:
        method = given
    elif _card_on_other_account(payment, account_id):
        raise ValidationFailed.for_field(
            "payment_method",
            _(
                "The card this visit was paid with was given for the helper's previous payout "
                "account and cannot be charged on their new one. Please enter a card for the tip."
            ),
            code=PaymentError.INVALID_PAYMENT_METHOD,
        )
    else:
        method = payment.payment_method_id
    if not method.startswith("pm_"):
        raise ValidationFailed.for_field(
            "payment_method",
            _("This is not a payment method."),
            code=PaymentError.INVALID_PAYMENT_METHOD,
        )
    return method


@raises(CoreError.NOT_ALLOWED_FOR_ROLE)
def require_tipping_customer(booking: Booking, actor: User) -> None:
    """Only the visit's customer tips its helper (asked by the API before what was sent)."""
    if booking.help_request.customer_id != actor.pk:
        raise PermissionDenied(
            _("Only the customer can tip the helper."), code=CoreError.NOT_ALLOWED_FOR_ROLE
        )


def check_tip_allowed(booking: Booking, actor: User, amount_minor: int) -> None:
    """A tip of `amount_minor` may be given on `booking` (locked) by `actor`, whatever pays it:
    only its customer, once the visit is signed off, once per visit, within the bounds."""
    require_tipping_customer(booking, actor)
    if booking.status not in TIPPABLE:
        raise Conflict(
            _("A tip can be given once the visit is signed off."),
            code=PaymentError.TIP_BEFORE_SIGN_OFF,
        )
    if Tip.objects.filter(booking=booking).exists():
        raise Conflict(
            _("You have already tipped for this visit."), code=PaymentError.ALREADY_TIPPED
        )
    _check_amount(amount_minor)


def _check_amount(amount_minor: int) -> None:
    settings = config()
    language = translation.get_language() or "en"
    if not settings.tip_min_minor <= amount_minor <= settings.tip_max_minor:
        raise ValidationFailed.for_field(
            "amount_minor",
            _("A tip must be between %(least)s and %(most)s.")
            % {
                "least": format_chf(settings.tip_min_minor, language),
                "most": format_chf(settings.tip_max_minor, language),
            },
            code=PaymentError.TIP_OUT_OF_BOUNDS,
        )
