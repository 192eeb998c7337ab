"""Visits agreed with a helper whose payout account was disconnected (it removed Quartier's access
at Stripe) while their card was held: nothing can be captured or released there any more, so
sign-off or a cancellation charges nothing, releases the payment in the books without a call to
Stripe, and tells both sides why; a new account the helper connects since does not receive the
old visit's capture; the daily reconciliation does not ask Stripe about the lost account."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.exceptions import PaymentNotHeld
from bookings.models import Booking, BookingStatus
from helpers.models import HelperProfile
from payments import payouts, services
from payments.exceptions import HelperCannotTakePayments
from payments.models import LedgerEntry, PaymentStatus, PayoutAccount, StripeRequest
from payments.reconciliation import reconcile
from payments.tasks import place_hold
from tests.factories import UserFactory
from tests.payments.money import (
    assert_books_balance,
    completed,
    connected_helper,
    days_ahead,
    held_booking,
    payment_of,
    set_account_state,
)
from tests.payments.test_disconnected_account import _deauthorize, _deliver

pytestmark = pytest.mark.django_db


def _relay_all() -> None:
    """Deliver the waiting events, and those their handlers store, as the worker would."""
    while relay_pending():
        pass


def _held_then_disconnected(client: Client) -> Booking:
    """A visit of Anna's whose card is held, then Anna removes Quartier's access at Stripe."""
    anna = connected_helper(display_name="Anna Meier", preferred_language="de")
    customer = UserFactory.create(display_name="Rosa Keller", preferred_language="fr")
    booking = held_booking(helper=anna, customer=customer)
    assert payment_of(booking).status == PaymentStatus.AUTHORISED
    _deliver(client, _deauthorize(anna))
    relay_pending()
    mail.outbox.clear()
    return booking


def _told_unpaid(booking: Booking) -> list[str]:
    """Who was told (the customer in French, Anna in German) that the visit cannot be paid."""
    said = (" ne peut pas être payée par Quartier", " nicht über Quartier bezahlt werden")
    told = [m.to[0] for m in mail.outbox if m.subject.endswith(said)]
    assert sorted(told) == sorted(set(told)), "told once each"
    return sorted(told)


def _assert_released_unpaid(booking: Booking, *, stripe_requests: list[str]) -> None:
    payment = payment_of(booking)
    assert (payment.status, payment.failure_code, payment.captured_minor) == (
        PaymentStatus.RELEASED,
        "payout_account_disconnected",
        0,
    )
    last = payment.events.order_by("pk").last()
    assert last is not None
    assert (last.from_status, last.to_status) == ("authorised", "released")
    assert sorted(
        LedgerEntry.objects.filter(booking=booking).values_list("kind", "amount_minor")
    ) == [("authorised", payment.amount_minor), ("released", payment.amount_minor)]
    assert assert_books_balance(booking) == {
        "customer": 0,
        "hold": 0,
        "helper": 0,
        "stripe": 0,
        "quartier": 0,
    }
    # No call to Stripe after the hold: nothing captured, nothing released there
    assert [
        key.rsplit(":", 2)[-2]
        for key in StripeRequest.objects.filter(payment=payment).values_list(
            "idempotency_key", flat=True
        )
    ] == stripe_requests


def test_sign_off_charges_nothing_and_tells_both_why(client):
    booking = _held_then_disconnected(client)
    booking = completed(Booking.objects.get(pk=booking.pk))

    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    _relay_all()

    booking.refresh_from_db()
    assert booking.status == BookingStatus.SIGNED_OFF
    _assert_released_unpaid(booking, stripe_requests=["authorise"])
    assert payment_of(booking).events.order_by("pk").values_list("reason", flat=True).last() == (
        "visit signed off: the payout account was disconnected"
    )
    assert _told_unpaid(booking) == sorted(
        [booking.help_request.customer.email, booking.helper.user.email]
    )
    by_person = {m.to[0]: m for m in mail.outbox if "Quartier" in m.subject}
    to_customer = by_person[booking.help_request.customer.email]
    assert to_customer.subject.startswith("La visite du ")
    assert to_customer.subject.endswith(" ne peut pas être payée par Quartier")
    assert "Rien ne vous a été débité" in to_customer.body
    assert "Anna Meier" in to_customer.body
    to_helper = by_person[booking.helper.user.email]
    assert to_helper.subject.startswith("Der Besuch am ")
    assert "Ihr Auszahlungskonto wurde von Quartier getrennt" in to_helper.body
    assert "Rosa Keller" in to_helper.body

    # A second run of the sign-off's handler changes nothing and tells nobody again
    mail.outbox.clear()
    from payments.services import payment_capture

    payment_capture(payment=payment_of(booking))
    _relay_all()
    assert mail.outbox == []
    _assert_released_unpaid(booking, stripe_requests=["authorise"])


def test_a_cancellation_charges_no_fee_and_calls_no_stripe(client):
    booking = _held_then_disconnected(client)

    bookings.booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Away")
    _relay_all()

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    _assert_released_unpaid(booking, stripe_requests=["authorise"])
    assert _told_unpaid(booking) == sorted(
        [booking.help_request.customer.email, booking.helper.user.email]
    )


def test_a_new_account_connected_since_does_not_receive_the_old_visits_capture(client):
    # Given Anna's held visit, her account disconnected, and a new one she connected since
    booking = _held_then_disconnected(client)
    anna = HelperProfile.objects.get(pk=booking.helper_id)
    old = payment_of(booking).intent_account_id
    account, _url = payouts.payout_account_onboard(
        actor=anna.user, return_url="http://testserver/done", refresh_url="http://testserver/a"
    )
    set_account_state(anna, "payouts_enabled")
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    account.refresh_from_db()
    assert account.can_take_payments
    assert account.stripe_account_id != old
    payment = payment_of(booking)
    assert (payment.stripe_account_id, payment.account_lost) == (old, True)

    # When the visit is done and signed off
    booking = completed(Booking.objects.get(pk=booking.pk))
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    _relay_all()

    # Then nothing is captured on either account, and both are told
    _assert_released_unpaid(booking, stripe_requests=["authorise"])
    assert _told_unpaid(booking) == sorted(
        [booking.help_request.customer.email, booking.helper.user.email]
    )


def test_a_hold_due_after_the_account_was_disconnected_fails_clearly_and_the_visit_waits(
    client,
):
    # Given a visit eight days out (its card held two days before), then Anna's account is
    # disconnected
    start = days_ahead(8)
    anna = connected_helper()
    customer = UserFactory.create(preferred_language="en")
    booking = held_booking(helper=anna, customer=customer, start=start)
    payment = payment_of(booking)
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    _deliver(client, _deauthorize(anna))
    _relay_all()
    mail.outbox.clear()

    # When the worker tries to hold the card two days before the visit
    with time_machine.travel(start - timedelta(days=2), tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.REQUIRES_PAYMENT_METHOD
        _relay_all()

    # Then nothing is asked of Stripe, the failure says why, and both are told
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        "helper_cannot_take_payments",
    )
    assert list(StripeRequest.objects.filter(payment=payment)) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted([customer.email, anna.user.email])
    # And another card is refused for that reason, changing nothing
    with pytest.raises(HelperCannotTakePayments):
        services.payment_method_set(
            booking=Booking.objects.get(pk=booking.pk),
            actor=customer,
            payment_method_id="pm_card_visa",
        )
    payment.refresh_from_db()
    assert (payment.status, payment.attempt) == (PaymentStatus.REQUIRES_PAYMENT_METHOD, 2)
    # And the visit cannot start: the helper works for nothing nobody can pay
    with (
        time_machine.travel(start - timedelta(minutes=30), tick=False),
        pytest.raises(PaymentNotHeld),
    ):
        bookings.booking_start_journey(
            booking=Booking.objects.get(pk=booking.pk), actor=anna.user, eta_minutes=10
        )
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_the_reconciliation_leaves_the_disconnected_account_alone(client):
    booking = _held_then_disconnected(client)
    bookings.booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Away")
    _relay_all()
    # And another helper's settled visit, which it still checks
    other = completed(held_booking())
    bookings.booking_sign_off(booking=other, actor=other.help_request.customer)
    _relay_all()
    assert payment_of(other).status == PaymentStatus.CAPTURED

    assert reconcile() == []


def test_the_pinned_account_is_the_one_the_hold_was_placed_on():
    booking = held_booking()
    payment = payment_of(booking)
    account = PayoutAccount.objects.get(helper_id=booking.helper_id)

    assert payment.intent_account_id == account.stripe_account_id
    assert payment.account_lost is False
    assert payment.stripe_account_id == account.stripe_account_id
