"""Every write to help requests, offers, bookings and reviews goes through these functions.

Each runs in one transaction. Status fields are written in exactly two places:
`_help_request_move` for help requests and `booking_transition` for bookings. Background
work is enqueued inside the same transaction (django-tasks-db stores tasks in our database),
so it exists if and only if the state change that asked for it committed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from backend import clock
from backend.config import config
from backend.exceptions import NotFound, PermissionDenied, ValidationFailed
from backend.geo import Point
from backend.models import LANGUAGE_CODES, User
from backend.places import Place, resolve_place
from backend.texts import visible_text
from bookings.exceptions import (
    AlreadyReviewed,
    HelperDoubleBooked,
    IllegalTransition,
    InvalidSlot,
    OfferNotPending,
    OpenRequestLimit,
    RequestAlreadyTaken,
    RequestNotEditable,
    ReviewWindowClosed,
    TooEarly,
    TransitionNotAllowedForRole,
)
from bookings.match_index import match_index_refresh
from bookings.matching import CONSIDERED_LISTED, Candidate, match_request
from bookings.models import (
    BOOKING_TRANSITIONS,
    FINAL_STATUSES,
    SLOT_HOLDING_STATUSES,
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    DeclineReason,
    HelpRequest,
    HelpRequestStatus,
    MatchingRun,
    Offer,
    OfferStatus,
    Party,
    ProposalStatus,
    Review,
    SlotProposal,
    TimeWindow,
)
from bookings.selectors import role_in_booking
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile
from payments.pricing import visit_price

Window = tuple[datetime, datetime]
PHONE_RE = re.compile(r"^\+?[0-9 ()/-]{7,20}$")
MAX_PROPOSALS = 5
MIN_SLOT_MINUTES = 15
MAX_SLOT_MINUTES = 8 * 60
MIN_WINDOW_MINUTES = 30
MAX_WINDOW_HOURS = 24


# --- Help requests -----------------------------------------------------------------------------

HELP_REQUEST_MOVES: dict[str, frozenset[str]] = {
    HelpRequestStatus.OPEN: frozenset(
        {
            HelpRequestStatus.ASSIGNED,
            HelpRequestStatus.UNMATCHED,
            HelpRequestStatus.WITHDRAWN,
            HelpRequestStatus.EXPIRED,
        }
    ),
    HelpRequestStatus.UNMATCHED: frozenset(
        {HelpRequestStatus.OPEN, HelpRequestStatus.WITHDRAWN, HelpRequestStatus.EXPIRED}
    ),
    HelpRequestStatus.ASSIGNED: frozenset({HelpRequestStatus.OPEN, HelpRequestStatus.CLOSED}),
}


def _help_request_move(
    *,
    help_request: HelpRequest,
    expected: str,
    to: str,
    reason: str = "",
    assigned_helper: HelperProfile | None = None,
) -> bool:
    """Move a help request's status with one conditional UPDATE; False if it was not `expected`.

    The conditional UPDATE is what makes "first accept wins" atomic on both databases.
    """
    if to not in HELP_REQUEST_MOVES.get(expected, frozenset()):
        raise IllegalTransition(f"A help request cannot go from {expected} to {to}.")
    now = clock.now()
    values: dict[str, Any] = {"status": to, "status_reason": reason[:300], "updated_at": now}
    if to == HelpRequestStatus.ASSIGNED:
        values["assigned_helper"] = assigned_helper
    elif expected == HelpRequestStatus.ASSIGNED:
        values["assigned_helper"] = None if to == HelpRequestStatus.OPEN else F("assigned_helper")
    moved = HelpRequest.objects.filter(pk=help_request.pk, status=expected).update(**values)
    if moved:
        help_request.refresh_from_db(
            fields=["status", "status_reason", "assigned_helper", "updated_at"]
        )
    return bool(moved)


def _validate_windows(windows: Sequence[Window], *, now: datetime) -> list[Window]:
    if not windows:
        raise ValidationFailed.for_field(
            "windows", "Give at least one time window.", code="windows_required"
        )
    limit = config().max_windows_per_request
    if len(windows) > limit:
        raise ValidationFailed.for_field(
            "windows", f"At most {limit} time windows.", code="too_many_windows"
        )
    latest = now + timedelta(days=config().max_request_days_ahead)
    for index, (starts_at, ends_at) in enumerate(windows):
        field = f"windows[{index}]"
        if starts_at >= ends_at:
            raise ValidationFailed.for_field(
                field, "The window ends before it starts.", code="window_inverted"
            )
        if starts_at < now:
            raise ValidationFailed.for_field(
                field, "The window starts in the past.", code="window_in_past"
            )
        if starts_at > latest:
            raise ValidationFailed.for_field(
                field,
                f"Windows may start at most {config().max_request_days_ahead} days ahead.",
                code="window_too_far_ahead",
            )
        length = ends_at - starts_at
        if length < timedelta(minutes=MIN_WINDOW_MINUTES):
            raise ValidationFailed.for_field(
                field,
                f"A window is at least {MIN_WINDOW_MINUTES} minutes long.",
                code="window_too_short",
            )
        if length > timedelta(hours=MAX_WINDOW_HOURS):
            raise ValidationFailed.for_field(
                field,
                f"A window is at most {MAX_WINDOW_HOURS} hours long.",
                code="window_too_long",
            )
    ordered = sorted(windows)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after[0] < before[1]:
            raise ValidationFailed.for_field(
                "windows", "Time windows must not overlap.", code="windows_overlap"
            )
    return ordered


def _validate_languages(languages: Sequence[str]) -> list[str]:
    if not languages:
        raise ValidationFailed.for_field(
            "languages", "Choose at least one language.", code="languages_required"
        )
    unknown = sorted(set(languages) - set(LANGUAGE_CODES))
    if unknown:
        raise ValidationFailed.for_field(
            "languages", f"Unknown language: {', '.join(unknown)}.", code="invalid_language"
        )
    return sorted(set(languages), key=LANGUAGE_CODES.index)


def _validate_on_behalf(name: str, phone: str) -> tuple[str, str]:
    name, phone = visible_text(name, field="on_behalf_name", required=False), phone.strip()
    if bool(name) != bool(phone):
        missing = "on_behalf_phone" if name else "on_behalf_name"
        raise ValidationFailed.for_field(
            missing,
            "When booking for someone else, give their name and phone so the helper can call.",
            code="on_behalf_incomplete",
        )
    if phone and not PHONE_RE.match(phone):
        raise ValidationFailed.for_field(
            "on_behalf_phone", "This is not a phone number.", code="invalid_phone"
        )
    return name, phone


def _validate_description(description: str) -> str:
    description = visible_text(description, field="description", multiline=True)
    if len(description) < 10:
        raise ValidationFailed.for_field(
            "description",
            "Describe the problem in a few words (at least 10 characters).",
            code="description_too_short",
        )
    return description


@dataclass(frozen=True)
class AddressInput:
    street: str = ""
    postal_code: str = ""
    locality: str = ""
    point: Point | None = None

    def resolve(self) -> Place:
        return resolve_place(
            street=self.street,
            postal_code=self.postal_code,
            locality=self.locality,
            point=self.point,
        )


def _apply_place(help_request: HelpRequest, place: Place) -> list[str]:
    help_request.street = place.street
    help_request.postal_code = place.postal_code
    help_request.locality = place.locality
    help_request.location = place.geojson
    help_request.latitude = place.point.latitude
    help_request.longitude = place.point.longitude
    return ["street", "postal_code", "locality", "location", "latitude", "longitude"]


@transaction.atomic
def help_request_create(
    *,
    customer: User,
    category: ServiceCategory,
    description: str,
    address: AddressInput,
    windows: Sequence[Window],
    languages: Sequence[str] | None = None,
    on_behalf_name: str = "",
    on_behalf_phone: str = "",
) -> HelpRequest:
    """Post a request for help and send the first offers.

    Validates everything before writing anything, so a refused request leaves no row.
    """
    now = clock.now()
    if not category.is_active:
        raise ValidationFailed.for_field(
            "category", "This category is not offered.", code="unknown_category"
        )
    description = _validate_description(description)
    ordered_windows = _validate_windows(windows, now=now)
    chosen_languages = _validate_languages(
        languages if languages is not None else (customer.languages or ["de"])
    )
    name, phone = _validate_on_behalf(on_behalf_name, on_behalf_phone)
    place = address.resolve()

    # Serialise this customer's posts so two at once cannot both slip under the limit.
    User.objects.select_for_update().filter(pk=customer.pk).first()
    open_count = HelpRequest.objects.filter(
        customer=customer,
        status__in=(HelpRequestStatus.OPEN, HelpRequestStatus.UNMATCHED),
    ).count()
    limit = config().max_open_requests_per_customer
    if open_count >= limit:
        raise OpenRequestLimit(
            f"You already have {open_count} open requests; withdraw one or wait for a helper.",
        )

    help_request = HelpRequest(
        customer=customer,
        category=category,
        description=description,
        languages=chosen_languages,
        on_behalf_name=name,
        on_behalf_phone=phone,
        search_radius_km=config().match_initial_radius_km,
    )
    _apply_place(help_request, place)
    help_request.save()
    TimeWindow.objects.bulk_create(
        [TimeWindow(help_request=help_request, starts_at=s, ends_at=e) for s, e in ordered_windows]
    )
    offers_dispatch(help_request=help_request)
    help_request.refresh_from_db()
    return help_request


@transaction.atomic
def help_request_update(
    *,
    help_request: HelpRequest,
    description: str | None = None,
    address: AddressInput | None = None,
    windows: Sequence[Window] | None = None,
    languages: Sequence[str] | None = None,
    on_behalf_name: str | None = None,
    on_behalf_phone: str | None = None,
) -> HelpRequest:
    """Edit a request nobody has accepted yet.

    A change to where, when or which languages withdraws the pending offers and matches again
    from the initial radius; an unmatched request becomes open again.
    """
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.status not in (HelpRequestStatus.OPEN, HelpRequestStatus.UNMATCHED):
        raise RequestNotEditable("A helper has accepted, or the request is closed.")
    now = clock.now()
    changed: list[str] = []
    rematch = False
    if description is not None:
        help_request.description = _validate_description(description)
        changed.append("description")
    new_windows = _validate_windows(windows, now=now) if windows is not None else None
    if languages is not None:
        help_request.languages = _validate_languages(languages)
        changed.append("languages")
        rematch = True
    if on_behalf_name is not None or on_behalf_phone is not None:
        name, phone = _validate_on_behalf(
            on_behalf_name if on_behalf_name is not None else help_request.on_behalf_name,
            on_behalf_phone if on_behalf_phone is not None else help_request.on_behalf_phone,
        )
        help_request.on_behalf_name, help_request.on_behalf_phone = name, phone
        changed += ["on_behalf_name", "on_behalf_phone"]
    if address is not None:
        changed += _apply_place(help_request, address.resolve())
        rematch = True
    if new_windows is not None:
        help_request.windows.all().delete()
        TimeWindow.objects.bulk_create(
            [TimeWindow(help_request=help_request, starts_at=s, ends_at=e) for s, e in new_windows]
        )
        rematch = True
    if rematch:
        help_request.search_radius_km = config().match_initial_radius_km
        changed.append("search_radius_km")
    if changed:
        help_request.save(update_fields=[*changed, "updated_at"])
    if rematch:
        _offers_withdraw(
            Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING),
            reason="request changed",
        )
        if help_request.status == HelpRequestStatus.UNMATCHED:
            _help_request_move(
                help_request=help_request,
                expected=HelpRequestStatus.UNMATCHED,
                to=HelpRequestStatus.OPEN,
                reason="request changed",
            )
        offers_dispatch(help_request=help_request)
        help_request.refresh_from_db()
    return help_request


@transaction.atomic
def help_request_withdraw(*, help_request: HelpRequest, reason: str = "") -> HelpRequest:
    """The customer takes the request back before anyone accepted."""
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.status not in (HelpRequestStatus.OPEN, HelpRequestStatus.UNMATCHED):
        raise RequestNotEditable("A helper has already accepted; cancel the booking instead.")
    _help_request_move(
        help_request=help_request,
        expected=help_request.status,
        to=HelpRequestStatus.WITHDRAWN,
        reason=reason or "withdrawn by the customer",
    )
    _offers_withdraw(
        Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING),
        reason="request withdrawn",
    )
    return help_request


# --- Offers ------------------------------------------------------------------------------------


def _offers_withdraw(offers: Any, *, reason: str) -> int:
    return int(
        offers.update(status=OfferStatus.WITHDRAWN, responded_at=None, decline_note=reason[:300])
    )


@transaction.atomic
def offers_withdraw_for_helper(*, helper: HelperProfile, reason: str) -> int:
    """Withdraw a helper's pending offers (e.g. suspended) and offer those requests to others."""
    request_ids = list(
        Offer.objects.filter(helper=helper, status=OfferStatus.PENDING).values_list(
            "help_request_id", flat=True
        )
    )
    count = _offers_withdraw(
        Offer.objects.filter(helper=helper, status=OfferStatus.PENDING), reason=reason
    )
    for help_request in HelpRequest.objects.filter(pk__in=request_ids):
        _enqueue_dispatch(help_request)
    return count


def _windows_left(help_request: HelpRequest, now: datetime) -> bool:
    return help_request.windows.filter(ends_at__gt=now).exists()


@transaction.atomic
def offers_dispatch(*, help_request: HelpRequest) -> list[Offer]:
    """Offer the request to the next best helpers until K offers are pending.

    Widens the search radius step by step when nobody is left within it. When nobody is left
    even at the largest radius and no offer is pending, the request becomes unmatched: that is
    how the customer is told. Idempotent: with K pending offers it does nothing.
    """
    help_request = (
        HelpRequest.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=help_request.pk)
    )
    if help_request.status != HelpRequestStatus.OPEN:
        return []
    now = clock.now()
    if not _windows_left(help_request, now):
        _help_request_move(
            help_request=help_request,
            expected=HelpRequestStatus.OPEN,
            to=HelpRequestStatus.EXPIRED,
            reason="every time window has passed",
        )
        _offers_withdraw(
            Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING),
            reason="request expired",
        )
        return []
    pending = Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING)
    wanted = config().offer_batch_size - pending.count()
    if wanted <= 0:
        return []
    # A helper who declined, let an offer expire or took the job is not asked again; one whose
    # offer was withdrawn (the request changed, or someone else accepted and then cancelled)
    # may be.
    already_offered = set(
        Offer.objects.filter(help_request=help_request)
        .exclude(status=OfferStatus.WITHDRAWN)
        .values_list("helper_id", flat=True)
    )
    radius = help_request.search_radius_km
    max_radius = config().match_max_radius_km
    candidates = _match_and_record(
        help_request=help_request, radius_km=radius, exclude=already_offered, wanted=wanted, now=now
    )
    while not candidates and radius < max_radius:
        radius = min(radius + config().match_radius_step_km, max_radius)
        candidates = _match_and_record(
            help_request=help_request,
            radius_km=radius,
            exclude=already_offered,
            wanted=wanted,
            now=now,
        )
    round_number = help_request.matching_round + 1 if candidates else help_request.matching_round
    HelpRequest.objects.filter(pk=help_request.pk).update(
        search_radius_km=radius, matching_round=round_number
    )
    help_request.search_radius_km, help_request.matching_round = radius, round_number
    if not candidates:
        if not pending.exists():
            _help_request_move(
                help_request=help_request,
                expected=HelpRequestStatus.OPEN,
                to=HelpRequestStatus.UNMATCHED,
                reason=f"No helper is available within {radius:g} km in your time windows.",
            )
        return []
    expires_at = now + timedelta(minutes=config().offer_ttl_minutes)
    rank_base = Offer.objects.filter(help_request=help_request).count()
    offers = Offer.objects.bulk_create(
        [
            Offer(
                help_request=help_request,
                helper_id=candidate.helper_id,
                round=round_number,
                rank=rank_base + position + 1,
                distance_m=round(candidate.distance_m),
                score=candidate.score,
                explanation=candidate.explanation,
                expires_at=expires_at,
            )
            for position, candidate in enumerate(candidates)
        ]
    )
    HelperProfile.objects.filter(pk__in=[c.helper_id for c in candidates]).update(
        offers_received=F("offers_received") + 1
    )
    from bookings.tasks import expire_offers

    expire_offers.using(run_after=expires_at).enqueue(help_request.pk)
    return offers


def _match_and_record(
    *,
    help_request: HelpRequest,
    radius_km: float,
    exclude: set[int],
    wanted: int,
    now: datetime,
) -> list[Candidate]:
    """One matching pass, kept with who was considered and why, for the community manager."""
    result = match_request(
        help_request=help_request,
        radius_km=radius_km,
        exclude_helper_ids=exclude,
        limit=wanted,
        now=now,
    )
    MatchingRun.objects.create(
        help_request=help_request,
        radius_km=radius_km,
        wanted=wanted,
        offered=len(result.candidates),
        considered=[c.as_json() for c in result.considered[:CONSIDERED_LISTED]],
        examined_count=result.examined,
    )
    return result.candidates


def _enqueue_dispatch(help_request: HelpRequest) -> None:
    from bookings.tasks import dispatch_offers

    dispatch_offers.enqueue(help_request.pk)


@transaction.atomic
def offers_expire_due(*, help_request: HelpRequest) -> int:
    """Expire the request's pending offers whose time is up, then offer it to the next helpers."""
    now = clock.now()
    due = Offer.objects.filter(
        help_request=help_request, status=OfferStatus.PENDING, expires_at__lte=now
    )
    helper_ids = list(due.values_list("helper_id", flat=True))
    expired = due.update(status=OfferStatus.EXPIRED)
    HelperProfile.objects.filter(pk__in=helper_ids).update(offers_expired=F("offers_expired") + 1)
    match_index_refresh(helper_ids=helper_ids)
    offers_dispatch(help_request=help_request)
    return int(expired)


def _offer_of(offer: Offer, user: User, *, lock: bool) -> Offer:
    offers = Offer.objects.select_related("helper", "help_request")
    if lock:
        offers = offers.select_for_update(of=("self",))
    offer = offers.get(pk=offer.pk)
    if offer.helper.user_id != user.pk:
        raise NotFound("No such offer.")
    return offer


def _record_response(offer: Offer, *, now: datetime, counter: str) -> None:
    seconds = max(0, int((now - offer.created_at).total_seconds()))
    HelperProfile.objects.filter(pk=offer.helper_id).update(
        **{counter: F(counter) + 1},
        response_seconds_total=F("response_seconds_total") + seconds,
    )
    match_index_refresh(helper_ids=[offer.helper_id])


@transaction.atomic
def offer_accept(*, offer: Offer, actor: User) -> Booking:
    """The helper takes the job. The first accept wins; everyone else gets a clean 409.

    The race is settled by one conditional UPDATE on the help request (open → assigned). Locks
    are always taken request first, then offers (as in dispatch and expiry), so concurrent
    accepts queue on the request row instead of deadlocking on each other's offers.
    """
    offer = _offer_of(offer, actor, lock=False)
    now = clock.now()
    if offer.status == OfferStatus.WITHDRAWN and offer.help_request.status in (
        HelpRequestStatus.ASSIGNED,
        HelpRequestStatus.CLOSED,
    ):
        raise RequestAlreadyTaken("Another helper was quicker: this job is taken.")
    if offer.status != OfferStatus.PENDING or offer.expires_at <= now:
        raise OfferNotPending(
            "This offer has expired."
            if offer.status == OfferStatus.PENDING
            else f"This offer is {offer.status}."
        )
    help_request = offer.help_request
    won = _help_request_move(
        help_request=help_request,
        expected=HelpRequestStatus.OPEN,
        to=HelpRequestStatus.ASSIGNED,
        reason="a helper accepted",
        assigned_helper=offer.helper,
    )
    if not won:
        raise RequestAlreadyTaken("Another helper was quicker: this job is taken.")
    taken = Offer.objects.filter(
        pk=offer.pk, status=OfferStatus.PENDING, expires_at__gt=now
    ).update(status=OfferStatus.ACCEPTED, responded_at=now)
    if not taken:
        # Withdrawn or expired between the read and the request update: undo it all.
        raise OfferNotPending("This offer is no longer open.")
    _offers_withdraw(
        Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING).exclude(
            pk=offer.pk
        ),
        reason="another helper accepted",
    )
    _record_response(offer, now=now, counter="offers_accepted")
    booking = Booking.objects.create(
        help_request=help_request,
        offer=offer,
        helper=offer.helper,
        currency=offer.helper.currency,
    )
    BookingEvent.objects.create(
        booking=booking,
        from_status="",
        to_status=booking.status,
        actor=actor,
        actor_role=ActorRole.HELPER,
        reason="offer accepted",
    )
    return booking


@transaction.atomic
def offer_decline(*, offer: Offer, actor: User, reason: str = "", note: str = "") -> Offer:
    """The helper says no; the request goes to the next helper."""
    offer = _offer_of(offer, actor, lock=True)
    if offer.status != OfferStatus.PENDING:
        raise OfferNotPending(f"This offer is {offer.status}.")
    if reason and reason not in DeclineReason.values:
        raise ValidationFailed.for_field("reason", "Unknown reason.", code="invalid_choice")
    note = visible_text(note, field="note", required=False, multiline=True)
    now = clock.now()
    Offer.objects.filter(pk=offer.pk).update(
        status=OfferStatus.DECLINED,
        responded_at=now,
        decline_reason=reason,
        decline_note=note[:300],
    )
    _record_response(offer, now=now, counter="offers_declined")
    _enqueue_dispatch(offer.help_request)
    offer.refresh_from_db()
    return offer


# --- Bookings: the one transition function ---------------------------------------------------


def _lock_booking(booking: Booking) -> Booking:
    return (
        # Only the booking row: the joined request, helper and people are read, not locked.
        Booking.objects.select_for_update(of=("self",))
        .select_related("help_request", "helper__user", "help_request__customer")
        .get(pk=booking.pk)
    )


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
    """The only writer of `Booking.status`.

    Locks the row, refuses a move not in BOOKING_TRANSITIONS (409) or not allowed for the
    role (403), saves only the changed fields, and appends one BookingEvent. Must run inside
    the caller's transaction.
    """
    if changes and "status" in changes:
        raise ValueError("the status is `to`; it cannot also be among `changes`")
    locked = _lock_booking(booking)
    allowed = BOOKING_TRANSITIONS.get((locked.status, to))
    if allowed is None:
        raise IllegalTransition(
            f"A booking that is {locked.status} cannot become {to}.",
        )
    if role not in allowed:
        raise TransitionNotAllowedForRole(
            f"The {role} cannot move a booking from {locked.status} to {to}.",
        )
    from_status = locked.status
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
            raise HelperDoubleBooked(
                "The helper already has a visit at that time.",
            ) from exc
        raise
    if to in FINAL_STATUSES:
        # A booking that is over has no times left to choose from.
        locked.proposals.filter(status=ProposalStatus.PROPOSED).update(
            status=ProposalStatus.SUPERSEDED
        )
    BookingEvent.objects.create(
        booking=locked,
        from_status=from_status,
        to_status=to,
        actor=actor,
        actor_role=role,
        reason=reason[:500],
        data=data or {},
    )
    return locked


def _role_in(booking: Booking, user: User) -> str:
    """The actor's role in this booking; 404 for anyone else (they may not know it exists)."""
    role = role_in_booking(booking, user)
    if role is None:
        raise NotFound("No such booking.")
    return role


def _require_role(booking: Booking, user: User, *roles: str) -> str:
    role = _role_in(booking, user)
    if role not in roles:
        raise PermissionDenied(
            f"Only the {' or '.join(roles)} can do this.", code="not_allowed_for_role"
        )
    return role


@dataclass(frozen=True)
class SlotInput:
    starts_at: datetime
    ends_at: datetime


def _validate_slots(booking: Booking, slots: Sequence[SlotInput], now: datetime) -> None:
    if not slots:
        raise InvalidSlot.for_field("slots", "Propose at least one time.", code="slots_required")
    if len(slots) > MAX_PROPOSALS:
        raise InvalidSlot.for_field(
            "slots", f"Propose at most {MAX_PROPOSALS} times.", code="too_many_slots"
        )
    windows = list(booking.help_request.windows.values_list("starts_at", "ends_at"))
    for index, slot in enumerate(slots):
        field = f"slots[{index}]"
        if slot.starts_at >= slot.ends_at:
            raise InvalidSlot.for_field(
                field, "The slot ends before it starts.", code="slot_inverted"
            )
        if slot.starts_at <= now:
            raise InvalidSlot.for_field(field, "The slot is in the past.", code="slot_in_past")
        minutes = (slot.ends_at - slot.starts_at).total_seconds() / 60
        if not MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES:
            raise InvalidSlot.for_field(
                field,
                f"A visit lasts {MIN_SLOT_MINUTES} minutes to {MAX_SLOT_MINUTES // 60} hours.",
                code="slot_length",
            )
        if not any(start <= slot.starts_at and slot.ends_at <= end for start, end in windows):
            raise InvalidSlot.for_field(
                field,
                "The slot must lie inside one of the customer's time windows.",
                code="slot_outside_windows",
            )
        if _helper_busy(booking, slot.starts_at, slot.ends_at):
            raise HelperDoubleBooked(
                "You already have a visit at that time.",
                fields={field: ["You already have a visit at that time."]},
            )
    if len({(s.starts_at, s.ends_at) for s in slots}) != len(slots):
        raise InvalidSlot.for_field("slots", "The same time twice.", code="duplicate_slots")


def _helper_busy(booking: Booking, starts_at: datetime, ends_at: datetime) -> bool:
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


def _is_late(booking: Booking, now: datetime) -> bool:
    if booking.starts_at is None:
        return False
    return booking.starts_at - now < timedelta(hours=config().late_cancellation_hours)


@transaction.atomic
def booking_propose(
    *, booking: Booking, actor: User, slots: Sequence[SlotInput], reason: str = ""
) -> Booking:
    """The helper proposes one or more visit times inside the customer's windows.

    From a confirmed booking this is the helper rescheduling: the held slot is released and
    the customer chooses again. A reason is then required.
    """
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.HELPER)
    now = clock.now()
    reason = visible_text(reason, field="reason", required=False, multiline=True)
    if booking.status == BookingStatus.CONFIRMED and not reason:
        raise ValidationFailed.for_field(
            "reason", "Tell the customer why the visit moves.", code="reason_required"
        )
    _validate_slots(booking, slots, now)
    rescheduled = booking.status == BookingStatus.CONFIRMED
    data: dict[str, Any] = {
        "slots": [[s.starts_at.isoformat(), s.ends_at.isoformat()] for s in slots]
    }
    if rescheduled:
        data.update({"rescheduled_by": Party.HELPER, "late": _is_late(booking, now)})
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.PROPOSED,
        actor=actor,
        role=ActorRole.HELPER,
        reason=reason or "times proposed",
        changes={"starts_at": None, "ends_at": None},
        data=data,
    )
    booking.proposals.filter(status__in=(ProposalStatus.PROPOSED, ProposalStatus.CHOSEN)).update(
        status=ProposalStatus.SUPERSEDED
    )
    SlotProposal.objects.bulk_create(
        [SlotProposal(booking=booking, starts_at=s.starts_at, ends_at=s.ends_at) for s in slots]
    )
    return booking


@transaction.atomic
def booking_confirm(*, booking: Booking, actor: User, proposal: SlotProposal) -> Booking:
    """The customer picks one proposed time. The helper's time is then held.

    Confirmations of one helper's visits queue on the helper's row, so the overlap check
    below sees every visit confirmed before; on SQLite the write lock taken at BEGIN does the
    same. The PostgreSQL exclusion constraint is the backstop: two transactions inserting
    conflicting ranges at once would otherwise deadlock inside it instead of one losing.
    """
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.CUSTOMER)
    list(
        HelperProfile.objects.select_for_update()
        .filter(pk=booking.helper_id)
        .values_list("pk", flat=True)
    )
    if proposal.booking_id != booking.pk or proposal.status != ProposalStatus.PROPOSED:
        raise ValidationFailed.for_field(
            "proposal", "Choose one of the times currently proposed.", code="invalid_proposal"
        )
    if proposal.starts_at <= clock.now():
        raise InvalidSlot.for_field("proposal", "This time has passed.", code="slot_in_past")
    if _helper_busy(booking, proposal.starts_at, proposal.ends_at):
        raise HelperDoubleBooked("The helper already has a visit at that time.")
    price = visit_price(
        helper=booking.helper, starts_at=proposal.starts_at, ends_at=proposal.ends_at
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
            "price_minor": price.amount_minor,
            "currency": price.currency,
        },
        data={"proposal": str(proposal.public_id)},
    )
    booking.proposals.filter(pk=proposal.pk).update(status=ProposalStatus.CHOSEN)
    booking.proposals.filter(status=ProposalStatus.PROPOSED).update(
        status=ProposalStatus.SUPERSEDED
    )
    return booking


@transaction.atomic
def booking_request_new_times(*, booking: Booking, actor: User, reason: str) -> Booking:
    """The customer asks the helper for other times: none suits, or the visit must move."""
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.CUSTOMER)
    reason = visible_text(reason, field="reason", required=False, multiline=True)
    if not reason:
        raise ValidationFailed.for_field("reason", "Tell the helper why.", code="reason_required")
    data: dict[str, Any] = {}
    if booking.status == BookingStatus.CONFIRMED:
        data = {"rescheduled_by": Party.CUSTOMER, "late": _is_late(booking, clock.now())}
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.AWAITING_PROPOSAL,
        actor=actor,
        role=ActorRole.CUSTOMER,
        reason=reason,
        changes={"starts_at": None, "ends_at": None},
        data=data,
    )
    booking.proposals.filter(status__in=(ProposalStatus.PROPOSED, ProposalStatus.CHOSEN)).update(
        status=ProposalStatus.SUPERSEDED
    )
    return booking


def _count_against(booking: Booking, party: str, *, late: bool, no_show: bool) -> None:
    """Reliability counts only against the party who caused the cancellation or no-show."""
    if party == Party.HELPER:
        updates: dict[str, Any] = (
            {"no_shows_caused": F("no_shows_caused") + 1}
            if no_show
            else {"cancellations_caused": F("cancellations_caused") + 1}
        )
        if late and not no_show:
            updates["late_cancellations_caused"] = F("late_cancellations_caused") + 1
        HelperProfile.objects.filter(pk=booking.helper_id).update(**updates)
        match_index_refresh(helper_ids=[booking.helper_id])
    elif party == Party.CUSTOMER:
        if no_show:
            updates = {"customer_no_shows_caused": F("customer_no_shows_caused") + 1}
        else:
            updates = {"customer_cancellations_caused": F("customer_cancellations_caused") + 1}
            if late:
                updates["customer_late_cancellations_caused"] = (
                    F("customer_late_cancellations_caused") + 1
                )
        User.objects.filter(pk=booking.help_request.customer_id).update(**updates)


def _after_booking_ended(booking: Booking, *, caused_by: str) -> None:
    """When the helper (or nobody) broke the booking, find the customer someone else."""
    help_request = booking.help_request
    now = clock.now()
    if caused_by != Party.CUSTOMER and _windows_left(help_request, now):
        _help_request_move(
            help_request=help_request,
            expected=HelpRequestStatus.ASSIGNED,
            to=HelpRequestStatus.OPEN,
            reason="the helper could not come; looking again",
        )
        _enqueue_dispatch(help_request)
    else:
        _help_request_move(
            help_request=help_request,
            expected=HelpRequestStatus.ASSIGNED,
            to=HelpRequestStatus.CLOSED,
            reason=f"booking {booking.status}",
        )


def _party_for(role: str, caused_by: str | None) -> str:
    if role == ActorRole.MANAGER:
        if caused_by not in Party.values:
            raise ValidationFailed.for_field(
                "caused_by",
                "Say who caused it: customer, helper or nobody.",
                code="caused_by_required",
            )
        return str(caused_by)
    return Party.CUSTOMER if role == ActorRole.CUSTOMER else Party.HELPER


@transaction.atomic
def booking_cancel(
    *, booking: Booking, actor: User, reason: str, caused_by: str | None = None
) -> Booking:
    """Cancel with a recorded cause. Late cancellations count against whoever cancels.

    A manager cancelling says who caused it. When the helper cancels, the request is offered
    to other helpers again while a time window is left.
    """
    booking = _lock_booking(booking)
    role = _role_in(booking, actor)
    reason = visible_text(reason, field="reason", required=False, multiline=True)
    if not reason:
        raise ValidationFailed.for_field("reason", "Give a reason.", code="reason_required")
    party = _party_for(role, caused_by)
    now = clock.now()
    late = booking.status in SLOT_HOLDING_STATUSES and _is_late(booking, now)
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.CANCELLED,
        actor=actor,
        role=role,
        reason=reason,
        changes={
            "closed_at": now,
            "caused_by": party,
            "cause": reason[:500],
            "is_late_cancellation": late,
        },
        data={"caused_by": party, "late": late},
    )
    _count_against(booking, party, late=late, no_show=False)
    _after_booking_ended(booking, caused_by=party)
    return booking


@transaction.atomic
def booking_report_no_show(
    *, booking: Booking, actor: User, note: str = "", caused_by: str | None = None
) -> Booking:
    """Report that the other party did not turn up, once the visit should have started.

    The customer reports the helper; the helper reports the customer; a manager says who.
    """
    booking = _lock_booking(booking)
    role = _role_in(booking, actor)
    if role == ActorRole.MANAGER:
        party = _party_for(role, caused_by)
    else:
        party = Party.HELPER if role == ActorRole.CUSTOMER else Party.CUSTOMER
    now = clock.now()
    grace = timedelta(minutes=config().no_show_grace_minutes)
    if (
        role != ActorRole.MANAGER
        and booking.starts_at is not None
        and now < booking.starts_at + grace
    ):
        raise TooEarly(
            f"A no-show can be reported {grace.seconds // 60} minutes after the start time."
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
    _count_against(booking, party, late=False, no_show=True)
    _after_booking_ended(booking, caused_by=party)
    return booking


@transaction.atomic
def booking_start_journey(*, booking: Booking, actor: User, eta_minutes: int) -> Booking:
    """The helper is on the way and tells the customer when they will arrive."""
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.HELPER)
    if not 1 <= eta_minutes <= 240:
        raise ValidationFailed.for_field(
            "eta_minutes", "The arrival time is 1 to 240 minutes away.", code="invalid_eta"
        )
    now = clock.now()
    if booking.starts_at is not None and booking.starts_at - now > timedelta(hours=6):
        raise TooEarly("The visit starts in more than 6 hours.")
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
def booking_check_in(*, booking: Booking, actor: User) -> Booking:
    """The helper has arrived and starts the work."""
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.HELPER)
    now = clock.now()
    if booking.starts_at is not None and booking.starts_at - now > timedelta(hours=1):
        raise TooEarly("Check in at most one hour before the visit.")
    return booking_transition(
        booking=booking,
        to=BookingStatus.IN_PROGRESS,
        actor=actor,
        role=ActorRole.HELPER,
        reason="checked in",
        changes={"checked_in_at": now},
    )


@transaction.atomic
def booking_check_out(
    *, booking: Booking, actor: User, work_summary: str, leave_behind_note: str = ""
) -> Booking:
    """The helper is done: what was done, and how to do it yourself next time.

    The customer then signs off, or disputes; without either the visit is signed off
    automatically after AUTO_SIGN_OFF_HOURS.
    """
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.HELPER)
    work_summary = visible_text(work_summary, field="work_summary", multiline=True)
    leave_behind_note = visible_text(
        leave_behind_note, field="leave_behind_note", required=False, multiline=True
    )
    if len(work_summary) < 10:
        raise ValidationFailed.for_field(
            "work_summary",
            "Say in a sentence what you did (at least 10 characters).",
            code="summary_too_short",
        )
    now = clock.now()
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.COMPLETED,
        actor=actor,
        role=ActorRole.HELPER,
        reason="checked out",
        changes={
            "checked_out_at": now,
            "work_summary": work_summary,
            "leave_behind_note": leave_behind_note,
        },
    )
    from bookings.tasks import auto_sign_off

    auto_sign_off.using(run_after=now + timedelta(hours=config().auto_sign_off_hours)).enqueue(
        booking.pk
    )
    return booking


def _signed_off(
    booking: Booking, *, actor: User | None, role: str, reason: str, automatically: bool
) -> Booking:
    now = clock.now()
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.SIGNED_OFF,
        actor=actor,
        role=role,
        reason=reason,
        changes={"signed_off_at": now, "signed_off_automatically": automatically},
    )
    HelperProfile.objects.filter(pk=booking.helper_id).update(
        completed_visits=F("completed_visits") + 1
    )
    match_index_refresh(helper_ids=[booking.helper_id])
    _help_request_move(
        help_request=booking.help_request,
        expected=HelpRequestStatus.ASSIGNED,
        to=HelpRequestStatus.CLOSED,
        reason="visit signed off",
    )
    from bookings.tasks import close_review_window

    close_review_window.using(run_after=now + timedelta(days=config().review_window_days)).enqueue(
        booking.pk
    )
    return booking


@transaction.atomic
def booking_sign_off(*, booking: Booking, actor: User) -> Booking:
    """The customer confirms the visit happened as agreed."""
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.CUSTOMER)
    return _signed_off(
        booking, actor=actor, role=ActorRole.CUSTOMER, reason="signed off", automatically=False
    )


@transaction.atomic
def booking_auto_sign_off(*, booking: Booking) -> Booking | None:
    """Sign off a visit the customer left alone for AUTO_SIGN_OFF_HOURS. Safe to repeat."""
    booking = _lock_booking(booking)
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
def booking_dispute(*, booking: Booking, actor: User, reason: str) -> Booking:
    """The customer does not sign off: something went wrong. The manager resolves it."""
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.CUSTOMER)
    reason = visible_text(reason, field="reason", multiline=True)
    if len(reason) < 10:
        raise ValidationFailed.for_field(
            "reason",
            "Describe what went wrong (at least 10 characters).",
            code="reason_required",
        )
    return booking_transition(
        booking=booking,
        to=BookingStatus.DISPUTED,
        actor=actor,
        role=ActorRole.CUSTOMER,
        reason=reason,
        changes={"dispute_reason": reason},
    )


class DisputeOutcome:
    VISIT_STANDS = "visit_stands"
    VISIT_VOID = "visit_void"
    CHOICES = (VISIT_STANDS, VISIT_VOID)


@transaction.atomic
def booking_resolve_dispute(
    *, booking: Booking, actor: User, outcome: str, note: str, caused_by: str | None = None
) -> Booking:
    """The community manager decides: the visit stands (signed off) or is void (cancelled)."""
    booking = _lock_booking(booking)
    _require_role(booking, actor, ActorRole.MANAGER)
    if booking.status != BookingStatus.DISPUTED:
        raise IllegalTransition(f"A booking that is {booking.status} is not disputed.")
    if outcome not in DisputeOutcome.CHOICES:
        raise ValidationFailed.for_field("outcome", "Unknown outcome.", code="invalid_choice")
    note = visible_text(note, field="note", required=False, multiline=True)
    if not note:
        raise ValidationFailed.for_field("note", "Record the decision.", code="reason_required")
    if outcome == DisputeOutcome.VISIT_STANDS:
        return _signed_off(
            booking, actor=actor, role=ActorRole.MANAGER, reason=note, automatically=False
        )
    party = _party_for(ActorRole.MANAGER, caused_by)
    booking = booking_transition(
        booking=booking,
        to=BookingStatus.CANCELLED,
        actor=actor,
        role=ActorRole.MANAGER,
        reason=note,
        changes={"closed_at": clock.now(), "caused_by": party, "cause": note[:500]},
        data={"caused_by": party, "outcome": outcome},
    )
    _count_against(booking, party, late=False, no_show=False)
    _help_request_move(
        help_request=booking.help_request,
        expected=HelpRequestStatus.ASSIGNED,
        to=HelpRequestStatus.CLOSED,
        reason="dispute resolved: visit void",
    )
    return booking


# --- Reviews -----------------------------------------------------------------------------------


def _publish(reviews: Any, now: datetime) -> int:
    """Show reviews to the other side and count them in the aggregates, once."""
    published = 0
    for review in reviews.filter(published_at__isnull=True).select_related("booking"):
        Review.objects.filter(pk=review.pk).update(published_at=now)
        if review.author_role == ActorRole.CUSTOMER:
            HelperProfile.objects.filter(pk=review.booking.helper_id).update(
                rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + review.rating
            )
            match_index_refresh(helper_ids=[review.booking.helper_id])
        else:
            User.objects.filter(pk=review.subject_id).update(
                customer_rating_count=F("customer_rating_count") + 1,
                customer_rating_sum=F("customer_rating_sum") + review.rating,
            )
        published += 1
    return published


@transaction.atomic
def review_submit(*, booking: Booking, actor: User, rating: int, text: str = "") -> Review:
    """Rate the other side 1–5 within REVIEW_WINDOW_DAYS of the sign-off.

    Double-blind: the review stays hidden until both sides have reviewed or the window closes.
    """
    booking = _lock_booking(booking)
    role = _require_role(booking, actor, ActorRole.CUSTOMER, ActorRole.HELPER)
    if booking.status not in (BookingStatus.SIGNED_OFF, BookingStatus.SETTLED):
        raise IllegalTransition("Reviews open once the visit is signed off.", code="not_reviewable")
    assert booking.signed_off_at is not None  # noqa: S101 - set by every path to signed_off
    now = clock.now()
    if now > booking.signed_off_at + timedelta(days=config().review_window_days):
        raise ReviewWindowClosed("The review window has closed.")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed.for_field("rating", "Rate from 1 to 5.", code="invalid_rating")
    text = visible_text(text, field="text", required=False, multiline=True)
    if len(text) > 1000:
        raise ValidationFailed.for_field("text", "At most 1000 characters.", code="too_long")
    subject_id = (
        booking.helper.user_id if role == ActorRole.CUSTOMER else booking.help_request.customer_id
    )
    try:
        with transaction.atomic():
            review = Review.objects.create(
                booking=booking,
                author=actor,
                subject_id=subject_id,
                author_role=role,
                rating=rating,
                text=text,
            )
    except IntegrityError as exc:
        raise AlreadyReviewed("You have already reviewed this visit.") from exc
    reviews = Review.objects.filter(booking=booking)
    if reviews.count() == 2:
        _publish(reviews, now)
        review.refresh_from_db()
    return review


@transaction.atomic
def reviews_close_window(*, booking: Booking) -> int:
    """When the review window closes, publish whatever reviews were written. Safe to repeat."""
    booking = _lock_booking(booking)
    if booking.signed_off_at is None:
        return 0
    now = clock.now()
    if now < booking.signed_off_at + timedelta(days=config().review_window_days):
        return 0
    return _publish(Review.objects.filter(booking=booking), now)


# --- Sweeps: catch up after downtime ----------------------------------------------------------


def sweep_due_work() -> dict[str, int]:
    """Run every time-based step that is due, whatever happened to the scheduled tasks.

    The tasks scheduled by the services normally do all of this on time; the sweep makes
    the system converge after a worker outage. Each step is idempotent.
    """
    now = clock.now()
    counts = {"offers_expired": 0, "requests_expired": 0, "signed_off": 0, "reviews_published": 0}
    for help_request in HelpRequest.objects.filter(
        status=HelpRequestStatus.OPEN,
        offers__status=OfferStatus.PENDING,
        offers__expires_at__lte=now,
    ).distinct():
        counts["offers_expired"] += offers_expire_due(help_request=help_request)
    for help_request in HelpRequest.objects.filter(
        status__in=(HelpRequestStatus.OPEN, HelpRequestStatus.UNMATCHED)
    ).exclude(windows__ends_at__gt=now):
        with transaction.atomic():
            if _help_request_move(
                help_request=help_request,
                expected=help_request.status,
                to=HelpRequestStatus.EXPIRED,
                reason="every time window has passed",
            ):
                _offers_withdraw(
                    Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING),
                    reason="request expired",
                )
                counts["requests_expired"] += 1
    cutoff = now - timedelta(hours=config().auto_sign_off_hours)
    for booking in Booking.objects.filter(
        status=BookingStatus.COMPLETED, checked_out_at__lte=cutoff
    ):
        if booking_auto_sign_off(booking=booking) is not None:
            counts["signed_off"] += 1
    review_cutoff = now - timedelta(days=config().review_window_days)
    unpublished = Review.objects.filter(booking=OuterRef("pk"), published_at__isnull=True)
    for booking in Booking.objects.filter(Exists(unpublished), signed_off_at__lte=review_cutoff):
        counts["reviews_published"] += reviews_close_window(booking=booking)
    return counts
