"""Receipts: numbered once when a capture is booked, read from the ledger when shown.

A receipt's number is `Q-<year>-<sequence>`: the sequence is gap-free per calendar year
(Europe/Zurich), taken from a counter row locked in the transaction that books the capture, so
a rolled-back capture gives its number back. Only the visit's customer and its helper see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import clock
from backend.exceptions import Conflict, raises
from backend.models import User
from bookings.models import Booking
from payments.errors import PaymentError
from payments.models import (
    ExtraCharge,
    ExtraStatus,
    LedgerEntry,
    LedgerKind,
    Payment,
    PayWith,
    Receipt,
    ReceiptCounter,
    Tip,
)
from payments.selectors import booking_of_party, ledger_balances


@transaction.atomic
def receipt_issue(*, payment: Payment) -> Receipt:
    """The payment's receipt, numbered now if it has none (the caller holds the payment's
    lock and books the capture in the same transaction; the counter's lock is held until that
    transaction ends)."""
    found = Receipt.objects.filter(payment=payment).first()
    if found is not None:
        return found
    year = timezone.localtime(clock.now()).year
    ReceiptCounter.objects.get_or_create(year=year)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return Receipt.objects.create(
        booking_id=payment.booking_id, payment=payment, year=year, sequence=counter.last
    )


@dataclass(frozen=True)
class ReceiptView:
    """A receipt's contents, amounts in minor units from the ledger."""

    number: str
    issued_at: date
    merchant: str
    merchant_user_id: int
    # Who booked and paid, and the person the helper met when they booked for someone else
    customer: str
    on_behalf_name: str
    visit_date: date | None
    category: str
    locality: str
    duration_minutes: int
    work_summary: str
    currency: str
    is_cancellation_fee: bool
    stripe_fee_paid_by: str
    price_minor: int
    # Extra time or material the customer agreed to and that was captured (0: none).
    extra_minutes: int
    extra_material_minor: int
    extra_price_minor: int
    extra_charged_minor: int
    charged_minor: int
    # Paid after the visit with TWINT (else charged to a card).
    paid_with_twint: bool
    stripe_fee_minor: int
    quartier_fee_minor: int
    tip_minor: int
    tip_stripe_fee_minor: int
    refunded_minor: int
    customer_paid_minor: int
    stripe_fees_minor: int
    helper_receives_minor: int


@raises(PaymentError.NO_RECEIPT_YET, booking_of_party)
def receipt_for(user: User, booking_id: UUID, *, language: str) -> ReceiptView:
    """The booking's receipt for its customer or helper, in `language` (category name)."""
    booking = booking_of_party(user, booking_id)
    receipt = Receipt.objects.select_related("payment").filter(booking=booking).first()
    if receipt is None:
        raise Conflict(
            _("This visit has no receipt yet: it comes once the payment is taken."),
            code=PaymentError.NO_RECEIPT_YET,
        )
    return _view(booking, receipt, language)


def _view(booking: Booking, receipt: Receipt, language: str) -> ReceiptView:
    payment = receipt.payment
    tip = Tip.objects.filter(booking=booking).first()
    tip_fee_ref = tip.balance_transaction_id if tip is not None else None
    by_kind: dict[str, int] = dict.fromkeys(LedgerKind.values, 0)
    tip_fee = 0
    rows = (
        LedgerEntry.objects.filter(booking=booking)
        .values("kind", "reference")
        .annotate(total=Sum("amount_minor"))
        .values_list("kind", "reference", "total")
    )
    for kind, reference, total in rows:
        if kind == LedgerKind.STRIPE_FEE and reference and reference == tip_fee_ref:
            tip_fee += total
        else:
            by_kind[kind] += total
    charged = by_kind[LedgerKind.CAPTURED] + by_kind[LedgerKind.CANCELLATION_FEE]
    refunded = by_kind[LedgerKind.REFUNDED]
    tipped = by_kind[LedgerKind.TIPPED]
    fees = by_kind[LedgerKind.STRIPE_FEE] + tip_fee
    paid = charged - refunded + tipped
    extra = ExtraCharge.objects.filter(booking=booking, status=ExtraStatus.CAPTURED).first()
    starts, ends = booking.starts_at, booking.ends_at
    minutes = int((ends - starts).total_seconds() // 60) if starts and ends else 0
    return ReceiptView(
        number=receipt.number,
        issued_at=timezone.localdate(receipt.issued_at),
        merchant=booking.helper.user.display_name,
        merchant_user_id=booking.helper.user_id,
        customer=booking.help_request.customer.display_name,
        on_behalf_name=booking.help_request.on_behalf_name,
        visit_date=timezone.localdate(starts) if starts else None,
        category=booking.help_request.category.name_in(language),
        locality=booking.help_request.locality,
        duration_minutes=minutes,
        work_summary=booking.work_summary,
        currency=payment.currency,
        is_cancellation_fee=payment.is_cancellation_fee,
        stripe_fee_paid_by=booking.stripe_fee_paid_by,
        price_minor=booking.price_minor or 0,
        extra_minutes=extra.minutes if extra is not None else 0,
        extra_material_minor=extra.material_minor if extra is not None else 0,
        extra_price_minor=extra.price_minor if extra is not None else 0,
        extra_charged_minor=extra.captured_minor if extra is not None else 0,
        charged_minor=charged,
        paid_with_twint=payment.pay_with == PayWith.TWINT,
        stripe_fee_minor=by_kind[LedgerKind.STRIPE_FEE],
        quartier_fee_minor=ledger_balances(booking_id=booking.pk)["quartier"],
        tip_minor=tipped,
        tip_stripe_fee_minor=tip_fee,
        refunded_minor=refunded,
        customer_paid_minor=paid,
        stripe_fees_minor=fees,
        helper_receives_minor=paid - fees,
    )
