"""The demo's money: every helper who gets paid offers can be paid at the Stripe emulator; with
Stripe keys set, or no emulator, seed_demo says why it pays for none (the paid visits it makes:
tests/demo/paid_once/test_paid_visits.py)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from bookings.models import Booking
from demo.summary import demo_log_ins
from helpers.models import ApprovalStatus, HelperProfile
from payments.models import (
    Payment,
    PaymentStatus,
    PayoutAccount,
    PayoutAccountStatus,
    StripeRequest,
)

pytestmark = pytest.mark.django_db

SMALL = {"helpers": 30, "customers": 30, "requests": 30, "seed": 3}


def seed(**options: object) -> str:
    stdout = io.StringIO()
    call_command("seed_demo", **{**SMALL, **options}, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


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
