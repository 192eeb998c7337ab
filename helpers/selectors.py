"""Reads of helper data, scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.exceptions import NotFound
from backend.models import User
from helpers.models import AvailabilityException, HelperProfile


def helper_profile_of(user: User) -> HelperProfile:
    """The user's own helper profile, or 404 when they are not a helper."""
    try:
        return HelperProfile.objects.select_related("user").get(user=user)
    except HelperProfile.DoesNotExist as exc:
        raise NotFound("You are not registered as a helper.", code="not_a_helper") from exc


def helpers_for_manager(user: User) -> QuerySet[HelperProfile]:
    if not user.is_staff:
        return HelperProfile.objects.none()
    return HelperProfile.objects.select_related("user").prefetch_related("skills")


def availability_exceptions_of(helper: HelperProfile) -> QuerySet[AvailabilityException]:
    return AvailabilityException.objects.filter(helper=helper)
