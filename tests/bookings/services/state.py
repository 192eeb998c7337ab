"""What the bookings services' tests share: the moment they start at, the real worker, and the
rows and figures a test reads back (all of them at once for "nothing changed")."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from backend.models import User
from bookings.models import Booking, BookingEvent, HelpRequest, Offer, Review
from helpers.models import HelperProfile

ZURICH_TIME = ZoneInfo("Europe/Zurich")
T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZURICH_TIME)  # a Tuesday morning
WORKER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HELPER_COUNTERS = ("cancellations_caused", "late_cancellations_caused", "no_shows_caused")
CUSTOMER_COUNTERS = (
    "customer_cancellations_caused",
    "customer_late_cancellations_caused",
    "customer_no_shows_caused",
)


def offers_of(help_request: HelpRequest) -> list[tuple[int, int, str]]:
    return list(
        Offer.objects.filter(help_request=help_request)
        .order_by("rank")
        .values_list("helper_id", "rank", "status")
    )


def events_of(booking: Booking) -> list[tuple[str, str, int | None, str]]:
    return list(
        BookingEvent.objects.filter(booking=booking).values_list(
            "from_status", "to_status", "actor_id", "actor_role"
        )
    )


def helper_counters(booking: Booking) -> tuple[int, ...]:
    return HelperProfile.objects.values_list(*HELPER_COUNTERS).get(pk=booking.helper_id)


def customer_counters(booking: Booking) -> tuple[int, ...]:
    return User.objects.values_list(*CUSTOMER_COUNTERS).get(pk=booking.help_request.customer_id)


def helper_rating(booking: Booking) -> tuple[int, int]:
    return HelperProfile.objects.values_list("rating_count", "rating_sum").get(pk=booking.helper_id)


def customer_rating(booking: Booking) -> tuple[int, int]:
    return User.objects.values_list("customer_rating_count", "customer_rating_sum").get(
        pk=booking.help_request.customer_id
    )


def snapshot(booking: Booking) -> dict[str, Any]:
    """Everything a refused action must leave exactly as it was."""
    return {
        "booking": Booking.objects.values().get(pk=booking.pk),
        "events": list(BookingEvent.objects.filter(booking=booking).values_list("pk", flat=True)),
        "request": HelpRequest.objects.values().get(pk=booking.help_request_id),
        "offers": list(Offer.objects.order_by("pk").values_list("pk", "status")),
        "helper": helper_counters(booking),
        "customer": customer_counters(booking),
        "reviews": list(Review.objects.values_list("pk", "rating", "published_at")),
        "tasks": DBTaskResult.objects.count(),
    }


def dispatches_of(help_request: HelpRequest) -> int:
    return DBTaskResult.objects.filter(
        task_path="bookings.tasks.dispatch_offers", args_kwargs__args=[help_request.pk]
    ).count()
