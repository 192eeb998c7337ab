"""The helpers' error codes: profiles, approval and availability."""

from __future__ import annotations

from backend.exceptions import ErrorCode


class HelperError(ErrorCode):
    NOT_A_HELPER = "not_a_helper", 404
    HELPER_PROFILE_EXISTS = "helper_profile_exists", 409
    MANAGER_ONLY = "manager_only", 403
    HOME_ADDRESS_REQUIRED = "home_address_required"
    SKILLS_REQUIRED = "skills_required"
    INVALID_RADIUS = "invalid_radius"
    INVALID_HOURLY_RATE = "invalid_hourly_rate"
    INVALID_AVAILABILITY = "invalid_availability"
    IN_THE_PAST = "in_the_past"
    OUTSIDE_BOOKABLE_HORIZON = "outside_bookable_horizon"
