"""The state machines of help requests, offers, bookings, proposed times and reviews.

Each table lists every allowed move, who may make it, the guards that must pass first and the
domain event the move emits. The one transition function of each model
(`bookings/services/moves.py`) asks its machine before it writes; nothing else writes a
status. A new precondition is a guard added here (e.g. "waivers accepted" or "payment
authorised" on proposed → confirmed), not an `if` in a service.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from backend import clock
from backend.exceptions import raises
from backend.roles import ActorRole
from backend.state_machine import Move, StateMachine, Transition
from bookings import events
from bookings.errors import BookingError
from bookings.exceptions import (
    HelperCannotBePaid,
    HelperDoubleBooked,
    InvalidSlot,
    OfferNotPending,
    PaymentNotHeld,
)
from bookings.models import (
    SLOT_HOLDING_STATUSES,
    Booking,
    BookingStatus,
    HelpRequestStatus,
    OfferStatus,
    ProposalStatus,
    ReviewStatus,
)
from bookings.visit_checks import hold_missing
from catalogue.errors import CatalogueError
from catalogue.exceptions import WaiversNotAccepted
from catalogue.models import legal_language
from catalogue.selectors import waivers_missing
from helpers.selectors import helper_takes_payments

CUSTOMER, HELPER, MANAGER, SYSTEM = (
    ActorRole.CUSTOMER,
    ActorRole.HELPER,
    ActorRole.MANAGER,
    ActorRole.SYSTEM,
)
ANYONE = frozenset(ActorRole.values)


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


# --- Help requests -----------------------------------------------------------------------------

_R = HelpRequestStatus

HELP_REQUEST_MACHINE = StateMachine(
    noun=gettext_lazy("Help request"),
    transitions={
        (_R.OPEN, _R.ASSIGNED): Transition(_roles(HELPER), event=events.HelpRequestAssigned),
        (_R.OPEN, _R.UNMATCHED): Transition(_roles(SYSTEM), event=events.HelpRequestUnmatched),
        (_R.OPEN, _R.WITHDRAWN): Transition(_roles(CUSTOMER), event=events.HelpRequestWithdrawn),
        (_R.OPEN, _R.EXPIRED): Transition(_roles(SYSTEM), event=events.HelpRequestExpired),
        # The customer changed where, when or which languages: matching starts over.
        (_R.UNMATCHED, _R.OPEN): Transition(_roles(CUSTOMER), event=events.HelpRequestReopened),
        (_R.UNMATCHED, _R.WITHDRAWN): Transition(
            _roles(CUSTOMER), event=events.HelpRequestWithdrawn
        ),
        (_R.UNMATCHED, _R.EXPIRED): Transition(_roles(SYSTEM), event=events.HelpRequestExpired),
        # The booking broke without the customer's doing, and a time window is left.
        (_R.ASSIGNED, _R.OPEN): Transition(_roles(SYSTEM), event=events.HelpRequestReopened),
        (_R.ASSIGNED, _R.CLOSED): Transition(_roles(SYSTEM), event=events.HelpRequestClosed),
    },
)


# --- Offers ------------------------------------------------------------------------------------


def offer_not_expired(move: Move) -> None:
    """An offer can be taken only while its time is not up."""
    if move.subject.expires_at <= clock.now():
        raise OfferNotPending(_("This offer has expired."))


def _offer_not_pending(from_status: str, to_status: str) -> OfferNotPending:
    return OfferNotPending(_("This offer is no longer waiting for an answer."))


_O = OfferStatus

OFFER_MACHINE = StateMachine(
    noun=gettext_lazy("Offer"),
    transitions={
        (_O.PENDING, _O.ACCEPTED): Transition(
            _roles(HELPER), guards=(offer_not_expired,), event=events.OfferAccepted
        ),
        (_O.PENDING, _O.DECLINED): Transition(_roles(HELPER), event=events.OfferDeclined),
        (_O.PENDING, _O.EXPIRED): Transition(_roles(SYSTEM), event=events.OfferExpired),
        # The request changed, was withdrawn or expired, someone else accepted, or the helper
        # was suspended.
        (_O.PENDING, _O.WITHDRAWN): Transition(ANYONE, event=events.OfferWithdrawn),
    },
    illegal=_offer_not_pending,
)


# --- Bookings ----------------------------------------------------------------------------------


def _slot_of(move: Move) -> tuple[datetime, datetime]:
    return move.facts["starts_at"], move.facts["ends_at"]


def slot_still_ahead(move: Move) -> None:
    """A time that has passed cannot be confirmed."""
    starts_at, _ends_at = _slot_of(move)
    if starts_at <= clock.now():
        raise InvalidSlot.for_field(
            "proposal", _("This time has passed."), code=BookingError.SLOT_IN_PAST
        )


def helper_free_then(move: Move) -> None:
    """The helper holds no other visit overlapping the slot (the database backs this up)."""
    starts_at, ends_at = _slot_of(move)
    if helper_busy(move.subject, starts_at, ends_at):
        raise HelperDoubleBooked(_("The helper already has a visit at that time."))


def helper_paid_at(
    helper_id: int, price_minor: int | None, *, takes_payments: bool | None = None
) -> bool:
    """Whether a visit at `price_minor` can be confirmed with the helper: it is free, or the
    helper's payout account takes charges (payments keeps the helper's `takes_payments` in
    step with it). `takes_payments` as the caller read it with the helper (the customer's
    page, so that it offers no confirmation this would refuse); else read now."""
    if not price_minor:
        return True
    if takes_payments is None:
        takes_payments = helper_takes_payments(helper_id)
    return takes_payments


@raises(BookingError.HELPER_CANNOT_BE_PAID)
def helper_can_be_paid(move: Move) -> None:
    """A visit with a price is confirmed only with a helper whose payout account takes charges
    (`helper_paid_at`): the matching offers paid requests to no one else, and an account
    disabled since the offer stops it here, before anything is held or promised. Read now,
    under the caller's lock on the helper."""
    if not helper_paid_at(move.subject.helper_id, move.facts.get("price_minor")):
        raise HelperCannotBePaid(
            _("The helper cannot take payments yet, so the visit cannot be confirmed now.")
        )


def hold_placed_where_due(move: Move) -> None:
    """A paid visit starts only once the customer's card is held (payments answers)."""
    if hold_missing(move.subject):
        raise PaymentNotHeld(
            _("The customer's card is not held yet: the visit can go ahead once it is.")
        )


def helper_busy(booking: Booking, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether another visit of the booking's helper holds time overlapping the slot."""
    return (
        Booking.objects.filter(
            helper_id=booking.helper_id,
            status__in=SLOT_HOLDING_STATUSES,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(pk=booking.pk)
        .exists()
    )


@raises(CatalogueError.WAIVERS_NOT_ACCEPTED)
def customer_accepted_waivers(move: Move) -> None:
    """The customer (or the relative booking for them) accepted the terms and waivers of the
    visit's category in force when the booking was made, or later versions."""
    booking = move.subject
    help_request = booking.help_request
    missing = waivers_missing(
        user=help_request.customer, category=help_request.category, in_force_at=booking.created_at
    )
    if missing:
        raise WaiversNotAccepted(
            _("Accept the terms and waivers for this visit first: %(documents)s.")
            % {
                "documents": ", ".join(
                    version.title_in(legal_language(get_language())) for version in missing
                )
            }
        )


_B = BookingStatus

# signed_off → settled is the place for settlement; only the system (payments) moves it.
BOOKING_MACHINE = StateMachine(
    noun=gettext_lazy("Booking"),
    transitions={
        (_B.AWAITING_PROPOSAL, _B.PROPOSED): Transition(
            _roles(HELPER), event=events.BookingProposed
        ),
        (_B.PROPOSED, _B.CONFIRMED): Transition(
            _roles(CUSTOMER),
            guards=(
                slot_still_ahead,
                customer_accepted_waivers,
                helper_free_then,
                helper_can_be_paid,
            ),
            event=events.BookingConfirmed,
        ),
        # None of the proposed times suits the customer.
        (_B.PROPOSED, _B.AWAITING_PROPOSAL): Transition(
            _roles(CUSTOMER), event=events.BookingTimesRequested
        ),
        # The helper reschedules with new times.
        (_B.CONFIRMED, _B.PROPOSED): Transition(_roles(HELPER), event=events.BookingProposed),
        # The customer asks to reschedule.
        (_B.CONFIRMED, _B.AWAITING_PROPOSAL): Transition(
            _roles(CUSTOMER), event=events.BookingTimesRequested
        ),
        (_B.CONFIRMED, _B.ON_THE_WAY): Transition(
            _roles(HELPER), guards=(hold_placed_where_due,), event=events.BookingJourneyStarted
        ),
        (_B.CONFIRMED, _B.IN_PROGRESS): Transition(
            _roles(HELPER), guards=(hold_placed_where_due,), event=events.BookingCheckedIn
        ),
        (_B.ON_THE_WAY, _B.IN_PROGRESS): Transition(_roles(HELPER), event=events.BookingCheckedIn),
        (_B.IN_PROGRESS, _B.COMPLETED): Transition(_roles(HELPER), event=events.BookingCompleted),
        (_B.COMPLETED, _B.SIGNED_OFF): Transition(
            _roles(CUSTOMER, SYSTEM), event=events.BookingSignedOff
        ),
        (_B.COMPLETED, _B.DISPUTED): Transition(_roles(CUSTOMER), event=events.BookingDisputed),
        (_B.DISPUTED, _B.SIGNED_OFF): Transition(_roles(MANAGER), event=events.BookingSignedOff),
        (_B.DISPUTED, _B.CANCELLED): Transition(_roles(MANAGER), event=events.BookingCancelled),
        (_B.SIGNED_OFF, _B.SETTLED): Transition(_roles(SYSTEM), event=events.BookingSettled),
        **{
            (origin, broken): Transition(_roles(CUSTOMER, HELPER, MANAGER), event=event)
            for origin, broken, event in (
                (_B.AWAITING_PROPOSAL, _B.CANCELLED, events.BookingCancelled),
                (_B.PROPOSED, _B.CANCELLED, events.BookingCancelled),
                (_B.CONFIRMED, _B.CANCELLED, events.BookingCancelled),
                (_B.ON_THE_WAY, _B.CANCELLED, events.BookingCancelled),
                (_B.CONFIRMED, _B.NO_SHOW, events.BookingNoShow),
            )
        },
        # The customer cannot say the helper did not come while the helper is on the way.
        (_B.ON_THE_WAY, _B.NO_SHOW): Transition(
            _roles(HELPER, MANAGER), event=events.BookingNoShow
        ),
    },
)

# Every allowed move of a booking and who may make it (the table above, without guards).
BOOKING_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    move: transition.roles for move, transition in BOOKING_MACHINE.transitions.items()
}


# --- Proposed times and reviews ----------------------------------------------------------------

_P = ProposalStatus

PROPOSAL_MACHINE = StateMachine(
    noun=gettext_lazy("Proposed time"),
    transitions={
        (_P.PROPOSED, _P.CHOSEN): Transition(_roles(CUSTOMER), event=events.ProposalChosen),
        # Replaced by new proposals, not chosen, or the booking ended.
        (_P.PROPOSED, _P.SUPERSEDED): Transition(ANYONE, event=events.ProposalsSuperseded),
        # The visit is rescheduled.
        (_P.CHOSEN, _P.SUPERSEDED): Transition(
            _roles(CUSTOMER, HELPER), event=events.ProposalsSuperseded
        ),
    },
)

# Double-blind: a review is published when both sides have written one, or the window closed.
REVIEW_MACHINE = StateMachine(
    noun=gettext_lazy("Review"),
    transitions={
        (ReviewStatus.HIDDEN, ReviewStatus.PUBLISHED): Transition(
            _roles(SYSTEM), event=events.ReviewPublished
        ),
    },
)
