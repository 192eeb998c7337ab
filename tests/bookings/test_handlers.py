"""The match index follows the domain events: every event that can change what matching sees
reaches it, and after every service that changes a helper it is in step."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend import events as domain
from backend.services import user_set_active, user_update_profile
from bookings import handlers, services
from bookings.matching.index import match_index_check
from bookings.models import BookingStatus, MatchEntry
from helpers.models import ApprovalStatus
from helpers.services import (
    WeeklyInterval,
    helper_apply,
    helper_approve,
    helper_offboard,
    helper_profile_update,
    helper_set_weekly_availability,
    helper_suspend,
    helper_takes_payments_set,
)
from tests.factories import (
    ZURICH,
    ManagerFactory,
    UserFactory,
    at,
    category,
    make_booking,
    make_helper,
    offset,
    pending_offer,
    post_request,
    vet,
)

T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _index_subscriptions() -> list[domain.Subscription]:
    return [
        s
        for s in domain.subscriptions(domain.Phase.IN_TRANSACTION)
        if s.handler is handlers.refresh_match_index
    ]


def test_every_event_that_can_change_matching_reaches_the_index():
    # Given the event classes marked as able to change what matching sees
    marked = handlers.matching_event_types()
    assert {cls.__name__ for cls in marked} >= {
        "HelperApplied",
        "HelperProfileChanged",
        "HelperApproved",
        "HelperSuspended",
        "HelperReinstated",
        "HelperFiguresChanged",
        "UserProfileChanged",
        "UserActivationChanged",
    }

    # Then each is heard, in the transaction, by the index's handler
    unheard = [
        cls.__name__
        for cls in marked
        if not any(issubclass(cls, s.event_types) for s in _index_subscriptions())
    ]
    assert unheard == []


def _in_step() -> list[tuple[int, int, str]]:
    return [(p.helper_id, p.category_id, p.problem) for p in match_index_check()]


@pytest.mark.django_db
def test_every_service_that_changes_a_helper_leaves_the_index_in_step(clock):
    manager = ManagerFactory()
    user = at(UserFactory(languages=["de"]), ZURICH)
    steps = []
    # Applying, approving, changing the profile, the account, suspending and reinstating
    helper = helper_apply(user=user, skills=[category()])
    steps.append(("apply", _in_step()))
    helper = vet(helper, to=ApprovalStatus.CONDUCT_TEST_PASSED, manager=manager)
    steps.append(("vetting", _in_step()))
    helper_takes_payments_set(helper_id=helper.pk, takes_payments=True)
    steps.append(("payout account", _in_step()))
    helper_approve(helper=helper, actor=manager)
    helper_set_weekly_availability(
        helper=helper,
        intervals=[WeeklyInterval(day, time(0, 0), time(23, 59)) for day in range(7)],
    )
    steps.append(("approve", _in_step()))
    helper_profile_update(helper=helper, service_radius_km=20, skills=[category("tv-streaming")])
    steps.append(("profile", _in_step()))
    helper_profile_update(helper=helper, skills=[category()], is_accepting_jobs=True)
    user_update_profile(user=user, languages=["de", "fr"])
    steps.append(("languages", _in_step()))
    user_set_active(user=user, is_active=False)
    user_set_active(user=user, is_active=True)
    steps.append(("account", _in_step()))
    # Offers: made, declined, expired, accepted; a visit signed off, one cancelled
    first = post_request(UserFactory(), point=offset(ZURICH, east_m=300))
    services.offer_decline(offer=pending_offer(first, helper), actor=user)
    steps.append(("decline", _in_step()))
    second = post_request(UserFactory(), point=offset(ZURICH, north_m=300))
    clock.shift(timedelta(minutes=31))
    services.offers_expire_due(help_request=second)
    steps.append(("expire", _in_step()))
    make_booking(BookingStatus.SIGNED_OFF, helper=helper)
    steps.append(("sign-off", _in_step()))
    cancelled = make_booking(BookingStatus.CONFIRMED, helper=helper)
    services.booking_cancel(booking=cancelled, actor=user, reason="I am ill")
    steps.append(("cancel", _in_step()))
    helper_suspend(helper=helper, actor=manager, note="Complaints")
    steps.append(("suspend", _in_step()))
    helper_approve(helper=helper, actor=manager, note="Cleared up.")
    steps.append(("reinstate", _in_step()))
    helper_offboard(helper=helper, actor=manager, note="Moved away")
    steps.append(("offboard", _in_step()))

    # Then after each the index agrees with the helper tables, and the offboarded helper is
    # no longer in it
    assert steps == [(name, []) for name, _ in steps]
    assert MatchEntry.objects.filter(helper=helper).count() == 0


@pytest.mark.django_db
def test_without_the_index_handler_the_check_would_notice(clock, monkeypatch):
    # Given an approved helper in the index
    helper = make_helper()
    assert _in_step() == []

    # When the index's handler is taken away (from a copy of the subscriptions: the apps' own
    # list comes back untouched) and the helper's radius changes
    taken = _index_subscriptions()
    monkeypatch.setattr(
        domain, "_subscriptions", [s for s in domain._subscriptions if s not in taken]
    )
    helper_profile_update(helper=helper, service_radius_km=25)

    # Then the index is stale: the test above would fail
    assert _in_step() == [(helper.pk, category().pk, "stale")]


@pytest.mark.django_db
def test_a_suspension_withdraws_the_pending_offers_in_its_transaction(clock):
    # Given a helper with a pending offer
    helper = make_helper()
    help_request = post_request(UserFactory(), point=ZURICH)
    offer = pending_offer(help_request, helper)

    # When the manager suspends them
    helper_suspend(helper=helper, actor=ManagerFactory(), note="Complaints")

    # Then the offer is withdrawn for that cause, and the helper's approval has its history
    offer.refresh_from_db()
    assert (offer.status, offer.withdrawal_cause) == ("withdrawn", "helper_suspended")
    assert list(helper.approval_events.values_list("from_status", "to_status", "note")) == [
        (ApprovalStatus.APPROVED, ApprovalStatus.SUSPENDED, "Complaints")
    ]


@pytest.mark.django_db
def test_a_helper_who_can_no_longer_be_paid_keeps_no_pending_offer(clock):
    # Given a helper at CHF 40 an hour and one who helps for free, each with a pending offer
    paid, free = make_helper(), make_helper(takes_payments=False)
    helper_profile_update(helper=free, hourly_rate_minor=0)
    help_request = post_request(UserFactory(), point=ZURICH)
    paid_offer, free_offer = pending_offer(help_request, paid), pending_offer(help_request, free)

    # When neither's payout account takes charges any more
    helper_takes_payments_set(helper_id=paid.pk, takes_payments=False)
    helper_takes_payments_set(helper_id=free.pk, takes_payments=False)

    # Then the paid helper's offer is withdrawn for that cause; the free one's stays
    paid_offer.refresh_from_db()
    free_offer.refresh_from_db()
    assert (paid_offer.status, paid_offer.withdrawal_cause) == ("withdrawn", "cannot_be_paid")
    assert (free_offer.status, free_offer.withdrawal_cause) == ("pending", "")

    # And once the free helper asks for a rate, they cannot be paid either: it goes too
    helper_profile_update(helper=free, hourly_rate_minor=3500)
    free_offer.refresh_from_db()
    assert (free_offer.status, free_offer.withdrawal_cause) == ("withdrawn", "cannot_be_paid")
