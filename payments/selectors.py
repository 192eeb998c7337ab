"""Reads of the payments app, scoped to who asks."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Sum
from django.utils.translation import gettext as _

from backend.exceptions import Conflict, CoreError, NotFound, raises
from backend.models import User
from bookings.models import Booking
from bookings.selectors import booking_for
from payments.errors import PaymentError
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    Payment,
    PaymentStatus,
    PayoutAccount,
    PayWith,
    Receipt,
    Tip,
)


@raises(PaymentError.NO_PAYMENT_YET, booking_for)
def payment_for(user: User, booking_id: UUID) -> Payment:
    """The payment of a booking the user may see (customer, helper, manager); 404 for other
    people's bookings, 409 `no_payment_yet` while the visit has none (no card given yet)."""
    booking = booking_for(user, booking_id)
    payment = Payment.objects.select_related("payout_account", "booking").filter(booking=booking)
    found = payment.first()
    if found is None:
        raise Conflict(_("This visit has no payment yet."), code=PaymentError.NO_PAYMENT_YET)
    return found


@raises(CoreError.NOT_FOUND)
def booking_of_party(user: User, booking_id: UUID) -> Booking:
    """The booking, for its customer or its helper only: receipts and tips are theirs (anyone
    else, the manager too, gets 404, as for a booking that does not exist)."""
    booking = (
        Booking.objects.select_related(
            "help_request__category", "help_request__customer", "helper__user"
        )
        .filter(public_id=booking_id)
        .first()
    )
    if booking is None or user.pk not in (booking.help_request.customer_id, booking.helper.user_id):
        raise NotFound(_("No such booking."))
    return booking


@raises(PaymentError.NO_PAYMENT_YET, booking_of_party)
def party_payment(user: User, booking_id: UUID) -> Payment:
    """The payment of a booking of the user's own (as its customer or helper)."""
    booking = booking_of_party(user, booking_id)
    found = Payment.objects.select_related("payout_account", "booking").filter(booking=booking)
    payment = found.first()
    if payment is None:
        raise Conflict(_("This visit has no payment yet."), code=PaymentError.NO_PAYMENT_YET)
    return payment


def payout_account_of(user: User) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(helper__user=user).first()


def helper_receives_minor(payment: Payment) -> int:
    """What stays with the helper: captured, less refunds and Stripe's fee (Quartier: 0)."""
    return payment.captured_minor - payment.refunded_minor - payment.stripe_fee_minor


def ledger_balances(*, booking_id: int) -> dict[str, int]:
    """Each ledger account's balance over one booking (received minus given)."""
    balances = dict.fromkeys(LedgerAccount.values, 0)
    entries = LedgerEntry.objects.filter(booking_id=booking_id)
    for debit, total in entries.values_list("debit").annotate(total=Sum("amount_minor")):
        balances[debit] -= total
    for credit, total in entries.values_list("credit").annotate(total=Sum("amount_minor")):
        balances[credit] += total
    return balances


def hold_missing(booking: Booking) -> bool:
    """Whether a confirmed visit still lacks the hold it needs before it goes ahead: it has a
    price and a payment to the helper's payout account, and the card is not held (no card yet,
    the hold failed, or the deferred hold has not been placed). A free visit needs none, and
    neither does one paid with TWINT, which cannot be held and is paid after sign-off."""
    payment = (
        Payment.objects.filter(booking_id=booking.pk)
        .only("status", "payout_account", "pay_with")
        .first()
    )
    if payment is None or payment.payout_account_id is None or payment.pay_with == PayWith.TWINT:
        return False
    return payment.status not in (PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED)


def receipt_of(booking: Booking) -> Receipt | None:
    """The visit's receipt once its payment was taken (for the pages' "Receipt" link)."""
    return Receipt.objects.filter(booking_id=booking.pk).first()


def tip_of(booking: Booking) -> Tip | None:
    return Tip.objects.filter(booking_id=booking.pk).first()


def receipt_and_due_of(booking: Booking) -> tuple[Receipt | None, bool]:
    """In one query: the visit's receipt once its payment was taken, and whether the customer
    has a TWINT payment to make for it (the request page's "Pay with TWINT" button)."""
    payment = (
        Payment.objects.filter(booking_id=booking.pk)
        .select_related("receipt")
        .only("status", "receipt")
        .first()
    )
    if payment is None:
        return None, False
    try:
        receipt: Receipt | None = payment.receipt
    except Receipt.DoesNotExist:
        receipt = None
    return receipt, payment.status == PaymentStatus.DUE
