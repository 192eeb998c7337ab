"""A simulated stretch of bookings with random branches (seeded), through the services against
the Stripe emulator: for every booking the customer paid what the helper received plus Stripe's
fee, Quartier's share is 0 in every row, and reconciliation finds nothing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.utils import timezone

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus, DisputeOutcome
from payments import extras, pay_after, receipts, refunds, services, tips
from payments.models import ExtraCharge, LedgerEntry, Payment, PaymentStatus, Tip
from payments.reconciliation import reconcile
from tests.factories import ManagerFactory, UserFactory, make_booking
from tests.payments.money import (
    DECLINED_CARD,
    assert_books_balance,
    card,
    completed,
    connected_helper,
    no_show_by,
)

pytestmark = pytest.mark.django_db

# Every branch once, then twice as many drawn at random: each branch about three times.
BOOKINGS = 51
BRANCHES = (
    "signed_off",
    "signed_off_automatically",
    "cancelled_early",
    "cancelled_late_by_customer",
    "cancelled_by_helper",
    "customer_no_show",
    "helper_no_show",
    "disputed_stands_refunded_partly",
    "disputed_void",
    "refunded_fully",
    "declined_then_another_card",
    "tipped",
    "paid_with_twint",
    "twint_failed_then_paid",
    "twint_cancelled_late",
    "extra_agreed",
    "extra_declined",
)
# What each branch ends in: the booking's status and the payment's.
ENDS = {
    "signed_off": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
    "signed_off_automatically": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
    "cancelled_early": (BookingStatus.CANCELLED, PaymentStatus.RELEASED),
    "cancelled_late_by_customer": (BookingStatus.CANCELLED, PaymentStatus.CAPTURED),
    "cancelled_by_helper": (BookingStatus.CANCELLED, PaymentStatus.RELEASED),
    "customer_no_show": (BookingStatus.NO_SHOW, PaymentStatus.CAPTURED),
    "helper_no_show": (BookingStatus.NO_SHOW, PaymentStatus.RELEASED),
    "disputed_stands_refunded_partly": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
    "disputed_void": (BookingStatus.CANCELLED, PaymentStatus.RELEASED),
    "refunded_fully": (BookingStatus.SETTLED, PaymentStatus.REFUNDED),
    "declined_then_another_card": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
    "tipped": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
    "paid_with_twint": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
    "twint_failed_then_paid": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
    "twint_cancelled_late": (BookingStatus.CANCELLED, PaymentStatus.CAPTURED),
    "extra_agreed": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
    "extra_declined": (BookingStatus.SETTLED, PaymentStatus.CAPTURED),
}


def _pay_with_twint(booking: Booking, *, fail_first: bool = False) -> None:
    """The customer pays the due payment on TWINT's page (once failing first), and comes back."""
    customer = booking.help_request.customer
    for action in ("fail", "authorize") if fail_first else ("authorize",):
        payment = Payment.objects.get(booking=booking)
        _payment, url = pay_after.payment_pay_after_start(
            payment=payment, actor=customer, return_url="https://app.quartier.test/paid"
        )
        answer = requests.post(url, data={"action": action}, allow_redirects=False, timeout=5)
        assert answer.status_code == 303, answer.text
        pay_after.payment_pay_after_refresh(payment=payment)


def _confirmed(helper, start: datetime, number: str) -> Booking:
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer, start=start)
    services.payment_method_set(
        booking=booking,
        actor=customer,
        payment_method_id=services.TWINT if number == services.TWINT else card(helper, number),
    )
    booking = bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


def _play(branch: str, helper, start: datetime, manager, rng: random.Random) -> Booking:
    if branch == "cancelled_early":
        with time_machine.travel(start - timedelta(days=3), tick=False):
            booking = _confirmed(helper, start, "4242424242424242")
            bookings.booking_cancel(
                booking=booking, actor=booking.help_request.customer, reason="Fixed it myself"
            )
            relay_pending()
        return booking
    with time_machine.travel(start - timedelta(minutes=20), tick=False):
        number = DECLINED_CARD if branch == "declined_then_another_card" else "4242424242424242"
        if "twint" in branch:
            number = services.TWINT
        booking = _confirmed(helper, start, number)
        customer = booking.help_request.customer
        if branch == "declined_then_another_card":
            services.payment_method_set(
                booking=booking, actor=customer, payment_method_id=card(helper)
            )
        if branch in ("cancelled_late_by_customer", "twint_cancelled_late"):
            bookings.booking_cancel(booking=booking, actor=customer, reason="Away after all")
        elif branch == "cancelled_by_helper":
            bookings.booking_cancel(booking=booking, actor=helper.user, reason="I am ill")
        elif branch == "customer_no_show":
            no_show_by(booking, "customer")
        elif branch == "helper_no_show":
            no_show_by(booking, "helper")
        else:
            booking = completed(booking)
            if branch == "signed_off_automatically":
                assert booking.checked_out_at is not None
                with time_machine.travel(booking.checked_out_at + timedelta(hours=49), tick=False):
                    bookings.booking_auto_sign_off(booking=booking)
            elif branch.startswith("disputed"):
                booking = bookings.booking_dispute(
                    booking=booking, actor=customer, reason="The Wi-Fi still drops."
                )
                stands = branch == "disputed_stands_refunded_partly"
                bookings.booking_resolve_dispute(
                    booking=booking,
                    actor=manager,
                    outcome=DisputeOutcome.VISIT_STANDS if stands else DisputeOutcome.VISIT_VOID,
                    note="Decided after a call with both.",
                    caused_by=None if stands else "helper",
                )
            else:
                if branch.startswith("extra"):
                    extra = extras.extra_record(
                        payment=Payment.objects.get(booking=booking),
                        actor=helper.user,
                        minutes=rng.randint(0, 60),
                        material_minor=rng.randint(1, 5000),
                    )
                    extras.extra_answer(
                        extra=extra, actor=customer, consent=branch == "extra_agreed"
                    )
                bookings.booking_sign_off(booking=booking, actor=customer)
        relay_pending()
        relay_pending()  # what the handlers emitted (a TWINT payment fell due)
        if "twint" in branch:
            _pay_with_twint(booking, fail_first=branch == "twint_failed_then_paid")
        payment = Payment.objects.get(booking=booking)
        if branch == "disputed_stands_refunded_partly":
            refunds.payment_refund(
                payment=payment,
                actor=manager,
                amount_minor=rng.randint(1, payment.captured_minor - 1),
                reason="Part of the work was not done",
            )
        elif branch == "tipped":
            tips.tip_give(payment=payment, actor=customer, amount_minor=rng.randint(100, 2000))
        elif branch == "refunded_fully":
            refunds.payment_refund(
                payment=payment,
                actor=helper.user,
                amount_minor=payment.captured_minor,
                reason="Goodwill",
            )
    return booking


def test_a_simulated_stretch_of_bookings_balances_to_the_minor_unit(capsys):
    rng = random.Random(20261203)  # noqa: S311 - a reproducible simulation
    helpers = [connected_helper() for _ in range(3)]
    manager = ManagerFactory.create()
    first = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    played: list[tuple[Booking, str]] = []

    for number in range(BOOKINGS):
        branch = (
            BRANCHES[number % len(BRANCHES)] if number < len(BRANCHES) else rng.choice(BRANCHES)
        )
        start = first + timedelta(hours=2 * number)
        played.append((_play(branch, helpers[number % 3], start, manager, rng), branch))

    for booking, branch in played:
        booking.refresh_from_db()
        payment = Payment.objects.get(booking=booking)
        assert (booking.status, payment.status) == ENDS[branch], (branch, booking.pk)
        balances = assert_books_balance(booking)
        tip = Tip.objects.filter(booking=booking).first()
        tipped, tip_fee = (tip.amount_minor, tip.stripe_fee_minor) if tip else (0, 0)
        assert (tip is not None) == (branch == "tipped")
        extra = ExtraCharge.objects.filter(booking=booking).first()
        assert (extra is not None) == branch.startswith("extra")
        extra_paid, extra_fee = (extra.captured_minor, extra.stripe_fee_minor) if extra else (0, 0)
        assert (extra_paid > 0) == (branch == "extra_agreed")
        if extra is not None:
            assert extra_paid == (extra.amount_minor if branch == "extra_agreed" else 0)
        assert -balances["customer"] == (
            payment.captured_minor + extra_paid - payment.refunded_minor + tipped
        )
        assert balances["stripe"] == payment.stripe_fee_minor + tip_fee + extra_fee
        if payment.captured_minor:
            # Every capture has its receipt, and the receipt says what the ledger says
            receipt = receipts.receipt_for(
                booking.help_request.customer, booking.public_id, language="en"
            )
            assert receipt.customer_paid_minor == -balances["customer"]
            assert receipt.helper_receives_minor == balances["helper"]
            assert receipt.stripe_fees_minor == balances["stripe"]
            assert receipt.quartier_fee_minor == 0
    assert not LedgerEntry.objects.filter(debit="quartier").exists()
    assert not LedgerEntry.objects.filter(credit="quartier").exists()
    assert reconcile() == []
    call_command("payments_reconcile", verbosity=0)
    assert "no mismatches" in capsys.readouterr().out
