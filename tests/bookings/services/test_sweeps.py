"""The sweep, called directly: after a worker outage it does every time-based step that became
due, once, and a second sweep finds nothing left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from backend.models import User
from bookings import services
from bookings.models import (
    ActorRole,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    OfferStatus,
    Review,
)
from helpers.models import HelperProfile
from tests.bookings.services.state import T0, events_of, offers_of
from tests.factories import ZURICH, UserFactory, make_booking, make_helper, offset, post_request


@pytest.mark.django_db
def test_the_sweep_does_the_due_work_of_lost_tasks(clock, quartier_settings):
    sweep_at = T0 + timedelta(days=7, minutes=1)
    # Given a visit signed off at T0 with one review (its window closes at T0 + 7 days)
    reviewed = make_booking(BookingStatus.SIGNED_OFF)
    services.review_submit(booking=reviewed, actor=reviewed.helper.user, rating=4)
    # And a visit checked out 48 hours and 2 minutes before the sweep
    clock.move_to(sweep_at - timedelta(hours=48, minutes=2))
    completed = make_booking(BookingStatus.COMPLETED)
    # And a TV request whose only offer expired a minute before the sweep
    clock.move_to(sweep_at - timedelta(minutes=31))
    quartier_settings(OFFER_BATCH_SIZE=1)
    tv_helpers = [
        make_helper(point=offset(ZURICH, east_m=500 * n), skills=("tv-streaming",)) for n in (1, 2)
    ]
    tv_request = post_request(UserFactory(), slug="tv-streaming", point=ZURICH)
    assert offers_of(tv_request) == [(tv_helpers[0].pk, 1, OfferStatus.PENDING)]
    # And every scheduled task was lost
    DBTaskResult.objects.all().delete()

    # When the sweep runs
    clock.move_to(sweep_at)
    counts = services.sweep_due_work()

    # Then it did what the tasks would have done
    assert counts == {
        "offers_expired": 1,
        "requests_expired": 0,
        "signed_off": 1,
        "reviews_published": 1,
    }
    assert offers_of(tv_request) == [
        (tv_helpers[0].pk, 1, OfferStatus.EXPIRED),
        (tv_helpers[1].pk, 2, OfferStatus.PENDING),
    ]
    assert HelperProfile.objects.get(pk=tv_helpers[0].pk).offers_expired == 1
    completed.refresh_from_db()
    assert (completed.status, completed.signed_off_automatically, completed.signed_off_at) == (
        BookingStatus.SIGNED_OFF,
        True,
        sweep_at,
    )
    assert events_of(completed)[-1] == (
        BookingStatus.COMPLETED,
        BookingStatus.SIGNED_OFF,
        None,
        ActorRole.SYSTEM,
    )
    assert Review.objects.get(booking=reviewed).published_at == sweep_at
    customer = reviewed.help_request.customer
    assert User.objects.values_list("customer_rating_count", "customer_rating_sum").get(
        pk=customer.pk
    ) == (1, 4)

    # And a second sweep finds nothing left to do
    assert services.sweep_due_work() == {
        "offers_expired": 0,
        "requests_expired": 0,
        "signed_off": 0,
        "reviews_published": 0,
    }
    assert User.objects.values_list("customer_rating_count", "customer_rating_sum").get(
        pk=customer.pk
    ) == (1, 4)


@pytest.mark.django_db
def test_the_sweep_expires_a_request_whose_windows_have_all_passed(clock):
    # Given an unmatched request (nobody in reach) whose only window ends at T0 + 6 hours
    customer = UserFactory()
    help_request = post_request(customer, start=T0 + timedelta(hours=2), point=ZURICH)
    assert help_request.status == HelpRequestStatus.UNMATCHED
    # And another whose window is still ahead
    later = post_request(customer, start=T0 + timedelta(days=1), point=ZURICH)

    # When the sweep runs before the window has ended
    clock.move_to(T0 + timedelta(hours=6) - timedelta(seconds=1))
    assert services.sweep_due_work()["requests_expired"] == 0

    # And once it has ended
    clock.move_to(T0 + timedelta(hours=6))
    counts = services.sweep_due_work()

    # Then that request expired, once, and the other is untouched
    assert counts["requests_expired"] == 1
    assert HelpRequest.objects.get(pk=help_request.pk).status == HelpRequestStatus.EXPIRED
    assert HelpRequest.objects.get(pk=later.pk).status == HelpRequestStatus.UNMATCHED
    assert services.sweep_due_work()["requests_expired"] == 0
