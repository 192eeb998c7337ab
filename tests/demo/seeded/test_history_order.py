"""The demo's history runs on the services' own clock: every timestamp lies in the past, in the
order the story happened (tests/demo/test_timeline.py: moving the clock moves it all)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from backend.models import User
from bookings.models import Booking, BookingEvent, HelpRequest, Offer, OfferStatus, Review
from helpers.models import ApprovalStatus, AvailabilityException, HelperProfile

pytestmark = pytest.mark.django_db


def every_timestamp() -> list[datetime]:
    stamps: list[datetime | None] = [*User.objects.values_list("date_joined", flat=True)]
    for model, fields in (
        (HelperProfile, ("created_at", "updated_at", "approval_changed_at")),
        (AvailabilityException, ("created_at",)),
        (HelpRequest, ("created_at", "updated_at")),
        (Offer, ("created_at", "responded_at")),
        (
            Booking,
            ("created_at", "updated_at", "checked_in_at", "checked_out_at", "signed_off_at"),
        ),
        (BookingEvent, ("created_at",)),
        (Review, ("created_at", "published_at")),
    ):
        for row in model.objects.values_list(*fields):
            stamps.extend(row)
    return [stamp for stamp in stamps if stamp is not None]


def test_the_demo_history_lies_in_the_past_in_the_order_it_happened(seeded_demo):
    before, after = seeded_demo.started, seeded_demo.finished
    stamps = every_timestamp()
    assert len(stamps) > 500
    assert max(stamps) <= after
    requests = {r.pk: r for r in HelpRequest.objects.all()}
    # Visits signed off weeks ago, and requests posted minutes ago: not everything "now".
    assert min(r.created_at for r in requests.values()) < before - timedelta(days=14)
    assert max(r.created_at for r in requests.values()) > before - timedelta(days=1)
    for offer in Offer.objects.all():
        assert offer.created_at >= requests[offer.help_request_id].created_at
        if offer.status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED):
            assert offer.created_at <= offer.responded_at <= offer.expires_at
    bookings = list(Booking.objects.prefetch_related("events", "reviews"))
    assert bookings
    for booking in bookings:
        assert_in_story_order(booking, requests[booking.help_request_id])
    for profile in HelperProfile.objects.select_related("user"):
        assert profile.created_at >= profile.user.date_joined
        if profile.approval_status != ApprovalStatus.APPLIED:
            assert profile.approval_changed_at > profile.created_at


def assert_in_story_order(booking: Booking, help_request: HelpRequest) -> None:
    events = sorted(booking.events.all(), key=lambda event: event.pk)
    assert booking.created_at >= help_request.created_at
    assert events[0].created_at == booking.created_at
    assert all(a.created_at <= b.created_at for a, b in pairwise(events))
    if booking.checked_in_at is not None:
        assert booking.checked_in_at >= booking.created_at
    if booking.checked_out_at is not None:
        assert booking.checked_in_at is not None
        assert booking.checked_out_at > booking.checked_in_at
    if booking.signed_off_at is not None:
        assert booking.checked_out_at is not None
        assert booking.signed_off_at > booking.checked_out_at
    for review in booking.reviews.all():
        assert booking.signed_off_at is not None
        assert review.created_at > booking.signed_off_at
