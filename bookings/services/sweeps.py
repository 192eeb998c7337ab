"""Catching up after downtime: every time-based step that is due, whatever happened to the
tasks that were to do it."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from backend import clock
from backend.config import config
from bookings.models import (
    Booking,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    OfferStatus,
    Review,
    ReviewStatus,
)
from bookings.services.help_requests import EDITABLE_STATUSES
from bookings.services.offers import help_request_expire, offers_expire_due
from bookings.services.reviews import reviews_close_window
from bookings.services.sign_off import booking_auto_sign_off


def sweep_due_work() -> dict[str, int]:
    """Run every time-based step that is due.

    The tasks scheduled by the services normally do all of this on time; the sweep makes
    the system converge after a worker outage. Each step is idempotent.
    """
    now = clock.now()
    counts = {"offers_expired": 0, "requests_expired": 0, "signed_off": 0, "reviews_published": 0}
    for help_request in HelpRequest.objects.filter(
        status=HelpRequestStatus.OPEN,
        offers__status=OfferStatus.PENDING,
        offers__expires_at__lte=now,
    ).distinct():
        counts["offers_expired"] += offers_expire_due(help_request=help_request)
    for help_request in HelpRequest.objects.filter(status__in=EDITABLE_STATUSES).exclude(
        windows__ends_at__gt=now
    ):
        with transaction.atomic():
            if help_request_expire(help_request=help_request, expected=help_request.status):
                counts["requests_expired"] += 1
    cutoff = now - timedelta(hours=config().auto_sign_off_hours)
    for booking in Booking.objects.filter(
        status=BookingStatus.COMPLETED, checked_out_at__lte=cutoff
    ):
        if booking_auto_sign_off(booking=booking) is not None:
            counts["signed_off"] += 1
    review_cutoff = now - timedelta(days=config().review_window_days)
    hidden = Review.objects.filter(booking=OuterRef("pk"), status=ReviewStatus.HIDDEN)
    for booking in Booking.objects.filter(Exists(hidden), signed_off_at__lte=review_cutoff):
        counts["reviews_published"] += reviews_close_window(booking=booking)
    return counts
