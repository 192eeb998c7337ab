"""Offers: matching a request to the next helpers, expiry, accepting and declining.

What follows an offer's move is done by handlers of its events (`bookings/handlers.py`): the
helper's figures, the expiry task, offering the request to others after a decline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.events import DomainEvent
from backend.exceptions import CoreError, NotFound, ValidationFailed, raises
from backend.models import User
from backend.outbox import emit
from backend.prepared import PreparedInsert, quoted_column
from backend.roles import ActorRole
from backend.texts import visible_text
from bookings.errors import BookingError
from bookings.events import OfferMade
from bookings.exceptions import OfferNotPending, RequestAlreadyTaken
from bookings.matching.explain import CONSIDERED_LISTED, Candidate, match_request
from bookings.models import (
    DECLINE_NOTE_MAX_LENGTH,
    Booking,
    DeclineReason,
    HelpRequest,
    HelpRequestStatus,
    MatchingRun,
    Offer,
    OfferStatus,
    WithdrawalCause,
)
from bookings.services.locks import lock_help_request
from bookings.services.moves import booking_open, help_request_move, offers_move
from bookings.transitions import OFFER_MACHINE
from helpers.models import HelperProfile
from helpers.selectors import CAN_BE_PAID


def offers_withdraw(
    *, offers: QuerySet[Offer], cause: str, reason: str, role: str = ActorRole.SYSTEM
) -> int:
    """Withdraw the pending offers among `offers`; the helpers are no longer asked."""
    return len(
        offers_move(
            offers=offers,
            to=OfferStatus.WITHDRAWN,
            role=role,
            changes={"responded_at": None, "decline_note": reason[:300], "withdrawal_cause": cause},
        )
    )


def pending_offers_of(help_request: HelpRequest) -> QuerySet[Offer]:
    return Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING)


@transaction.atomic
def offers_withdraw_for_helper(*, helper: HelperProfile, reason: str) -> int:
    """Withdraw a helper's pending offers (e.g. suspended); those requests go to others."""
    return offers_withdraw(
        offers=Offer.objects.filter(helper=helper),
        cause=WithdrawalCause.HELPER_SUSPENDED,
        reason=reason,
        role=ActorRole.MANAGER,
    )


def offers_withdraw_for_unpaid_helper(*, helper_id: int) -> int:
    """Withdraw the pending offers of a helper who charges for their work and whose payout
    account cannot take charges (payments keeps `takes_payments` in step with it): a visit with
    them could not be confirmed (`helper_can_be_paid`), so the customer would wait for nothing.
    Those requests go to other helpers (`schedule_tasks`). Nothing for a helper who can be paid
    or works for free, nor for offers already answered. Runs in the caller's transaction, the
    one that changed the helper."""
    if HelperProfile.objects.filter(CAN_BE_PAID, pk=helper_id).exists():
        return 0
    return offers_withdraw(
        offers=Offer.objects.filter(helper_id=helper_id),
        cause=WithdrawalCause.CANNOT_BE_PAID,
        reason="payout account cannot take payments",
    )


# Every dispatch that finds helpers writes its offers and its record: the INSERTs are written
# once per database and number of rows (building them cost more than storing the rows).
OFFER_INSERT = PreparedInsert(Offer)
RUN_INSERT = PreparedInsert(MatchingRun)


def windows_left(help_request: HelpRequest, now: datetime) -> bool:
    return help_request.windows.filter(ends_at__gt=now).exists()


@transaction.atomic
def offers_dispatch(*, help_request: HelpRequest) -> list[Offer]:
    """Offer the request to the next best helpers until K offers are pending.

    Widens the search radius step by step when nobody is left within it. When nobody is left
    even at the largest radius and no offer is pending, the request becomes unmatched: that is
    how the customer is told. Idempotent: with K pending offers it does nothing.
    """
    help_request = lock_help_request(help_request)
    if help_request.status != HelpRequestStatus.OPEN:
        return []
    now = clock.now()
    # Read once: whether any window is left, and every matching step of the widening search.
    prefetch_related_objects([help_request], "windows")
    if not any(window.ends_at > now for window in help_request.windows.all()):
        help_request_expire(help_request=help_request, expected=HelpRequestStatus.OPEN)
        return []
    # The request's offers so far, read once (a request has a handful): how many are pending,
    # who may not be asked again, and where the new offers' ranks start.
    so_far = list(
        Offer.objects.filter(help_request=help_request)
        .order_by()
        .values_list("helper_id", "status")
    )
    return offers_dispatch_locked(help_request=help_request, so_far=so_far, now=now)


def offers_dispatch_locked(
    *,
    help_request: HelpRequest,
    so_far: list[tuple[int, str]],
    now: datetime,
    leading: Sequence[DomainEvent] = (),
) -> list[Offer]:
    """`offers_dispatch` once the request is known to be open, with a window left, and locked
    (or just written by this transaction): `so_far` its offers' (helper id, status). Posting
    calls it directly with no offers so far; it runs in the caller's transaction.

    `leading`: the caller's own events, emitted before any this dispatch emits (in the same
    `emit` call as its offers, so the event log gets one statement for both)."""
    pending = sum(status == OfferStatus.PENDING for _, status in so_far)
    wanted = config().offer_batch_size - pending
    if wanted <= 0:
        emit(*leading)
        return []
    # A helper who declined, let an offer expire or took the job is not asked again; one whose
    # offer was withdrawn (the request changed, or someone else accepted and then cancelled)
    # may be.
    already_offered = {helper_id for helper_id, status in so_far if status != OfferStatus.WITHDRAWN}
    candidates, radius = _search_widening(
        help_request, wanted=wanted, already_offered=already_offered, now=now
    )
    round_number = help_request.matching_round + 1 if candidates else help_request.matching_round
    _set_radius_and_round(help_request.pk, radius, round_number)
    help_request.search_radius_km, help_request.matching_round = radius, round_number
    if not candidates:
        emit(*leading)
        if not pending:
            help_request_move(
                help_request=help_request,
                expected=HelpRequestStatus.OPEN,
                to=HelpRequestStatus.UNMATCHED,
                role=ActorRole.SYSTEM,
                reason=f"No helper is available within {radius:g} km in your time windows.",
            )
        return []
    return _make_offers(
        help_request,
        candidates,
        round_number=round_number,
        rank_base=len(so_far),
        now=now,
        leading=leading,
    )


def _radius_and_round_sql() -> str:
    table = connection.ops.quote_name(HelpRequest._meta.db_table)
    radius, round_ = (
        quoted_column(HelpRequest, name) for name in ("search_radius_km", "matching_round")
    )
    # The model's own table and column names only; the values are parameters.
    return (
        f"UPDATE {table} SET {radius} = %s, {round_} = %s "  # noqa: S608
        f"WHERE {quoted_column(HelpRequest)} = %s"
    )


def _set_radius_and_round(help_request_id: int, radius: float, round_number: int) -> None:
    """The radius searched last and the matching round, stored: the statement the ORM's
    `update()` writes (a float and an integer, passed on as they are), without building it
    for every dispatch."""
    with connection.cursor() as cursor:
        cursor.execute(_radius_and_round_sql(), [float(radius), int(round_number), help_request_id])


def help_request_expire(*, help_request: HelpRequest, expected: str) -> bool:
    """Every time window has passed: the request expires and its pending offers are withdrawn.

    False when the request was no longer `expected`. Runs in the caller's transaction.
    """
    if not help_request_move(
        help_request=help_request,
        expected=expected,
        to=HelpRequestStatus.EXPIRED,
        role=ActorRole.SYSTEM,
        reason="every time window has passed",
    ):
        return False
    offers_withdraw(
        offers=pending_offers_of(help_request),
        cause=WithdrawalCause.REQUEST_EXPIRED,
        reason="request expired",
    )
    return True


def _search_widening(
    help_request: HelpRequest, *, wanted: int, already_offered: set[int], now: datetime
) -> tuple[list[Candidate], float]:
    """The best helpers not asked yet, widening the radius until someone is found or the
    largest radius is reached; with the radius searched last."""
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
    return candidates, radius


def _make_offers(
    help_request: HelpRequest,
    candidates: list[Candidate],
    *,
    round_number: int,
    rank_base: int,
    now: datetime,
    leading: Sequence[DomainEvent] = (),
) -> list[Offer]:
    """The offers, bulk-created, ranked after the `rank_base` the request had before; their
    events emitted after the caller's `leading` ones."""
    expires_at = now + timedelta(minutes=config().offer_ttl_minutes)
    offers = OFFER_INSERT.insert(
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
    emit(
        *leading,
        *[
            OfferMade(
                offer_id=offer.pk,
                help_request_id=help_request.pk,
                helper_id=offer.helper_id,
                round=round_number,
                expires_at=clock.iso(expires_at),
            )
            for offer in offers
        ],
    )
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
    RUN_INSERT.insert(
        [
            MatchingRun(
                help_request=help_request,
                radius_km=radius_km,
                wanted=wanted,
                offered=len(result.candidates),
                considered=[c.as_json() for c in result.considered[:CONSIDERED_LISTED]],
                examined_count=result.examined,
            )
        ]
    )
    return result.candidates


@transaction.atomic
def offers_expire_due(*, help_request: HelpRequest) -> int:
    """Expire the request's pending offers whose time is up, then offer it to the next helpers."""
    help_request = lock_help_request(help_request)
    expired = offers_move(
        offers=pending_offers_of(help_request).filter(expires_at__lte=clock.now()),
        to=OfferStatus.EXPIRED,
        role=ActorRole.SYSTEM,
    )
    offers_dispatch(help_request=help_request)
    return len(expired)


def _offer_of(offer: Offer, user: User) -> Offer:
    offer = Offer.objects.select_related("helper", "help_request").get(pk=offer.pk)
    if offer.helper.user_id != user.pk:
        raise NotFound(_("No such offer."))
    return offer


@transaction.atomic
@raises(CoreError.NOT_FOUND, BookingError.OFFER_NOT_PENDING, BookingError.REQUEST_ALREADY_TAKEN)
def offer_accept(*, offer: Offer, actor: User) -> Booking:
    """The helper takes the job. The first accept wins; everyone else gets a clean 409.

    The race is settled by one conditional UPDATE on the help request (open → assigned). Locks
    are always taken request first, then offers (as in dispatch and expiry), so concurrent
    accepts queue on the request row instead of deadlocking on each other's offers.
    """
    offer = _offer_of(offer, actor)
    if offer.status == OfferStatus.WITHDRAWN and offer.help_request.status in (
        HelpRequestStatus.ASSIGNED,
        HelpRequestStatus.CLOSED,
    ):
        raise RequestAlreadyTaken(_("Another helper was quicker: this job is taken."))
    # Refused before the race for the request, as an answer about this offer.
    OFFER_MACHINE.check(
        offer, from_status=offer.status, to_status=OfferStatus.ACCEPTED, role=ActorRole.HELPER
    )
    help_request = offer.help_request
    won = help_request_move(
        help_request=help_request,
        expected=HelpRequestStatus.OPEN,
        to=HelpRequestStatus.ASSIGNED,
        role=ActorRole.HELPER,
        reason="a helper accepted",
        assigned_helper=offer.helper,
    )
    if not won:
        raise RequestAlreadyTaken(_("Another helper was quicker: this job is taken."))
    if not offers_move(
        offers=Offer.objects.filter(pk=offer.pk), to=OfferStatus.ACCEPTED, role=ActorRole.HELPER
    ):
        # Withdrawn or expired between the read and the request update: undo it all.
        raise OfferNotPending(_("This offer is no longer open."))
    offers_withdraw(
        offers=pending_offers_of(help_request).exclude(pk=offer.pk),
        cause=WithdrawalCause.TAKEN,
        reason="another helper accepted",
        role=ActorRole.HELPER,
    )
    return booking_open(help_request=help_request, offer=offer, actor=actor)


@transaction.atomic
@raises(CoreError.NOT_FOUND, BookingError.OFFER_NOT_PENDING, CoreError.INVALID_CHOICE, visible_text)
def offer_decline(*, offer: Offer, actor: User, reason: str = "", note: str = "") -> Offer:
    """The helper says no; the request goes to the next helper (a handler of OfferDeclined
    asks the worker to)."""
    offer = _offer_of(offer, actor)
    if offer.status != OfferStatus.PENDING:
        raise OfferNotPending(_("This offer is no longer waiting for an answer."))
    if reason and reason not in DeclineReason.values:
        raise ValidationFailed.for_field(
            "reason", _("Unknown reason."), code=CoreError.INVALID_CHOICE
        )
    note = visible_text(
        note, field="note", required=False, multiline=True, max_length=DECLINE_NOTE_MAX_LENGTH
    )
    declined = offers_move(
        offers=Offer.objects.filter(pk=offer.pk),
        to=OfferStatus.DECLINED,
        role=ActorRole.HELPER,
        changes={"decline_reason": reason, "decline_note": note},
    )
    if not declined:
        offer.refresh_from_db(fields=["status"])
        raise OfferNotPending(_("This offer is no longer waiting for an answer."))
    offer.refresh_from_db()
    return offer
