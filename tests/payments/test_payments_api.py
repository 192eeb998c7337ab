"""The money loop through HTTP: the helper's onboarding, the card, confirmation, sign-off,
settlement, the receipt's amounts and refunds with Idempotency-Key."""

from __future__ import annotations

import pytest
import requests

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments import payouts
from payments.models import IdempotentRequest, LedgerEntry, Payment, PaymentStatus, PayoutAccount
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper
from tests.payments.money import (
    DECLINED_CARD,
    THREE_D_SECURE_CARD,
    assert_books_balance,
    card,
    completed,
    connected_helper,
    held_booking,
    payment_of,
    set_account_state,
)

pytestmark = pytest.mark.django_db


def _settled_booking() -> Booking:
    booking = held_booking()
    booking = completed(booking)
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


def test_the_loop_from_onboarding_to_settlement_through_http():
    helper = make_helper()
    as_helper = client_for(helper.user)
    assert_error(as_helper.get(f"{API}/helper/payout-account"), 404, "not_found")

    started = as_helper.post(
        f"{API}/helper/payout-account",
        {
            "return_url": "https://app.quartier.test/done",
            "refresh_url": "https://app.quartier.test/again",
        },
        format="json",
    )
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "details_missing"
    assert started.json()["can_take_payments"] is False
    # The helper leaves Stripe's page unfinished, then resumes with a new link to the same account.
    resumed = as_helper.post(
        f"{API}/helper/payout-account",
        {
            "return_url": "https://app.quartier.test/done",
            "refresh_url": "https://app.quartier.test/again",
        },
        format="json",
    )
    assert resumed.json()["onboarding_url"] != started.json()["onboarding_url"]
    finished = requests.get(resumed.json()["onboarding_url"], allow_redirects=False, timeout=5)
    assert finished.status_code == 302
    assert finished.headers["Location"] == "https://app.quartier.test/done"
    from payments.models import PayoutAccount
    from payments.payouts import payout_account_sync

    payout_account_sync(stripe_account_id=str(PayoutAccount.objects.get().stripe_account_id))
    assert as_helper.get(f"{API}/helper/payout-account").json() == {
        "status": "payouts_enabled",
        "can_take_payments": True,
        "message": None,
    }

    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    as_customer = client_for(customer)
    given = as_customer.post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": card(helper)},
        format="json",
    )
    assert given.status_code == 200, given.content
    assert given.json()["status"] == "requires_payment_method"
    proposal = booking.proposals.get(status="proposed")
    confirmed = as_customer.post(
        f"{API}/bookings/{booking.public_id}/confirm", {"proposal": str(proposal.public_id)}
    )
    assert confirmed.status_code == 200, confirmed.content
    relay_pending()
    assert as_customer.get(f"{API}/bookings/{booking.public_id}/payment").json()["status"] == (
        "authorised"
    )

    booking = completed(Booking.objects.get(pk=booking.pk))
    signed = as_customer.post(f"{API}/bookings/{booking.public_id}/sign-off")
    assert signed.status_code == 200, signed.content
    relay_pending()

    receipt = as_customer.get(f"{API}/bookings/{booking.public_id}/payment").json()
    price = proposal.price_minor
    fee = (price * 29 + 500) // 1000 + 30
    assert receipt["status"] == "captured"
    assert receipt["price_minor"] == price
    assert receipt["captured_minor"] == price
    assert receipt["stripe_fee_minor"] == fee
    assert receipt["quartier_fee_minor"] == 0
    assert receipt["helper_receives_minor"] == price - fee
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SETTLED
    assert_books_balance(booking)


def test_partial_then_full_refund_never_more_than_captured():
    booking = _settled_booking()
    payment = payment_of(booking)
    manager = ManagerFactory.create()
    as_manager = client_for(manager)
    url = f"{API}/bookings/{booking.public_id}/payment/refunds"

    first = as_manager.post(url, {"amount_minor": 1000, "reason": "Half the work"}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["refunded_minor"] == 1000
    assert first.json()["status"] == "captured"

    left = payment.captured_minor - 1000
    too_much = as_manager.post(
        url, {"amount_minor": left + 1, "reason": "Everything"}, format="json"
    )
    assert_error(too_much, 400, "refund_exceeds_captured", {"amount_minor"})
    assert Payment.objects.get(pk=payment.pk).refunded_minor == 1000
    assert LedgerEntry.objects.filter(payment=payment, kind="refunded").count() == 1

    rest = client_for(booking.helper.user).post(
        url, {"amount_minor": left, "reason": "Goodwill"}, format="json"
    )
    assert rest.status_code == 200, rest.content
    assert rest.json()["status"] == "refunded"
    assert rest.json()["refunded_minor"] == payment.captured_minor
    balances = assert_books_balance(booking)
    # Stripe keeps its fee: the customer paid nothing, the helper bore the fee.
    assert balances["customer"] == 0
    assert balances["helper"] == -payment.stripe_fee_minor


def test_the_customer_and_strangers_cannot_refund():
    booking = _settled_booking()
    url = f"{API}/bookings/{booking.public_id}/payment/refunds"
    body = {"amount_minor": 100, "reason": "Please"}

    assert_error(
        client_for(booking.help_request.customer).post(url, body, format="json"),
        403,
        "not_allowed_for_role",
    )
    assert_error(client_for(UserFactory.create()).post(url, body, format="json"), 404, "not_found")
    assert Payment.objects.get(booking=booking).refunded_minor == 0


def test_the_same_idempotency_key_gives_the_first_answer_and_refunds_once():
    booking = _settled_booking()
    as_manager = client_for(ManagerFactory.create())
    url = f"{API}/bookings/{booking.public_id}/payment/refunds"
    body = {"amount_minor": 700, "reason": "Late arrival"}

    first = as_manager.post(url, body, format="json", headers={"Idempotency-Key": "refund-1"})
    again = as_manager.post(url, body, format="json", headers={"Idempotency-Key": "refund-1"})
    other = as_manager.post(
        url, {**body, "amount_minor": 701}, format="json", headers={"Idempotency-Key": "refund-1"}
    )

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert_error(other, 422, "idempotency_key_reused")
    payment = Payment.objects.get(booking=booking)
    assert payment.refunded_minor == 700
    assert LedgerEntry.objects.filter(payment=payment, kind="refunded").count() == 1
    assert IdempotentRequest.objects.count() == 1


def test_a_declined_card_is_answered_402_and_another_card_places_the_hold():
    helper = connected_helper()
    customer = UserFactory.create()
    booking = held_booking(helper=helper, customer=customer, number=DECLINED_CARD)
    payment = payment_of(booking)
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.failure_code == "card_declined"
    assert payment.attempt == 2
    url = f"{API}/bookings/{booking.public_id}/payment/method"
    as_customer = client_for(customer)

    again = as_customer.post(url, {"payment_method": card(helper, DECLINED_CARD)}, format="json")
    assert_error(again, 402, "card_declined")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.attempt == 3
    assert payment.payment_intent_id is None

    fixed = as_customer.post(url, {"payment_method": card(helper)}, format="json")
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["status"] == "authorised"
    assert fixed.json()["failure_code"] == ""


def test_a_card_that_needs_3d_secure_is_not_held_silently():
    booking = held_booking(number=THREE_D_SECURE_CARD)
    payment = payment_of(booking)
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.failure_code == "authentication_required"
    assert not LedgerEntry.objects.filter(payment=payment).exists()


def test_a_helper_who_cannot_take_payments_gets_no_card():
    helper = connected_helper()
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    # The account stops taking charges after the helper proposed a time.
    set_account_state(helper, "pending_verification")
    payouts.payout_account_sync(
        stripe_account_id=str(PayoutAccount.objects.get(helper=helper).stripe_account_id)
    )

    answer = client_for(customer).post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": "pm_anything"},
        format="json",
    )

    assert_error(answer, 409, "helper_cannot_take_payments")
    assert not Payment.objects.exists()


def test_only_the_customer_gives_the_card():
    booking = make_booking(BookingStatus.PROPOSED, helper=connected_helper())

    answer = client_for(booking.helper.user).post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": "pm_anything"},
        format="json",
    )

    assert_error(answer, 403, "not_allowed_for_role")
    assert not Payment.objects.exists()


def test_a_refund_reason_that_hides_its_text_is_refused_and_nothing_moves():
    booking = _settled_booking()
    answer = client_for(ManagerFactory.create()).post(
        f"{API}/bookings/{booking.public_id}/payment/refunds",
        {"amount_minor": 100, "reason": "Refund\u202e evil"},
        format="json",
    )

    assert_error(answer, 400, "forbidden_characters", {"reason"})
    payment = Payment.objects.get(booking=booking)
    assert payment.refunded_minor == 0
    assert not LedgerEntry.objects.filter(payment=payment, kind="refunded").exists()
