"""The demo's money: seed_demo pays for visits through the payments services against the Stripe
emulator, once; with Stripe keys set, or no emulator, it says why it pays for none."""

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
from demo.summary import demo_log_ins
from helpers.models import ApprovalStatus, HelperProfile
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
from tests.payments.money import assert_books_balance

pytestmark = pytest.mark.django_db

SMALL = {"helpers": 30, "customers": 30, "requests": 30, "seed": 3}


def seed(**options: object) -> str:
    stdout = io.StringIO()
    call_command("seed_demo", **{**SMALL, **options}, stdout=stdout, stderr=io.StringIO())
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


def test_the_demo_has_a_settled_paid_visit_and_a_held_card_made_once(stripe_emulator):
    output = seed()

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
    two days before when it is further out than a hold lasts."""
    seed()

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
        if booking.starts_at - now <= timedelta(days=config().hold_max_days_ahead):
            assert (payment.status, payment.authorised_minor) == (
                PaymentStatus.AUTHORISED,
                payment.amount_minor,
            )
            assert not hold_missing_now(booking)
            held_now += 1
        else:
            assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
            task = DBTaskResult.objects.get(
                task_path="payments.tasks.place_hold", args_kwargs__args=[payment.pk]
            )
            assert task.run_after == booking.starts_at - timedelta(
                days=config().hold_days_before_visit
            )
            deferred += 1
    assert held_now >= 2
    assert held_now + deferred == coming.count()


def test_every_demo_helper_who_gets_paid_offers_has_a_payout_account_at_the_emulator(
    stripe_emulator,
):
    """A visit booked with any demo helper who is offered paid requests is held by card and
    paid: none counts as able to take charges without an account that can."""
    # With this seed the suggested helper is neither of the paid visits' helpers.
    seed(seed=4)

    charging = HelperProfile.objects.filter(hourly_rate_minor__gt=0)
    ready = charging.filter(takes_payments=True)
    approved = charging.filter(approval_status=ApprovalStatus.APPROVED)
    assert approved.count() > 20
    assert set(ready.filter(approval_status=ApprovalStatus.APPROVED)) == set(approved)
    accounts = PayoutAccount.objects.filter(helper__in=ready)
    assert accounts.count() == ready.count()
    assert set(accounts.values_list("status", flat=True)) == {PayoutAccountStatus.PAYOUTS_ENABLED}
    assert all(
        account.startswith("acct_")
        for account in accounts.values_list("stripe_account_id", flat=True)
    )
    # The helper the home page suggests among them.
    helper_email = next(log_in.email for log_in in demo_log_ins() if log_in.role == "helper")
    assert PayoutAccount.objects.get(helper__user__email=helper_email).can_take_payments


def test_with_stripe_keys_the_demo_pays_for_nothing_and_says_so(stripe_emulator, settings):
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_secret_key="sk_test_real_account")

    output = seed()

    assert "Stripe keys are set: the demo makes no paid visits" in output
    assert not Payment.objects.exclude(status=PaymentStatus.REQUIRES_PAYMENT_METHOD).exists()
    assert not PayoutAccount.objects.exists()
    assert not StripeRequest.objects.exists()
    assert Booking.objects.exists()
    # Nobody can be paid, and no helper who charges is left counted as if they could.
    assert not HelperProfile.objects.filter(takes_payments=True, hourly_rate_minor__gt=0).exists()


def test_without_an_emulator_the_demo_pays_for_nothing_and_says_so():
    output = seed()

    assert "The Stripe emulator does not answer at http://127.0.0.1:9" in output
    assert not PayoutAccount.objects.exists()
    assert not HelperProfile.objects.filter(takes_payments=True, hourly_rate_minor__gt=0).exists()
    assert not Payment.objects.exclude(status=PaymentStatus.REQUIRES_PAYMENT_METHOD).exists()
