"""Reads of helper data, scoped to who is asking."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from backend.exceptions import NotFound, raises
from backend.models import User
from helpers.errors import HelperError
from helpers.models import ApprovalStatus, AvailabilityException, HelperProfile


@raises(HelperError.NOT_A_HELPER)
def helper_profile_of(user: User) -> HelperProfile:
    """The user's own helper profile, or 404 when they are not a helper."""
    try:
        return HelperProfile.objects.select_related("user").get(user=user)
    except HelperProfile.DoesNotExist as exc:
        raise NotFound(
            "You are not registered as a helper.", code=HelperError.NOT_A_HELPER
        ) from exc


def helpers_for_manager(user: User) -> QuerySet[HelperProfile]:
    if not user.is_staff:
        return HelperProfile.objects.none()
    return HelperProfile.objects.select_related("user").prefetch_related("skills")


def availability_exceptions_of(helper: HelperProfile) -> QuerySet[AvailabilityException]:
    return AvailabilityException.objects.filter(helper=helper)


# A helper who charges for their work needs a payout account that can take charges; one who
# works for free (rate 0) does not.
CAN_BE_PAID = Q(takes_payments=True) | Q(hourly_rate_minor=0)


def ready_for_offers() -> QuerySet[HelperProfile]:
    """Approved, accepting jobs, with an active account and a home address (payments aside)."""
    return HelperProfile.objects.filter(
        approval_status=ApprovalStatus.APPROVED,
        is_accepting_jobs=True,
        user__is_active=True,
        user__home_latitude__isnull=False,
        user__home_longitude__isnull=False,
    )


def eligible_helpers() -> QuerySet[HelperProfile]:
    """The helpers who may be offered work: approved, accepting jobs, with an active account
    and a home address, and able to be paid (a payout account that takes charges, or working
    for free). The match index holds one row per skill for each of them."""
    return ready_for_offers().filter(CAN_BE_PAID)


def unpaid_helpers_near(
    *, category_id: int, box: tuple[float, float, float, float], limit: int
) -> list[tuple[int, float | None, float | None, int]]:
    """Helpers skilled in the category, with a home in `box` (min_lat, max_lat, min_lon,
    max_lon), left out of matching only because they charge and their payout account cannot
    take charges: (helper id, latitude, longitude, service radius km), at most `limit`."""
    min_lat, max_lat, min_lon, max_lon = box
    return list(
        ready_for_offers()
        .filter(
            takes_payments=False,
            hourly_rate_minor__gt=0,
            skills__id=category_id,
            user__home_latitude__range=(min_lat, max_lat),
            user__home_longitude__range=(min_lon, max_lon),
        )
        .order_by("pk")
        .values_list("pk", "user__home_latitude", "user__home_longitude", "service_radius_km")[
            :limit
        ]
    )


# What matching reads of an eligible helper, in the order the match index's writer unpacks it.
HELPER_MATCHING_FIELDS = (
    "pk",
    "user__home_latitude",
    "user__home_longitude",
    "service_radius_km",
    "user__languages",
    "rating_sum",
    "rating_count",
    "completed_visits",
    "cancellations_caused",
    "no_shows_caused",
    "offers_accepted",
    "offers_declined",
    "offers_expired",
    "response_seconds_total",
    "approval_changed_at",
)
