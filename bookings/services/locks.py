"""Row locks the bookings services take, in one place, so their order is plain to see.

The order is always: help request, then its offers (in primary-key order), then booking, then
the helper's row. Concurrent writers then queue instead of deadlocking on each other.
"""

from __future__ import annotations

from bookings.models import Booking, HelpRequest
from helpers.models import HelperProfile


def lock_help_request(help_request: HelpRequest) -> HelpRequest:
    """The request row, locked, with its category (read, not locked)."""
    return (
        HelpRequest.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=help_request.pk)
    )


def lock_booking(booking: Booking) -> Booking:
    # Only the booking row: the joined request, helper and people are read, not locked.
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("help_request", "helper__user", "help_request__customer")
        .get(pk=booking.pk)
    )


def lock_helper(helper_id: int) -> None:
    """Queue writers that must see every visit of this helper confirmed before them."""
    list(HelperProfile.objects.select_for_update().filter(pk=helper_id).values_list("pk"))
