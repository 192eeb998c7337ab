"""Paid offers need a payout account that can take charges, and a paid visit goes ahead only
once the customer's card is held."""

from __future__ import annotations

import pytest
from django.utils import translation

from backend.models import OutboxEvent
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.exceptions import HelperCannotBePaid, PaymentNotHeld
from bookings.matching.explain import CANNOT_BE_PAID
from bookings.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    MatchEntry,
    MatchingRun,
    Offer,
    ProposalStatus,
)
from helpers.models import HelperProfile
from helpers.services import helper_profile_update
from payments import payouts, services
from payments.models import Payment, PaymentStatus, PayoutAccount
from tests.factories import UserFactory, make_booking, make_helper, post_request
from tests.payments.money import (
    DECLINED_CARD,
    card,
    connected_helper,
    held_booking,
    payment_of,
    set_account_state,
)

pytestmark = pytest.mark.django_db


def _sync(helper: HelperProfile) -> None:
    account = PayoutAccount.objects.get(helper=helper)
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))


def test_a_helper_whose_account_cannot_take_charges_gets_no_paid_offer_and_is_told_why():
    # Given a helper at CHF 40 an hour whose onboarding is not finished
    helper = connected_helper(state="pending_verification")
    assert HelperProfile.objects.get(pk=helper.pk).takes_payments is False
    assert not MatchEntry.objects.filter(helper=helper).exists()

    # When a customer nearby asks for help
    help_request = post_request(UserFactory.create())

    # Then the helper is offered nothing, and the matching's record says why
    assert not Offer.objects.filter(helper=helper).exists()
    runs = MatchingRun.objects.filter(help_request=help_request)
    mine = [c for run in runs for c in run.considered if c["helper_id"] == helper.pk]
    assert len(mine) == runs.count() >= 1
    assert (mine[0]["offered"], mine[0]["score"], mine[0]["reason"]) == (
        False,
        None,
        CANNOT_BE_PAID,
    )


def test_the_account_taking_charges_puts_the_helper_in_the_match_index():
    # Given a helper whose account cannot take charges yet
    helper = connected_helper(state="pending_verification")

    # When Stripe says it can (account.updated, or a sync)
    set_account_state(helper, "payouts_enabled")
    _sync(helper)

    # Then the helper is matched, and offered the next request
    assert HelperProfile.objects.get(pk=helper.pk).takes_payments is True
    assert MatchEntry.objects.filter(helper=helper).count() == 1
    post_request(UserFactory.create())
    assert Offer.objects.filter(helper=helper).count() == 1

    # And when it stops taking charges, they leave the index again
    set_account_state(helper, "pending_verification")
    _sync(helper)
    assert HelperProfile.objects.get(pk=helper.pk).takes_payments is False
    assert not MatchEntry.objects.filter(helper=helper).exists()


def test_a_helper_who_works_for_free_is_offered_work_without_a_payout_account():
    # Given a helper with no payout account who helps for free
    helper = make_helper(takes_payments=False)
    helper_profile_update(helper=helper, hourly_rate_minor=0)

    # When a customer nearby asks for help, the helper is offered it
    post_request(UserFactory.create())
    assert Offer.objects.filter(helper=helper).count() == 1


def test_a_paid_visit_is_not_confirmed_once_the_helpers_account_stopped_taking_charges():
    # Given a paid visit proposed by a helper whose account took charges when offered it
    helper = connected_helper()
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    proposal = booking.proposals.get(status=ProposalStatus.PROPOSED)
    assert proposal.price_minor == 4000

    # And Stripe disabled the account's charges since
    set_account_state(helper, "pending_verification")
    _sync(helper)
    assert HelperProfile.objects.get(pk=helper.pk).takes_payments is False
    events_before = BookingEvent.objects.filter(booking=booking).count()
    outbox_before = OutboxEvent.objects.count()

    # When the customer confirms the time, it is refused with its own code
    with translation.override("en"), pytest.raises(HelperCannotBePaid) as refused:
        bookings.booking_confirm(booking=booking, actor=customer, proposal=proposal)
    assert (refused.value.code, refused.value.status) == ("helper_cannot_be_paid", 409)
    assert refused.value.message == (
        "The helper cannot take payments yet, so the visit cannot be confirmed now."
    )

    # And nothing changed: still proposed, the time still proposed, no payment, nothing sent
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at, booking.price_minor) == (
        BookingStatus.PROPOSED,
        None,
        None,
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    assert BookingEvent.objects.filter(booking=booking).count() == events_before
    assert not Payment.objects.filter(booking=booking).exists()
    assert OutboxEvent.objects.count() == outbox_before

    # And once the account takes charges again, the same time is confirmed
    set_account_state(helper, "payouts_enabled")
    _sync(helper)
    confirmed = bookings.booking_confirm(booking=booking, actor=customer, proposal=proposal)
    assert confirmed.status == BookingStatus.CONFIRMED
    assert payment_of(confirmed).payout_account == PayoutAccount.objects.get(helper=helper)


def test_a_free_visit_is_confirmed_with_a_helper_who_cannot_take_charges():
    # Given a helper who works for free and has no payout account
    helper = make_helper(takes_payments=False)
    helper_profile_update(helper=helper, hourly_rate_minor=0)
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)

    # When the customer confirms, the visit is confirmed, free of charge and with no payment
    confirmed = bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    assert (confirmed.status, confirmed.price_minor) == (BookingStatus.CONFIRMED, 0)
    assert not Payment.objects.filter(booking=booking).exists()


def _confirmed_with_declined_card() -> Booking:
    helper = connected_helper()
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    services.payment_method_set(
        booking=booking, actor=customer, payment_method_id=card(helper, DECLINED_CARD)
    )
    bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


@pytest.mark.parametrize("step", ["journey", "check_in"])
def test_a_paid_visit_without_a_hold_does_not_go_ahead(step):
    # Given a confirmed visit whose hold was declined
    booking = _confirmed_with_declined_card()
    assert payment_of(booking).status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    events_before = BookingEvent.objects.filter(booking=booking).count()

    # When the helper sets off or checks in, it is refused and nothing changes
    helper = booking.helper.user

    def go() -> Booking:
        if step == "journey":
            return bookings.booking_start_journey(booking=booking, actor=helper, eta_minutes=10)
        return bookings.booking_check_in(booking=booking, actor=helper)

    with pytest.raises(PaymentNotHeld) as refused:
        go()
    assert refused.value.code == "payment_not_held"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert BookingEvent.objects.filter(booking=booking).count() == events_before

    # And once the customer gives a card that holds, the visit goes ahead
    services.payment_method_set(
        booking=booking,
        actor=booking.help_request.customer,
        payment_method_id=card(booking.helper),
    )
    assert payment_of(booking).status == PaymentStatus.AUTHORISED
    moved = bookings.booking_start_journey(booking=booking, actor=helper, eta_minutes=10)
    assert moved.status == BookingStatus.ON_THE_WAY


def test_a_held_visit_goes_ahead():
    booking = held_booking()
    moved = bookings.booking_check_in(booking=booking, actor=booking.helper.user)
    assert moved.status == BookingStatus.IN_PROGRESS
