"""Bookings (visits): proposing and confirming a time, the visit itself, cancellations and
no-shows (sign-off and disputes: `sign_off`). Every status move goes through
`booking_transition`.

What follows a move is done by handlers of its events (`bookings/handlers.py`): the figures
of whoever caused a cancellation, the automatic sign-off and review-window tasks, offering a
request again after the helper broke the booking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend import clock
from backend.config import config
from backend.exceptions import CoreError, NotFound, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole
from backend.texts import visible_text
from bookings.errors import BookingError
from bookings.events import ProposalsMade
from bookings.exceptions import HelperDoubleBooked, IllegalTransition, InvalidSlot, TooEarly
from bookings.models import (
    CAUSE_MAX_LENGTH,
    Booking,
    BookingStatus,
    HelpRequestStatus,
    Party,
    ProposalStatus,
    SlotProposal,
)
from bookings.pricing import charge_for, visit_price
from bookings.selectors import (
    CHECK_IN_LEAD,
    ON_THE_WAY_LEAD,
    cancellation_late,
    no_show_too_early,
    role_in_booking,
    visit_step_opens_at,
)
from bookings.services.locks import lock_booking, lock_helper
from bookings.services.moves import booking_transition, help_request_move, proposals_move
from bookings.services.offers import windows_left
from bookings.transitions import customer_accepted_waivers, helper_busy, helper_can_be_paid

MAX_PROPOSALS = 5
MIN_SLOT_MINUTES = 15
MAX_SLOT_MINUTES = 8 * 60

# Every step of a visit: the actor must be a party to it, in a role the move allows, from a
# status the move starts from.
STEP = (require_role_codes := (CoreError.NOT_FOUND, CoreError.NOT_ALLOWED_FOR_ROLE)) + (
    CoreError.ILLEGAL_TRANSITION,
)
SLOT_CODES = (
    BookingError.SLOT_INVERTED,
    BookingError.SLOT_IN_PAST,
    BookingError.SLOT_LENGTH,
    BookingError.SLOT_OUTSIDE_WINDOWS,
    BookingError.HELPER_DOUBLE_BOOKED,
)


def _role_in(booking: Booking, user: User) -> str:
    """The actor's role in this booking; 404 for anyone else (they may not know it exists)."""
    role = role_in_booking(booking, user)
    if role is None:
        raise NotFound(_("No such booking."))
    return role


@raises(*require_role_codes)
def require_role(booking: Booking, user: User, *roles: str) -> str:
    role = _role_in(booking, user)
    if role not in roles:
        raise PermissionDenied(
            _("Only these can do this: %(roles)s.")
            % {"roles": ", ".join(str(ActorRole(role).label) for role in roles)},
            code=CoreError.NOT_ALLOWED_FOR_ROLE,
        )
    return role


@dataclass(frozen=True)
class SlotInput:
    starts_at: datetime
    ends_at: datetime


def _validate_slot(
    booking: Booking, index: int, slot: SlotInput, windows: list[tuple[datetime, datetime]]
) -> None:
    field = f"slots[{index}]"
    if slot.starts_at >= slot.ends_at:
        raise InvalidSlot.for_field(
            field, _("The slot ends before it starts."), code=BookingError.SLOT_INVERTED
        )
    if slot.starts_at <= clock.now():
        raise InvalidSlot.for_field(
            field, _("The slot is in the past."), code=BookingError.SLOT_IN_PAST
        )
    minutes = (slot.ends_at - slot.starts_at).total_seconds() / 60
    if not MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES:
        raise InvalidSlot.for_field(
            field,
            _("A visit lasts %(minimum)d minutes to %(maximum)d hours.")
            % {"minimum": MIN_SLOT_MINUTES, "maximum": MAX_SLOT_MINUTES // 60},
            code=BookingError.SLOT_LENGTH,
        )
    if not any(start <= slot.starts_at and slot.ends_at <= end for start, end in windows):
        raise InvalidSlot.for_field(
            field,
            _("The slot must lie inside one of the customer's time windows."),
            code=BookingError.SLOT_OUTSIDE_WINDOWS,
        )
    if helper_busy(booking, slot.starts_at, slot.ends_at):
        raise HelperDoubleBooked(
            _("You already have a visit at that time."),
            fields={field: [_("You already have a visit at that time.")]},
        )


def _validate_slots(booking: Booking, slots: Sequence[SlotInput]) -> None:
    if not slots:
        raise InvalidSlot.for_field(
            "slots", _("Propose at least one time."), code=BookingError.SLOTS_REQUIRED
        )
    if len(slots) > MAX_PROPOSALS:
        raise InvalidSlot.for_field(
            "slots",
            _("Propose at most %(count)d times.") % {"count": MAX_PROPOSALS},
            code=BookingError.TOO_MANY_SLOTS,
        )
    windows = list(booking.help_request.windows.values_list("starts_at", "ends_at"))
    for index, slot in enumerate(slots):
        _validate_slot(booking, index, slot, windows)
    if len({(s.starts_at, s.ends_at) for s in slots}) != len(slots):
        raise InvalidSlot.for_field(
            "slots", _("The same time twice."), code=BookingError.DUPLICATE_SLOTS
        )


def _current_proposals(booking: Booking) -> Any:
    return booking.proposals.filter(status__in=(ProposalStatus.PROPOSED, ProposalStatus.CHOSEN))


@transaction.atomic
@raises(
    *SLOT_CODES,
    BookingError.SLOTS_REQUIRED,
    BookingError.TOO_MANY_SLOTS,
    BookingError.DUPLICATE_SLOTS,
    CoreError.REASON_REQUIRED,
    *STEP,
    visible_text,
)
def booking_propose(
    *, booking: Booking, actor: User, slots: Sequence[SlotInput], reason: str = ""
) -> Booking:
    """The helper proposes one or more visit times inside the customer's windows.

    Each proposed time is priced now, at the helper's current rate, and keeps that price.
    From a confirmed booking this is the helper rescheduling: the held slot is released and
    the customer chooses again. A reason is then required.
    """
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.HELPER)
    now = clock.now()
    reason = visible_text(reason, field="reason", required=False, multiline=True)
    if booking.status == BookingStatus.CONFIRMED and not reason:
        raise ValidationFailed.for_field(
            "reason", _("Tell the customer why the visit moves."), code=CoreError.REASON_REQUIRED
        )
    _validate_slots(booking, slots)
    data: dict[str, Any] = {
        "slots": [[clock.iso(s.starts_at), clock.iso(s.ends_at)] for s in slots]
    }
    if booking.status == BookingStatus.CONFIRMED:
        data.update({"rescheduled_by": Party.HELPER, "late": cancellation_late(booking, now)})
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.PROPOSED,
        actor=actor,
        role=ActorRole.HELPER,
        reason=reason or "times proposed",
        changes={"starts_at": None, "ends_at": None},
        data=data,
    )
    proposals_move(
        proposals=_current_proposals(booking), to=ProposalStatus.SUPERSEDED, role=ActorRole.HELPER
    )
    proposals = []
    for slot in slots:
        price = visit_price(helper=booking.helper, starts_at=slot.starts_at, ends_at=slot.ends_at)
        proposals.append(
            SlotProposal(
                booking=booking,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                price_minor=price.amount_minor,
                currency=price.currency,
            )
        )
    made = SlotProposal.objects.bulk_create(proposals)
    emit(ProposalsMade(booking_id=booking.pk, proposal_ids=[p.pk for p in made]))
    return booking


@transaction.atomic
@raises(
    BookingError.INVALID_PROPOSAL,
    BookingError.SLOT_IN_PAST,
    BookingError.HELPER_DOUBLE_BOOKED,
    customer_accepted_waivers,
    helper_can_be_paid,
    *STEP,
)
def booking_confirm(*, booking: Booking, actor: User, proposal: SlotProposal) -> Booking:
    """The customer picks one proposed time, at the price it was proposed at. The helper's
    time is then held.

    Confirmations of one helper's visits queue on the helper's row, so the overlap check
    (a guard of proposed → confirmed) sees every visit confirmed before; on SQLite the write
    lock taken at BEGIN does the same. The PostgreSQL exclusion constraint is the backstop: two
    transactions inserting conflicting ranges at once would otherwise deadlock inside it
    instead of one losing.
    """
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.CUSTOMER)
    if booking.status != BookingStatus.PROPOSED:
        # Said before looking at the proposal: a cancelled booking's times are withdrawn.
        raise IllegalTransition(
            _("This visit has no times waiting for a choice. Refresh to see where it stands.")
        )
    lock_helper(booking.helper_id)
    proposal = SlotProposal.objects.get(pk=proposal.pk)
    if proposal.booking_id != booking.pk or proposal.status != ProposalStatus.PROPOSED:
        raise ValidationFailed.for_field(
            "proposal",
            _("Choose one of the times currently proposed."),
            code=BookingError.INVALID_PROPOSAL,
        )
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.CONFIRMED,
        actor=actor,
        role=ActorRole.CUSTOMER,
        reason="time confirmed",
        changes={
            "starts_at": proposal.starts_at,
            "ends_at": proposal.ends_at,
            "price_minor": proposal.price_minor,
            "currency": proposal.currency,
            "charge_minor": (charge := charge_for(proposal.price_minor)).charge_minor,
            "stripe_fee_paid_by": charge.stripe_fee_paid_by,
        },
        data={"proposal": str(proposal.public_id)},
    )
    proposals_move(
        proposals=booking.proposals.filter(pk=proposal.pk),
        to=ProposalStatus.CHOSEN,
        role=ActorRole.CUSTOMER,
    )
    proposals_move(
        proposals=booking.proposals.filter(status=ProposalStatus.PROPOSED),
        to=ProposalStatus.SUPERSEDED,
        role=ActorRole.CUSTOMER,
    )
    return booking


@transaction.atomic
@raises(CoreError.REASON_REQUIRED, *STEP, visible_text)
def booking_request_new_times(*, booking: Booking, actor: User, reason: str) -> Booking:
    """The customer asks the helper for other times: none suits, or the visit must move."""
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.CUSTOMER)
    reason = visible_text(reason, field="reason", required=False, multiline=True)
    if not reason:
        raise ValidationFailed.for_field(
            "reason", _("Tell the helper why."), code=CoreError.REASON_REQUIRED
        )
    data: dict[str, Any] = {}
    if booking.status == BookingStatus.CONFIRMED:
        data = {"rescheduled_by": Party.CUSTOMER, "late": cancellation_late(booking)}
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.AWAITING_PROPOSAL,
        actor=actor,
        role=ActorRole.CUSTOMER,
        reason=reason,
        changes={"starts_at": None, "ends_at": None},
        data=data,
    )
    proposals_move(
        proposals=_current_proposals(booking),
        to=ProposalStatus.SUPERSEDED,
        role=ActorRole.CUSTOMER,
    )
    return booking


def _after_booking_ended(booking: Booking, *, caused_by: str) -> None:
    """When the helper (or nobody) broke the booking, the request is open again while a time
    window is left (a handler of HelpRequestReopened has it offered to other helpers)."""
    help_request = booking.help_request
    if caused_by != Party.CUSTOMER and windows_left(help_request, clock.now()):
        help_request_move(
            help_request=help_request,
            expected=HelpRequestStatus.ASSIGNED,
            to=HelpRequestStatus.OPEN,
            role=ActorRole.SYSTEM,
            reason="the helper could not come; looking again",
        )
    else:
        help_request_move(
            help_request=help_request,
            expected=HelpRequestStatus.ASSIGNED,
            to=HelpRequestStatus.CLOSED,
            role=ActorRole.SYSTEM,
            reason=f"booking {booking.status}",
        )


def party_for(role: str, caused_by: str | None) -> str:
    if role == ActorRole.MANAGER:
        if caused_by not in Party.values:
            raise ValidationFailed.for_field(
                "caused_by",
                _("Say who caused it: customer, helper or nobody."),
                code=BookingError.CAUSED_BY_REQUIRED,
            )
        return str(caused_by)
    return Party.CUSTOMER if role == ActorRole.CUSTOMER else Party.HELPER


@transaction.atomic
@raises(CoreError.REASON_REQUIRED, BookingError.CAUSED_BY_REQUIRED, *STEP, visible_text)
def booking_cancel(
    *, booking: Booking, actor: User, reason: str, caused_by: str | None = None
) -> Booking:
    """Cancel with a recorded cause. Late cancellations count against whoever cancels.

    A manager cancelling says who caused it. When the helper cancels, the request is offered
    to other helpers again while a time window is left.
    """
    booking = lock_booking(booking)
    role = _role_in(booking, actor)
    reason = visible_text(
        reason, field="reason", required=False, multiline=True, max_length=CAUSE_MAX_LENGTH
    )
    if not reason:
        raise ValidationFailed.for_field(
            "reason", _("Give a reason."), code=CoreError.REASON_REQUIRED
        )
    party = party_for(role, caused_by)
    now = clock.now()
    late = cancellation_late(booking, now)
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.CANCELLED,
        actor=actor,
        role=role,
        reason=reason,
        changes={
            "closed_at": now,
            "caused_by": party,
            "cause": reason,
            "is_late_cancellation": late,
        },
        data={"caused_by": party, "late": late},
    )
    _after_booking_ended(booking, caused_by=party)
    return booking


def _hours(lead: timedelta) -> int:
    return int(lead.total_seconds() // 3600)


def _not_before_its_time(booking: Booking, step: str, now: datetime, message: str) -> None:
    """Refuse a visit step asked for before the time it opens (`visit_step_opens_at`)."""
    opens_at = visit_step_opens_at(booking, step)
    if opens_at is not None and now < opens_at:
        raise TooEarly(message)


@transaction.atomic
@raises(BookingError.CAUSED_BY_REQUIRED, BookingError.TOO_EARLY, *STEP)
def booking_report_no_show(
    *, booking: Booking, actor: User, note: str = "", caused_by: str | None = None
) -> Booking:
    """Report that the other party did not turn up, once the visit should have started.

    The customer reports the helper; the helper reports the customer; a manager says who.
    """
    booking = lock_booking(booking)
    role = _role_in(booking, actor)
    if role == ActorRole.MANAGER:
        party = party_for(role, caused_by)
    else:
        party = Party.HELPER if role == ActorRole.CUSTOMER else Party.CUSTOMER
    now = clock.now()
    if no_show_too_early(booking, role, now):
        raise TooEarly(
            ngettext(
                "A no-show can be reported %(minutes)d minute after the start time.",
                "A no-show can be reported %(minutes)d minutes after the start time.",
                config().no_show_grace_minutes,
            )
            % {"minutes": config().no_show_grace_minutes}
        )
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.NO_SHOW,
        actor=actor,
        role=role,
        reason=note or "no-show reported",
        changes={"closed_at": now, "caused_by": party, "cause": (note or "no-show")[:500]},
        data={"caused_by": party},
    )
    _after_booking_ended(booking, caused_by=party)
    return booking


@transaction.atomic
@raises(BookingError.INVALID_ETA, BookingError.TOO_EARLY, BookingError.PAYMENT_NOT_HELD, *STEP)
def booking_start_journey(*, booking: Booking, actor: User, eta_minutes: int) -> Booking:
    """The helper is on the way and tells the customer when they will arrive."""
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.HELPER)
    if not 1 <= eta_minutes <= 240:
        raise ValidationFailed.for_field(
            "eta_minutes",
            _("The arrival time is 1 to 240 minutes away."),
            code=BookingError.INVALID_ETA,
        )
    now = clock.now()
    _not_before_its_time(
        booking,
        BookingStatus.ON_THE_WAY,
        now,
        ngettext(
            "The visit starts in more than %(hours)d hour.",
            "The visit starts in more than %(hours)d hours.",
            _hours(ON_THE_WAY_LEAD),
        )
        % {"hours": _hours(ON_THE_WAY_LEAD)},
    )
    return booking_transition(
        booking=booking,
        to=BookingStatus.ON_THE_WAY,
        actor=actor,
        role=ActorRole.HELPER,
        reason="on my way",
        changes={"eta_at": now + timedelta(minutes=eta_minutes)},
        data={"eta_minutes": eta_minutes},
    )


@transaction.atomic
@raises(BookingError.TOO_EARLY, BookingError.PAYMENT_NOT_HELD, *STEP)
def booking_check_in(*, booking: Booking, actor: User) -> Booking:
    """The helper has arrived and starts the work."""
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.HELPER)
    now = clock.now()
    _not_before_its_time(
        booking,
        BookingStatus.IN_PROGRESS,
        now,
        ngettext(
            "Check in at most %(hours)d hour before the visit.",
            "Check in at most %(hours)d hours before the visit.",
            _hours(CHECK_IN_LEAD),
        )
        % {"hours": _hours(CHECK_IN_LEAD)},
    )
    return booking_transition(
        booking=booking,
        to=BookingStatus.IN_PROGRESS,
        actor=actor,
        role=ActorRole.HELPER,
        reason="checked in",
        changes={"checked_in_at": now},
    )


@transaction.atomic
@raises(BookingError.SUMMARY_TOO_SHORT, *STEP, visible_text)
def booking_check_out(
    *, booking: Booking, actor: User, work_summary: str, leave_behind_note: str = ""
) -> Booking:
    """The helper is done: what was done, and how to do it yourself next time.

    The customer then signs off, or disputes; without either the visit is signed off
    automatically after AUTO_SIGN_OFF_HOURS (a handler of BookingCompleted schedules it).
    """
    booking = lock_booking(booking)
    require_role(booking, actor, ActorRole.HELPER)
    # Empty or too short alike is `summary_too_short` (below): one mistake, one code.
    work_summary = visible_text(
        work_summary,
        field="work_summary",
        required=False,
        multiline=True,
        max_length=Booking._meta.get_field("work_summary").max_length,
    )
    leave_behind_note = visible_text(
        leave_behind_note,
        field="leave_behind_note",
        required=False,
        multiline=True,
        max_length=Booking._meta.get_field("leave_behind_note").max_length,
    )
    if len(work_summary) < 10:
        raise ValidationFailed.for_field(
            "work_summary",
            _("Say in a sentence what you did (at least 10 characters)."),
            code=BookingError.SUMMARY_TOO_SHORT,
        )
    return booking_transition(
        booking=booking,
        to=BookingStatus.COMPLETED,
        actor=actor,
        role=ActorRole.HELPER,
        reason="checked out",
        changes={
            "checked_out_at": clock.now(),
            "work_summary": work_summary,
            "leave_behind_note": leave_behind_note,
        },
    )
