"""The demo's money as seed_demo makes it against the Stripe emulator: a settled visit paid by
card, a held card, and every coming paid visit held on its helper's account (the demo these
tests read is built once for them all: `paid_demo`)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backend.config import config
from bookings.models import Booking, BookingStatus
from demo.paid import COMING
from payments.models import (
    LedgerEntry,
    Payment,
    PaymentStatus,
    PayoutAccount,
    PayoutAccountStatus,
    Receipt,
    StripeRequest,
)
from payments.selectors import hold_missing_now
from tests.demo.paid_once.conftest import PAID
from tests.payments.money import assert_books_balance

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    stdout = io.StringIO()
    call_command("seed_demo", **{**PAID, **options}, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def money_snapshot() -> dict[str, object]:
    return {
        "payments": sorted(Payment.objects.values_list("status", flat=True)),
        "accounts": PayoutAccount.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "receipts": Receipt.objects.count(),
        "stripe_requests": StripeRequest.objects.count(),
        "bookings": Booking.objects.count(),
    }


def test_the_demo_has_a_settled_paid_visit_and_a_held_card_made_once(stripe_emulator, paid_demo):
    output = paid_demo.output

    settled = Booking.objects.get(status=BookingStatus.SETTLED)
    payment = Payment.objects.get(booking=settled)
    assert payment.status == PaymentStatus.CAPTURED
    assert payment.payment_intent_id.startswith("pi_")
    assert payment.captured_minor == payment.amount_minor == settled.charge_minor > 0
    assert payment.stripe_fee_minor > 0
    assert Receipt.objects.filter(payment=payment).count() == 1
    balances = assert_books_balance(settled)
    assert -balances["customer"] == payment.captured_minor
    account = PayoutAccount.objects.get(helper=settled.helper)
    assert account.status == PayoutAccountStatus.PAYOUTS_ENABLED
    assert account.stripe_account_id.startswith("acct_")
    settled.helper.refresh_from_db()
    assert settled.helper.takes_payments

    held = Payment.objects.filter(status=PaymentStatus.AUTHORISED).order_by("-pk").first()
    assert held is not None
    assert held.booking.status == BookingStatus.CONFIRMED
    assert held.authorised_minor == held.amount_minor > 0
    assert PayoutAccount.objects.get(helper=held.booking.helper).can_take_payments

    assert f"/receipts/{settled.public_id}/" in output
    assert settled.help_request.customer.email in output
    assert settled.helper.user.email in output
    assert "Stripe emulator does not answer" not in output

    # A second run finds the demo and adds nothing, at Stripe or here.
    before = money_snapshot()
    again = seed()
    assert "Demo data already present" in again
    assert money_snapshot() == before


def test_every_coming_paid_visit_is_held_on_its_helpers_account_at_the_emulator(
    stripe_emulator,
):
    """No visit of the demo still to come waits for a payment that cannot come: each with a
    price has its customer's card on its helper's connected account, held now, or by the task
    two days before when it lay further out than a hold lasts when the card was given (the
    demo's own stories give theirs in its past, so the visit's distance from now does not
    decide it)."""

    coming = Booking.objects.filter(status__in=COMING, price_minor__gt=0).order_by("pk")
    assert coming.count() >= 3
    now = timezone.now()
    held_now = deferred = 0
    for booking in coming:
        payment = Payment.objects.get(booking=booking)
        account = PayoutAccount.objects.get(helper=booking.helper)
        assert account.status == PayoutAccountStatus.PAYOUTS_ENABLED
        assert payment.payout_account == account
        assert payment.payment_method_id.startswith("pm_")
        assert booking.starts_at is not None
        if payment.status == PaymentStatus.AUTHORISED:
            assert payment.authorised_minor == payment.amount_minor
            assert not hold_missing_now(booking)
            held_now += 1
        else:
            assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
            assert booking.starts_at - payment.created_at > timedelta(
                days=config().hold_max_days_ahead
            ) or booking.starts_at - now > timedelta(days=config().hold_max_days_ahead)
            task = DBTaskResult.objects.get(
                task_path="payments.tasks.place_hold", args_kwargs__args=[payment.pk]
            )
            assert task.run_after == booking.starts_at - timedelta(
                days=config().hold_days_before_visit
            )
            deferred += 1
    assert held_now >= 2
    assert held_now + deferred == coming.count()
