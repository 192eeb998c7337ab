"""Every write to help requests, offers, bookings and reviews goes through these functions.

One module per aggregate: `help_requests`, `offers`, `visits` (bookings, their proposed
times and the visit itself), `sign_off` (after the visit: sign-off and disputes), `reviews`,
and `sweeps` (catching up after downtime). The status fields are written only by the move
functions in `moves`, one per model, which check the transition tables in
`bookings/transitions.py` and emit the domain events of `bookings/events.py`. Each service
runs in one transaction; what follows a change (figures, the match index, worker tasks) is done by
the handlers in `bookings/handlers.py`, inside the same transaction.

The public names are re-exported here, so callers import them from `bookings.services`.
"""

from bookings.models import DisputeOutcome
from bookings.services.help_requests import (
    AddressInput,
    Window,
    help_request_create,
    help_request_update,
    help_request_withdraw,
    validate_description,
    validate_on_behalf,
    validate_open_request_limit,
    validate_windows,
)
from bookings.services.moves import (
    booking_open,
    booking_transition,
    help_request_move,
    offers_move,
    proposals_move,
    reviews_publish,
)
from bookings.services.offers import (
    help_request_expire,
    offer_accept,
    offer_decline,
    offers_dispatch,
    offers_expire_due,
    offers_withdraw,
    offers_withdraw_for_helper,
    offers_withdraw_for_unpaid_helper,
)
from bookings.services.reviews import review_submit, reviews_close_window
from bookings.services.safety import (
    helper_block,
    helper_unblock,
    safety_report_file,
    safety_report_triage,
)
from bookings.services.sign_off import (
    booking_auto_sign_off,
    booking_dispute,
    booking_resolve_dispute,
    booking_sign_off,
)
from bookings.services.sweeps import sweep_due_work
from bookings.services.visits import (
    SlotInput,
    booking_cancel,
    booking_check_in,
    booking_check_out,
    booking_confirm,
    booking_propose,
    booking_report_no_show,
    booking_request_new_times,
    booking_start_journey,
    require_role,
)

__all__ = [
    "require_role",
    "helper_block",
    "helper_unblock",
    "safety_report_file",
    "safety_report_triage",
    "AddressInput",
    "DisputeOutcome",
    "SlotInput",
    "Window",
    "booking_auto_sign_off",
    "booking_cancel",
    "booking_check_in",
    "booking_check_out",
    "booking_confirm",
    "booking_dispute",
    "booking_open",
    "booking_propose",
    "booking_report_no_show",
    "booking_request_new_times",
    "booking_resolve_dispute",
    "booking_sign_off",
    "booking_start_journey",
    "booking_transition",
    "help_request_create",
    "help_request_expire",
    "help_request_move",
    "help_request_update",
    "help_request_withdraw",
    "offer_accept",
    "offer_decline",
    "offers_dispatch",
    "offers_expire_due",
    "offers_move",
    "offers_withdraw",
    "offers_withdraw_for_helper",
    "offers_withdraw_for_unpaid_helper",
    "proposals_move",
    "review_submit",
    "reviews_close_window",
    "reviews_publish",
    "sweep_due_work",
    "validate_description",
    "validate_on_behalf",
    "validate_open_request_limit",
    "validate_windows",
]
