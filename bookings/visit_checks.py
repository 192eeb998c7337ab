"""Questions a higher layer answers before a confirmed visit goes ahead.

Bookings never imports payments; payments registers here (in its AppConfig) whether a booking
still lacks a hold that is due, and the booking machine's guard on confirmed → on the way /
in progress asks it (`bookings.transitions.hold_placed_where_due`).
"""

from __future__ import annotations

from collections.abc import Callable

from bookings.models import Booking

HoldMissing = Callable[[Booking], bool]

_hold_missing: list[HoldMissing] = []


def register_hold_check(check: HoldMissing) -> None:
    """`check(booking)` is true when the visit may not start: a hold is due and not placed."""
    if check not in _hold_missing:
        _hold_missing.append(check)


def hold_missing(booking: Booking) -> bool:
    return any(check(booking) for check in _hold_missing)
