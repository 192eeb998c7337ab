"""Reads of helper data, scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

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


def eligible_helpers() -> QuerySet[HelperProfile]:
    """The helpers who may be offered work: approved, accepting jobs, with an active account
    and a home address. The match index holds one row per skill for each of them."""
    return HelperProfile.objects.filter(
        approval_status=ApprovalStatus.APPROVED,
        is_accepting_jobs=True,
        user__is_active=True,
        user__home_latitude__isnull=False,
        user__home_longitude__isnull=False,
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
