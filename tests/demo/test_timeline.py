"""The demo's history runs on the services' own clock: moving the clock moves the whole demo
with it (tests/demo/seeded/test_history_order.py: every timestamp lies in the past, in the
order the story happened)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from backend import clock
from backend.models import User
from bookings.models import BookingEvent, HelpRequest, Offer, Review

pytestmark = pytest.mark.django_db

SMALL = {"helpers": 25, "customers": 25, "requests": 30, "seed": 1}


def seed(**options: object) -> None:
    call_command("seed_demo", **{**SMALL, **options}, stdout=io.StringIO(), stderr=io.StringIO())


def _relative(moment: datetime | None, now: datetime) -> timedelta | None:
    return None if moment is None else moment - now


def story(now: datetime) -> dict[str, list[tuple[object, ...]]]:
    """The demo with every timestamp told relative to `now`, and no primary keys."""
    return {
        "people": sorted(
            (user.email, user.display_name, _relative(user.date_joined, now))
            for user in User.objects.all()
        ),
        "requests": sorted(
            (r.customer.email, r.status, r.description, _relative(r.created_at, now))
            for r in HelpRequest.objects.select_related("customer")
        ),
        "offers": sorted(
            (
                o.help_request.customer.email,
                o.helper.user.email,
                o.status,
                _relative(o.created_at, now),
                _relative(o.responded_at, now),
            )
            for o in Offer.objects.select_related("help_request__customer", "helper__user")
        ),
        "booking_events": sorted(
            (
                e.booking.help_request.customer.email,
                e.from_status,
                e.to_status,
                _relative(e.created_at, now),
            )
            for e in BookingEvent.objects.select_related("booking__help_request__customer")
        ),
        "reviews": sorted(
            (r.author.email, r.rating, r.text, _relative(r.created_at, now))
            for r in Review.objects.select_related("author")
        ),
    }


def test_a_week_later_on_the_clock_the_same_seed_tells_the_same_story_a_week_later():
    # Both weeks in summer time, so that weekly hours fall on the same instants.
    first = datetime(2025, 7, 9, 8, 0, tzinfo=UTC)
    later = first + timedelta(days=7)
    with clock.at(first):
        seed()
    first_story = story(first)

    with clock.at(later):
        seed(reset=True)

    assert story(later) == first_story
    assert len(first_story["booking_events"]) > 50
