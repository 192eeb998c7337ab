"""The only writers of the bookings app's status fields: one move function per model.

| model          | status field | the one writer        | its table (bookings/transitions.py) |
| -------------- | ------------ | --------------------- | ----------------------------------- |
| HelpRequest    | status       | `help_request_move`   | HELP_REQUEST_MACHINE                |
| Offer          | status       | `offers_move`         | OFFER_MACHINE                       |
| Booking        | status       | `booking_open` (its first status), `booking_transition` | BOOKING_MACHINE |
| SlotProposal   | status       | `proposals_move`      | PROPOSAL_MACHINE                    |
| Review         | status       | `reviews_publish`     | REVIEW_MACHINE                      |

Each asks its machine (illegal move 409, wrong role 403, guards), writes with a conditional
UPDATE (or on a locked row), and emits the move's domain event in the same transaction. They
run inside the caller's transaction. A test reads the source to make sure nothing else writes
a status.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from backend import clock
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole
from bookings import events
from bookings.exceptions import HelperDoubleBooked
from bookings.models import (
    FINAL_STATUSES,
    Booking,
    BookingEvent,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    OfferStatus,
    ProposalStatus,
    Review,
    ReviewStatus,
    SlotProposal,
)
from bookings.services.locks import lock_booking
from bookings.transitions import (
    BOOKING_MACHINE,
    HELP_REQUEST_MACHINE,
    OFFER_MACHINE,
    PROPOSAL_MACHINE,
    REVIEW_MACHINE,
)
from helpers.models import HelperProfile

# --- Help requests -----------------------------------------------------------------------------


def help_request_move(
    *,
    help_request: HelpRequest,
    expected: str,
    to: str,
    role: str,
    reason: str = "",
    assigned_helper: HelperProfile | None = None,
) -> bool:
    """Move a help request from `expected` to `to` with one conditional UPDATE.

    False (and nothing written) when the request was no longer `expected`: that is what makes
    "first accept wins" atomic on both databases.
    """
    transition = HELP_REQUEST_MACHINE.check(
        help_request, from_status=expected, to_status=to, role=role
    )
    values: dict[str, Any] = {
        "status": to,
        "status_reason": reason[:300],
        "updated_at": clock.now(),
    }
    if to == HelpRequestStatus.ASSIGNED:
        values["assigned_helper"] = assigned_helper
    elif expected == HelpRequestStatus.ASSIGNED:
        values["assigned_helper"] = None if to == HelpRequestStatus.OPEN else F("assigned_helper")
    moved = HelpRequest.objects.filter(pk=help_request.pk, status=expected).update(**values)
    if not moved:
        return False
    help_request.refresh_from_db(
        fields=["status", "status_reason", "assigned_helper", "updated_at"]
    )
    if transition.event is not None:
        emit(
            transition.event(
                help_request_id=help_request.pk,
                from_status=expected,
                to_status=to,
                role=role,
                reason=reason[:300],
                assigned_helper_id=help_request.assigned_helper_id,
            )
        )
    return True


# --- Offers ------------------------------------------------------------------------------------


def offers_move(
    *,
    offers: QuerySet[Offer],
    to: str,
    role: str,
    changes: Mapping[str, Any] | None = None,
) -> list[Offer]:
    """Move the pending offers among `offers` to `to`; returns those that moved.

    Every move starts from pending. The rows are locked (in primary-key order) and checked
    against OFFER_MACHINE one by one, guards included, then moved by one conditional UPDATE:
    an offer answered meanwhile is simply not among them.
    """
    now = clock.now()
    ids = list(offers.filter(status=OfferStatus.PENDING).values_list("pk", flat=True))
    if not ids:
        return []
    locked = list(
        Offer.objects.select_for_update()
        .filter(pk__in=ids, status=OfferStatus.PENDING)
        .order_by("pk")
    )
    transition = None
    for offer in locked:
        transition = OFFER_MACHINE.check(
            offer, from_status=OfferStatus.PENDING, to_status=to, role=role
        )
    if not locked or transition is None:
        return []
    values = {**(changes or {}), "updated_at": now}
    if to in (OfferStatus.ACCEPTED, OfferStatus.DECLINED):
        values["responded_at"] = now
    Offer.objects.filter(pk__in=[offer.pk for offer in locked], status=OfferStatus.PENDING).update(
        status=to, **values
    )
    if transition.event is not None:
        emit(*[_offer_event(transition.event, offer, to, values, now) for offer in locked])
    return locked


def _offer_event(
    cls: type, offer: Offer, to: str, values: Mapping[str, Any], now: datetime
) -> events.OfferMoved:
    answered = to in (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
    event: events.OfferMoved = cls(
        offer_id=offer.pk,
        help_request_id=offer.help_request_id,
        helper_id=offer.helper_id,
        from_status=OfferStatus.PENDING,
        to_status=to,
        response_seconds=max(0, int((now - offer.created_at).total_seconds())) if answered else 0,
        decline_reason=str(values.get("decline_reason", "")),
        withdrawal_cause=str(values.get("withdrawal_cause", "")),
    )
    return event


# --- Bookings ----------------------------------------------------------------------------------


def booking_open(*, help_request: HelpRequest, offer: Offer, actor: User) -> Booking:
    """A new booking for an accepted offer: its first status, event row and domain event."""
    booking = Booking.objects.create(
        help_request=help_request,
        offer=offer,
        helper=offer.helper,
        currency=offer.helper.currency,
    )
    _record_move(
        booking,
        from_status="",
        actor=actor,
        role=ActorRole.HELPER,
        reason="offer accepted",
        data={},
        event=events.BookingOpened,
    )
    return booking


def booking_transition(
    *,
    booking: Booking,
    to: str,
    actor: User | None,
    role: str,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Booking:
    """The only writer of `Booking.status` after `booking_open`.

    Locks the row, refuses a move not in BOOKING_MACHINE (409), not allowed for the role (403)
    or stopped by a guard (the guards see the new slot in `changes`), saves only the changed
    fields, appends one BookingEvent and emits the move's event. Must run inside the caller's
    transaction.
    """
    if changes and "status" in changes:
        raise ValueError("the status is `to`; it cannot also be among `changes`")
    locked = lock_booking(booking)
    from_status = locked.status
    facts = {
        "starts_at": (changes or {}).get("starts_at", locked.starts_at),
        "ends_at": (changes or {}).get("ends_at", locked.ends_at),
        "price_minor": (changes or {}).get("price_minor", locked.price_minor),
    }
    transition = BOOKING_MACHINE.check(
        locked, from_status=from_status, to_status=to, role=role, facts=facts
    )
    fields = ["status", "updated_at"]
    locked.status = to
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    try:
        with transaction.atomic():
            locked.save(update_fields=fields)
    except IntegrityError as exc:
        if "booking_helper_no_overlap" in str(exc):
            raise HelperDoubleBooked(_("The helper already has a visit at that time.")) from exc
        raise
    if to in FINAL_STATUSES:
        # A booking that is over has no times left to choose from.
        proposals_move(
            proposals=locked.proposals.filter(status=ProposalStatus.PROPOSED),
            to=ProposalStatus.SUPERSEDED,
            role=role,
        )
    _record_move(
        locked,
        from_status=from_status,
        actor=actor,
        role=role,
        reason=reason,
        data=data or {},
        event=transition.event,
    )
    return locked


def _record_move(
    booking: Booking,
    *,
    from_status: str,
    actor: User | None,
    role: str,
    reason: str,
    data: dict[str, Any],
    event: type | None,
) -> None:
    BookingEvent.objects.create(
        booking=booking,
        from_status=from_status,
        to_status=booking.status,
        actor=actor,
        actor_role=role,
        reason=reason[:500],
        data=data,
    )
    if event is not None:
        emit(
            event(
                booking_id=booking.pk,
                help_request_id=booking.help_request_id,
                helper_id=booking.helper_id,
                customer_id=booking.help_request.customer_id,
                from_status=from_status,
                to_status=booking.status,
                actor_id=actor.pk if actor is not None else None,
                role=role,
                reason=reason[:500],
                data=data,
            )
        )


# --- Proposed times ----------------------------------------------------------------------------


def proposals_move(*, proposals: QuerySet[SlotProposal], to: str, role: str) -> list[int]:
    """Move `proposals` (those not already `to`) to `to`; returns the ids that moved.

    Run it holding the booking's lock, as every caller does: the proposals of one booking
    change only under it.
    """
    by_origin: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, booking_id, status in proposals.exclude(status=to).values_list(
        "pk", "booking_id", "status"
    ):
        by_origin[status].append((pk, booking_id))
    moved: list[int] = []
    emitted: list[events.ProposalEvent] = []
    for origin, rows in sorted(by_origin.items()):
        transition = PROPOSAL_MACHINE.check(None, from_status=origin, to_status=to, role=role)
        ids = [pk for pk, _ in rows]
        SlotProposal.objects.filter(pk__in=ids, status=origin).update(status=to)
        moved += ids
        if transition.event is None:
            continue
        per_booking: dict[int, list[int]] = defaultdict(list)
        for pk, booking_id in rows:
            per_booking[booking_id].append(pk)
        emitted += [
            transition.event(booking_id=booking_id, proposal_ids=sorted(pks))
            for booking_id, pks in sorted(per_booking.items())
        ]
    emit(*emitted)
    return sorted(moved)


# --- Reviews -----------------------------------------------------------------------------------


def reviews_publish(*, reviews: QuerySet[Review], now: datetime) -> int:
    """Publish the hidden reviews among `reviews`: shown to the other side and counted in the
    subject's rating (by the handlers of ReviewPublished), once. Returns how many."""
    transition = REVIEW_MACHINE.check(
        None,
        from_status=ReviewStatus.HIDDEN,
        to_status=ReviewStatus.PUBLISHED,
        role=ActorRole.SYSTEM,
    )
    published = []
    for review in reviews.filter(status=ReviewStatus.HIDDEN).select_related("booking"):
        if Review.objects.filter(pk=review.pk, status=ReviewStatus.HIDDEN).update(
            status=ReviewStatus.PUBLISHED, published_at=now
        ):
            published.append(review)
    if transition.event is not None:
        emit(
            *[
                transition.event(
                    review_id=review.pk,
                    booking_id=review.booking_id,
                    author_role=review.author_role,
                    rating=review.rating,
                    subject_id=review.subject_id,
                    helper_id=review.booking.helper_id,
                )
                for review in published
            ]
        )
    return len(published)
