"""After the visit: the customer signs it off (or the system does, after a while left alone),
or disputes it, and the community manager resolves a dispute. Every status move goes through
`booking_transition`; what follows a sign-off (the visit counted, the review window) is done
by the handlers of its events."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.exceptions import CoreError, ValidationFailed, raises
from backend.models import User
from backend.roles import ActorRole
from backend.texts import visible_text
from bookings.errors import BookingError
from bookings.exceptions import IllegalTransition
from bookings.models import (
    CAUSE_MAX_LENGTH,
    Booking,
    BookingStatus,
    DisputeOutcome,
    HelpRequestStatus,
)
from bookings.services.locks import lock_booking
from bookings.services.moves import booking_transition, help_request_move
from bookings.services.visits import STEP, party_for, require_role


def _signed_off(
    booking: Booking, *, actor: User | None, role: str, reason: str, automatically: bool
) -> Booking:
    """The visit counts for the helper and the request is closed; the review window opens
    (handlers of BookingSignedOff count the visit and schedule the window's end)."""
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.SIGNED_OFF,
        actor=actor,
        role=role,
        reason=reason,
        changes={"signed_off_at": clock.now(), "signed_off_automatically": automatically},
    )
    help_request_move(
        help_request=booking.help_request,
        expected=HelpRequestStatus.ASSIGNED,
        to=HelpRequestStatus.CLOSED,
        role=ActorRole.SYSTEM,
        reason="visit signed off",
    )
    return booking


@transaction.atomic
@raises(*STEP)
def booking_sign_off(*, booking: Booking, actor: User) -> Booking:
    """The customer confirms the visit happened as agreed."""
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.CUSTOMER)
    return _signed_off(
        booking, actor=actor, role=ActorRole.CUSTOMER, reason="signed off", automatically=False
    )


@transaction.atomic
def booking_auto_sign_off(*, booking: Booking) -> Booking | None:
    """Sign off a visit the customer left alone for AUTO_SIGN_OFF_HOURS. Safe to repeat."""
    booking = lock_booking(booking)
    if booking.status != BookingStatus.COMPLETED or booking.checked_out_at is None:
        return None
    due = booking.checked_out_at + timedelta(hours=config().auto_sign_off_hours)
    if clock.now() < due:
        return None
    return _signed_off(
        booking,
        actor=None,
        role=ActorRole.SYSTEM,
        reason="signed off automatically",
        automatically=True,
    )


@transaction.atomic
@raises(CoreError.REASON_REQUIRED, *STEP, visible_text)
def booking_dispute(*, booking: Booking, actor: User, reason: str) -> Booking:
    """The customer does not sign off: something went wrong. The manager resolves it."""
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.CUSTOMER)
    reason = visible_text(reason, field="reason", multiline=True)
    if len(reason) < 10:
        raise ValidationFailed.for_field(
            "reason",
            _("Describe what went wrong (at least 10 characters)."),
            code=CoreError.REASON_REQUIRED,
        )
    return booking_transition(
        booking=booking,
        to=BookingStatus.DISPUTED,
        actor=actor,
        role=ActorRole.CUSTOMER,
        reason=reason,
        changes={"dispute_reason": reason},
    )


@transaction.atomic
@raises(
    CoreError.INVALID_CHOICE,
    CoreError.REASON_REQUIRED,
    BookingError.CAUSED_BY_REQUIRED,
    *STEP,
    visible_text,
)
def booking_resolve_dispute(
    *, booking: Booking, actor: User, outcome: str, note: str, caused_by: str | None = None
) -> Booking:
    """The community manager decides: the visit stands (signed off) or is void (cancelled)."""
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.MANAGER)
    if booking.status != BookingStatus.DISPUTED:
        raise IllegalTransition(_("This visit is not disputed: there is nothing to resolve."))
    if outcome not in DisputeOutcome.values:
        raise ValidationFailed.for_field(
            "outcome", _("Unknown outcome."), code=CoreError.INVALID_CHOICE
        )
    note = visible_text(
        note, field="note", required=False, multiline=True, max_length=CAUSE_MAX_LENGTH
    )
    if not note:
        raise ValidationFailed.for_field(
            "note", _("Record the decision."), code=CoreError.REASON_REQUIRED
        )
    if outcome == DisputeOutcome.VISIT_STANDS:
        return _signed_off(
            booking, actor=actor, role=ActorRole.MANAGER, reason=note, automatically=False
        )
    party = party_for(ActorRole.MANAGER, caused_by)
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.CANCELLED,
        actor=actor,
        role=ActorRole.MANAGER,
        reason=note,
        changes={"closed_at": clock.now(), "caused_by": party, "cause": note},
        data={"caused_by": party, "outcome": outcome},
    )
    help_request_move(
        help_request=booking.help_request,
        expected=HelpRequestStatus.ASSIGNED,
        to=HelpRequestStatus.CLOSED,
        role=ActorRole.SYSTEM,
        reason="dispute resolved: visit void",
    )
    return booking
