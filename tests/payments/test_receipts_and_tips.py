"""Receipts and tips against the emulator: the receipt's figures come from the ledger and prove
that the customer paid what the helper received plus Stripe's fee, Quartier nothing, under both
fee settings; a tip is a second direct charge, once, all of it to the helper."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from backend.exceptions import ApplicationError
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking
from payments import documents, receipts, selectors, tips
from payments.models import (
    LedgerEntry,
    LedgerKind,
    Receipt,
    ReceiptCounter,
    StripeRequest,
    Tip,
)
from payments.reconciliation import reconcile
from payments.refunds import payment_refund
from tests.factories import UserFactory
from tests.payments.money import (
    DECLINED_CARD,
    assert_books_balance,
    card,
    completed,
    held_booking,
    payment_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["helper", "customer"])
def fee_paid_by(request, settings):
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_fee_paid_by=request.param)
    return request.param


def settled_booking() -> Booking:
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text.replace("\u2019", "'"))


def test_the_receipt_proves_the_helper_keeps_the_charge_less_stripes_fee(fee_paid_by):
    booking = settled_booking()
    payment = payment_of(booking)
    customer = booking.help_request.customer
    receipt = receipts.receipt_for(customer, booking.public_id, language="en")
    balances = assert_books_balance(booking)
    fee_entry = LedgerEntry.objects.get(booking=booking, kind=LedgerKind.STRIPE_FEE)
    assert receipt.price_minor == 4000
    assert (
        receipt.charged_minor
        == payment.captured_minor
        == (4150 if fee_paid_by == "customer" else 4000)
    )
    assert receipt.stripe_fee_minor == fee_entry.amount_minor == payment.stripe_fee_minor > 0
    assert receipt.quartier_fee_minor == 0
    assert receipt.customer_paid_minor == -balances["customer"] == receipt.charged_minor
    assert receipt.helper_receives_minor == balances["helper"]
    assert receipt.customer_paid_minor == receipt.helper_receives_minor + receipt.stripe_fees_minor
    if fee_paid_by == "customer":
        assert receipt.helper_receives_minor == 4000  # exactly the price
    else:
        assert receipt.helper_receives_minor == 4000 - fee_entry.amount_minor
    assert receipt.merchant == booking.helper.user.display_name
    assert receipt.work_summary == "Set up the router."
    assert receipt.duration_minutes == 60
    assert re.fullmatch(r"Q-\d{4}-\d{6}", receipt.number)


def test_receipt_numbers_are_given_once_and_without_gaps():
    first, second = settled_booking(), settled_booking()
    numbers = [Receipt.objects.get(booking=b) for b in (first, second)]
    assert [r.sequence for r in numbers] == [1, 2]
    assert ReceiptCounter.objects.get(year=numbers[0].year).last == 2
    # Issuing again (a webhook replaying the capture) keeps the number.
    assert receipts.receipt_issue(payment=payment_of(first)).number == numbers[0].number
    assert Receipt.objects.count() == 2


def test_only_the_customer_and_the_helper_see_the_receipt():
    booking = settled_booking()
    stranger = UserFactory.create()
    other_helper = held_booking().helper.user
    manager = UserFactory.create(is_staff=True)
    for user in (stranger, other_helper, manager):
        with pytest.raises(ApplicationError) as refused:
            receipts.receipt_for(user, booking.public_id, language="en")
        assert refused.value.status == 404
    assert receipts.receipt_for(booking.helper.user, booking.public_id, language="en").number


def test_a_visit_not_yet_paid_has_no_receipt():
    booking = held_booking()
    with pytest.raises(ApplicationError) as refused:
        receipts.receipt_for(booking.help_request.customer, booking.public_id, language="en")
    assert (refused.value.status, refused.value.code) == (409, "no_receipt_yet")


def test_the_pdf_is_in_the_readers_language_with_the_number_and_the_amounts():
    booking = settled_booking()
    customer = booking.help_request.customer
    fee = payment_of(booking).stripe_fee_minor
    for language, words, price in (
        ("de", "Quittung", "CHF 40.00"),
        ("fr", "Reçu", "40.00 CHF"),
        ("it", "Ricevuta", "CHF 40.00"),
        ("en", "Receipt", "CHF 40.00"),
    ):
        receipt = receipts.receipt_for(customer, booking.public_id, language=language)
        text = pdf_text(documents.receipt_pdf(receipt, language))
        assert f"{words} {receipt.number}" in text
        assert price in text.replace("\u00a0", " ")
        assert documents.receipt_lines(receipt, language)[2][1].replace("\u00a0", " ") in (
            text.replace("\u00a0", " ")
        )
        assert f"{(4000 - fee) // 100}.{(4000 - fee) % 100:02d}" in text
        assert booking.helper.user.display_name in text


def test_a_tip_is_a_second_direct_charge_all_of_it_to_the_helper(fee_paid_by):
    booking = settled_booking()
    customer = booking.help_request.customer
    tip = tips.tip_give(payment=payment_of(booking), actor=customer, amount_minor=500)
    assert tip.amount_minor == 500
    assert tip.payment_intent_id != payment_of(booking).payment_intent_id
    assert tip.stripe_fee_minor > 0
    assert StripeRequest.objects.get(action="tip").idempotency_key.endswith(":500")
    assert LedgerEntry.objects.get(booking=booking, kind=LedgerKind.TIPPED).amount_minor == 500
    receipt = receipts.receipt_for(customer, booking.public_id, language="en")
    balances = assert_books_balance(booking)
    assert receipt.tip_minor == 500
    assert receipt.tip_stripe_fee_minor == tip.stripe_fee_minor
    assert receipt.customer_paid_minor == receipt.charged_minor + 500 == -balances["customer"]
    assert receipt.customer_paid_minor == receipt.helper_receives_minor + receipt.stripe_fees_minor
    assert receipt.helper_receives_minor == balances["helper"]
    assert receipt.quartier_fee_minor == 0
    assert reconcile() == []


def test_refunds_show_on_the_receipt_and_the_books_still_balance():
    booking = settled_booking()
    payment_refund(
        payment=payment_of(booking), actor=booking.helper.user, amount_minor=1000, reason="Late"
    )
    receipt = receipts.receipt_for(booking.helper.user, booking.public_id, language="de")
    assert receipt.refunded_minor == 1000
    assert receipt.customer_paid_minor == receipt.charged_minor - 1000
    assert receipt.customer_paid_minor == receipt.helper_receives_minor + receipt.stripe_fees_minor
    assert_books_balance(booking)


def _refused(code: str, **given) -> None:
    before = (Tip.objects.count(), LedgerEntry.objects.count(), StripeRequest.objects.count())
    with pytest.raises(ApplicationError) as refused:
        tips.tip_give(**given)
    assert refused.value.code == code
    assert (Tip.objects.count(), LedgerEntry.objects.count(), StripeRequest.objects.count()) == (
        before
    )


def test_refused_tips_write_nothing(settings):
    booking = settled_booking()
    payment = payment_of(booking)
    customer = booking.help_request.customer
    held = held_booking()
    _refused(
        "tip_before_sign_off",
        payment=payment_of(held),
        actor=held.help_request.customer,
        amount_minor=500,
    )
    _refused("not_allowed_for_role", payment=payment, actor=booking.helper.user, amount_minor=500)
    _refused("tip_out_of_bounds", payment=payment, actor=customer, amount_minor=99)
    _refused("tip_out_of_bounds", payment=payment, actor=customer, amount_minor=20001)
    _refused(
        "card_declined",
        payment=payment,
        actor=customer,
        amount_minor=500,
        payment_method_id=card(booking.helper, DECLINED_CARD),
    )
    tips.tip_give(payment=payment, actor=customer, amount_minor=20000)
    _refused("already_tipped", payment=payment, actor=customer, amount_minor=500)
    assert Tip.objects.get().amount_minor == 20000
    assert selectors.ledger_balances(booking_id=booking.pk)["quartier"] == 0


def test_reconciliation_finds_a_tip_that_differs_from_stripe():
    booking = settled_booking()
    tip = tips.tip_give(
        payment=payment_of(booking), actor=booking.help_request.customer, amount_minor=800
    )
    assert reconcile() == []
    Tip.objects.filter(pk=tip.pk).update(
        amount_minor=900, stripe_fee_minor=tip.stripe_fee_minor + 1
    )
    found = [str(mismatch) for mismatch in reconcile()]
    assert (
        f"[quartier] tip {tip.public_id}: tip of 900, Stripe's intent is succeeded with 800 received"
        in found
    )
    assert any("Stripe fee" in line and str(tip.public_id) in line for line in found)
    assert any("the tip differs from the ledger's" in line for line in found)
    Tip.objects.filter(pk=tip.pk).update(payment_intent_id="pi_not_at_stripe")
    found = [str(mismatch) for mismatch in reconcile()]
    assert f"[quartier] {tip.public_id}: its tip is not at Stripe" in found
    assert any(tip.payment_intent_id in line and "unknown to Quartier" in line for line in found)
