"""The bookings' error codes: help requests, offers, visits and reviews."""

from __future__ import annotations

from backend.exceptions import ErrorCode


class BookingError(ErrorCode):
    # Help requests
    DESCRIPTION_TOO_SHORT = "description_too_short"
    ON_BEHALF_INCOMPLETE = "on_behalf_incomplete"
    WINDOWS_REQUIRED = "windows_required"
    TOO_MANY_WINDOWS = "too_many_windows"
    WINDOW_INVERTED = "window_inverted"
    WINDOW_IN_PAST = "window_in_past"
    WINDOW_TOO_FAR_AHEAD = "window_too_far_ahead"
    WINDOW_TOO_SHORT = "window_too_short"
    WINDOW_TOO_LONG = "window_too_long"
    WINDOWS_OVERLAP = "windows_overlap"
    OPEN_REQUEST_LIMIT = "open_request_limit", 409
    REQUEST_NOT_EDITABLE = "request_not_editable", 409
    REMATCH_LIMIT_REACHED = "rematch_limit_reached", 409
    # Offers
    OFFER_NOT_PENDING = "offer_not_pending", 409
    REQUEST_ALREADY_TAKEN = "request_already_taken", 409
    # Visits
    SLOTS_REQUIRED = "slots_required"
    TOO_MANY_SLOTS = "too_many_slots"
    DUPLICATE_SLOTS = "duplicate_slots"
    SLOT_INVERTED = "slot_inverted"
    SLOT_IN_PAST = "slot_in_past"
    SLOT_LENGTH = "slot_length"
    SLOT_OUTSIDE_WINDOWS = "slot_outside_windows"
    INVALID_PROPOSAL = "invalid_proposal"
    HELPER_DOUBLE_BOOKED = "helper_double_booked", 409
    # A visit with a price, and the helper's payout account cannot take charges.
    HELPER_CANNOT_BE_PAID = "helper_cannot_be_paid", 409
    CAUSED_BY_REQUIRED = "caused_by_required"
    INVALID_ETA = "invalid_eta"
    TOO_EARLY = "too_early", 409
    PAYMENT_NOT_HELD = "payment_not_held", 409
    SUMMARY_TOO_SHORT = "summary_too_short"
    # Reviews
    NOT_REVIEWABLE = "not_reviewable", 409
    REVIEW_WINDOW_CLOSED = "review_window_closed", 409
    ALREADY_REVIEWED = "already_reviewed", 409
    INVALID_RATING = "invalid_rating"
    # Safety reports
    VISIT_NOT_STARTED = "visit_not_started", 409
    REPORT_ALREADY_OPEN = "report_already_open", 409
    REPORT_ALREADY_DECIDED = "report_already_decided", 409
    SUSPENSION_HELPERS_ONLY = "suspension_helpers_only"
