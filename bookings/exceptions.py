from backend.exceptions import Conflict, ValidationFailed
from backend.state_machine import IllegalTransition, TransitionNotAllowedForRole

__all__ = [
    "AlreadyReviewed",
    "HelperDoubleBooked",
    "IllegalTransition",
    "InvalidSlot",
    "OfferNotPending",
    "OpenRequestLimit",
    "RematchLimitReached",
    "RequestAlreadyTaken",
    "RequestNotEditable",
    "ReviewWindowClosed",
    "TooEarly",
    "TransitionNotAllowedForRole",
]


class RequestNotEditable(Conflict):
    code = "request_not_editable"


class OpenRequestLimit(Conflict):
    code = "open_request_limit"


class RematchLimitReached(Conflict):
    code = "rematch_limit_reached"


class OfferNotPending(IllegalTransition):
    """The offer is no longer waiting for an answer: the offers' own illegal move."""

    code = "offer_not_pending"


class RequestAlreadyTaken(Conflict):
    code = "request_already_taken"


class HelperDoubleBooked(Conflict):
    code = "helper_double_booked"


class TooEarly(Conflict):
    code = "too_early"


class ReviewWindowClosed(Conflict):
    code = "review_window_closed"


class AlreadyReviewed(Conflict):
    code = "already_reviewed"


class InvalidSlot(ValidationFailed):
    code = "invalid_slot"
