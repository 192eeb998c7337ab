from backend.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed


class IllegalTransition(Conflict):
    code = "illegal_transition"


class TransitionNotAllowedForRole(PermissionDenied):
    code = "not_allowed_for_role"


class RequestNotEditable(Conflict):
    code = "request_not_editable"


class OpenRequestLimit(Conflict):
    code = "open_request_limit"


class OfferNotPending(Conflict):
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


class BookingNotFound(NotFound):
    code = "not_found"


class InvalidSlot(ValidationFailed):
    code = "invalid_slot"
