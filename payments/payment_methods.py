"""The steps of `payment_method_set` (payments/services.py): the helper's account that must
take payments, whether a method is expected now, the price to hold, the payment waiting for a
method, and the method chosen."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus
from bookings.pricing import charge_for
from payments.errors import PaymentError
from payments.exceptions import HelperCannotTakePayments, NoPayoutAccount, PaymentProviderRefused
from payments.models import Payment, PaymentStatus, PayoutAccount, PayWith

_P = PaymentStatus

# The one currency TWINT takes.
TWINT_CURRENCY = "CHF"


def methods_the_helper_takes(booking: Booking) -> list[str]:
    """How the customer can pay the visit's helper through Quartier, as they choose a time: by
    card and, in Swiss francs, with TWINT, while the helper's payout account takes payments
    (`takes_payments`, which this app keeps in step with the account and which confirming a
    paid time asks: `bookings.transitions.helper_paid_at`); none while it cannot. No query
    beyond the booking's helper."""
    if not booking.helper.takes_payments:
        return []
    if booking.currency != TWINT_CURRENCY:
        return [PayWith.CARD.value]
    return [PayWith.CARD.value, PayWith.TWINT.value]


def _account_taking_payments(booking: Booking) -> PayoutAccount:
    """The helper's payout account, which must be able to take payments."""
    account = PayoutAccount.objects.filter(helper_id=booking.helper_id).first()
    if account is None:
        raise NoPayoutAccount(_("The helper cannot take payments yet."))
    if not account.can_take_payments:
        raise HelperCannotTakePayments(
            _(
                "The helper cannot take card payments at the moment, so nothing has been "
                "charged. Please try again later, or agree with the helper on another way to pay."
            )
        )
    return account


def _check_method_expected(booking: Booking, *, twint: bool) -> None:
    """A payment method is given before the visit ends; TWINT takes Swiss francs only."""
    if booking.status not in (
        BookingStatus.PROPOSED,
        BookingStatus.CONFIRMED,
        BookingStatus.ON_THE_WAY,
        BookingStatus.IN_PROGRESS,
    ):
        raise PaymentProviderRefused(
            _("This visit cannot take a payment method now."),
            code=PaymentError.PAYMENT_NOT_EXPECTED,
        )
    if twint and booking.currency != TWINT_CURRENCY:
        raise PaymentProviderRefused(
            _("TWINT takes Swiss francs only. Please pay by card."),
            code=PaymentError.PAYMENT_METHOD_UNAVAILABLE,
        )


def _price_to_hold(booking: Booking) -> int:
    """The charge agreed on confirmation or, before confirming, the dearest proposed time's
    charge (confirming fixes it)."""
    price = booking.charge_minor or booking.price_minor
    if price is None:
        proposal = booking.proposals.filter(status="proposed").order_by("price_minor").last()
        price = charge_for(proposal.price_minor).charge_minor if proposal is not None else None
    if not price:
        raise PaymentProviderRefused(
            _("This visit has no price to pay yet."), code=PaymentError.PAYMENT_NOT_EXPECTED
        )
    return price


def _payment_waiting_for_method(booking: Booking, account: PayoutAccount, price: int) -> Payment:
    """The booking's payment (created for `price` if it has none), locked; it must not be held
    or paid yet."""
    payment, _created = Payment.objects.select_for_update().get_or_create(
        booking=booking,
        defaults={
            "payout_account": account,
            "amount_minor": price,
            "currency": booking.currency,
        },
    )
    if payment.status != _P.REQUIRES_PAYMENT_METHOD:
        raise PaymentProviderRefused(
            _("The payment for this visit is already authorised."),
            code=PaymentError.PAYMENT_NOT_EXPECTED,
        )
    return payment


def _method_choose(
    payment: Payment,
    account: PayoutAccount,
    *,
    twint: bool,
    payment_method_id: str,
    before_confirming: bool = False,
) -> None:
    """Record the card (its PaymentMethod id, and the helper's account it was made on) or TWINT
    (no id), to the helper's account. Before confirming, nothing was tried on the card: a card
    asked for again (given on the helper's previous account) is answered by the new one."""
    payment.pay_with = PayWith.TWINT if twint else PayWith.CARD
    payment.payment_method_id = "" if twint else payment_method_id
    payment.payout_account = account
    payment.method_account_id = "" if twint else str(account.stripe_account_id)
    if twint or before_confirming:
        payment.failure_code = ""
        payment.failure_message = ""
        payment.decline_reason = ""
    payment.save(
        update_fields=[
            "pay_with",
            "payment_method_id",
            "payout_account",
            "method_account_id",
            "failure_code",
            "failure_message",
            "decline_reason",
            "updated_at",
        ]
    )
