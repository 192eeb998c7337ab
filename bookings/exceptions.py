from backend.exceptions import Conflict, ValidationFailed
from backend.state_machine import IllegalTransition, TransitionNotAllowedForRole
from bookings.errors import BookingError

__all__ = [
    "AlreadyReviewed",
    "HelperCannotBePaid",
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
    code = BookingError.REQUEST_NOT_EDITABLE


class OpenRequestLimit(Conflict):
    code = BookingError.OPEN_REQUEST_LIMIT


class RematchLimitReached(Conflict):
    code = BookingError.REMATCH_LIMIT_REACHED


class OfferNotPending(IllegalTransition):
    """The offer is no longer waiting for an answer: the offers' own illegal move."""

    code = BookingError.OFFER_NOT_PENDING


class RequestAlreadyTaken(Conflict):
    code = BookingError.REQUEST_ALREADY_TAKEN


class HelperDoubleBooked(Conflict):
    code = BookingError.HELPER_DOUBLE_BOOKED


class HelperCannotBePaid(Conflict):
    """A visit with a price cannot be confirmed while the helper's payout account cannot take
    charges (it was disabled after they were offered the request): nobody could pay them."""

    code = BookingError.HELPER_CANNOT_BE_PAID


class TooEarly(Conflict):
    code = BookingError.TOO_EARLY


class PaymentNotHeld(Conflict):
    """The customer's card is not held yet for a visit that needs it (the hold failed, or no
    card was given): the visit does not go ahead until it is."""

    code = BookingError.PAYMENT_NOT_HELD


class ReviewWindowClosed(Conflict):
    code = BookingError.REVIEW_WINDOW_CLOSED


class AlreadyReviewed(Conflict):
    code = BookingError.ALREADY_REVIEWED


class InvalidSlot(ValidationFailed):
    """A proposed or chosen time that cannot be; its code says why (`slot_in_past`, ...)."""
