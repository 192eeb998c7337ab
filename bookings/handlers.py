"""What follows the domain events, inside the transaction that emitted them.

Subscribed in `BookingsConfig.ready()`:

- `count_figures`: the helpers' and customers' rating and reliability figures, from what
  happened to offers, bookings and reviews (through `helper_figures_add` and
  `customer_figures_add`, their one writers);
- `refresh_match_index`: the match index, for every event marked `affects_matching`;
- `refresh_free_time`: the helpers' free time in the index, when their weekly hours or
  exceptions change and when a visit starts or stops holding their time;
- `schedule_tasks`: the worker's tasks (offer expiry, offering a request to other helpers,
  automatic sign-off, the review window's end). django-tasks-db stores them in the same
  transaction, so a task exists if and only if the change that asked for it committed;
- `withdraw_offers_of_suspended`: a suspended or offboarded helper's pending offers are
  withdrawn;
- `withdraw_offers_of_unpaid`: so are those of a helper who charges and can no longer be paid
  (their payout account stopped taking charges);
- `mail_about_reports` (after commit): the community managers hear of a new safety report,
  its reporter of the decision, a warned person of their warning (`bookings.emails`);
- `mail_customers` (after commit): the customer hears of the moments they must act on or
  must know (`bookings.customer_emails`);
- `mail_helpers` (after commit): the helper hears of what the customer did to their visit,
  and of its sign-off (`bookings.helper_emails`), whether or not they turned on Web Push;
  `mail_helpers_about_offers`, of their offers withdrawn because they cannot be paid.

Each handler gets every event it listens to from one `emit` call at once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils.translation import gettext

from academy.events import CourseRequirementsChanged
from backend.config import config
from backend.events import (
    DomainEvent,
    UserActivationChanged,
    UserProfileChanged,
    event_types,
    of_type,
)
from backend.models import OutboxEvent, User
from backend.roles import ActorRole
from backend.services import customer_figures_add
from bookings import customer_emails, emails, helper_emails, tasks
from bookings.events import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingMoved,
    BookingNoShow,
    BookingSignedOff,
    BookingTimesRequested,
    HelpRequestChanged,
    HelpRequestExpired,
    HelpRequestPosted,
    HelpRequestReopened,
    HelpRequestUnmatched,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OfferMade,
    OfferMoved,
    OfferWithdrawn,
    ProposalsMade,
    ReviewPublished,
    SafetyReportDecided,
    SafetyReportFiled,
)
from bookings.matching.free_time import free_time_refresh
from bookings.matching.index import match_index_refresh
from bookings.models import (
    SLOT_HOLDING_STATUSES,
    Booking,
    BookingStatus,
    HelpRequestStatus,
    Party,
    SafetyOutcome,
    WithdrawalCause,
)
from bookings.services import (
    booking_cancel,
    offers_withdraw_for_helper,
    offers_withdraw_for_unpaid_helper,
)
from catalogue.events import LegalTermsAccepted, LegalVersionPublished
from catalogue.models import LegalDocumentKind
from helpers.events import (
    HelperAvailabilityChanged,
    HelperEvent,
    HelperFiguresChanged,
    HelperOffboarded,
    HelperProfileChanged,
    HelperSuspended,
)
from helpers.models import ApprovalStatus, HelperProfile
from helpers.selectors import HELPER_MATCHING_FIELDS
from helpers.services import helper_figures_add

Deltas = dict[str, int]

# --- Figures -----------------------------------------------------------------------------------


def _offer_deltas(event: OfferMoved | OfferMade) -> Deltas:
    """What an offer's move adds to its helper's figures."""
    if isinstance(event, OfferMade):
        return {"offers_received": 1}
    if isinstance(event, OfferAccepted):
        return {"offers_accepted": 1, "response_seconds_total": event.response_seconds}
    if isinstance(event, OfferDeclined):
        return {"offers_declined": 1, "response_seconds_total": event.response_seconds}
    if isinstance(event, OfferExpired):
        return {"offers_expired": 1}
    if (
        isinstance(event, OfferWithdrawn)
        and event.withdrawal_cause == WithdrawalCause.REQUEST_CHANGED
    ):
        # The customer changed the request: that offer does not count as one received.
        return {"offers_received": -1}
    return {}


def _broken_booking_deltas(event: BookingMoved) -> tuple[str, Deltas]:
    """Who caused a cancellation or no-show, and what it adds to their figures: it counts
    only against them, a late cancellation also as late."""
    party = event.data.get("caused_by", "")
    no_show = isinstance(event, BookingNoShow)
    late = bool(event.data.get("late")) and not no_show
    if party == Party.HELPER:
        if no_show:
            return party, {"no_shows_caused": 1}
        return party, {"cancellations_caused": 1, "late_cancellations_caused": int(late)}
    if party == Party.CUSTOMER:
        if no_show:
            return party, {"customer_no_shows_caused": 1}
        return party, {
            "customer_cancellations_caused": 1,
            "customer_late_cancellations_caused": int(late),
        }
    return party, {}


def _add(totals: dict[int, Counter[str]], key: int, deltas: Deltas) -> None:
    totals[key].update(deltas)


def count_figures(events: Sequence[DomainEvent]) -> None:
    helpers: dict[int, Counter[str]] = defaultdict(Counter)
    customers: dict[int, Counter[str]] = defaultdict(Counter)
    for event in events:
        if isinstance(event, OfferMade | OfferMoved):
            _add(helpers, event.helper_id, _offer_deltas(event))
        elif isinstance(event, BookingCancelled | BookingNoShow):
            party, deltas = _broken_booking_deltas(event)
            if party == Party.HELPER:
                _add(helpers, event.helper_id, deltas)
            elif party == Party.CUSTOMER:
                _add(customers, event.customer_id, deltas)
        elif isinstance(event, BookingSignedOff):
            _add(helpers, event.helper_id, {"completed_visits": 1})
        elif isinstance(event, ReviewPublished):
            if event.author_role == ActorRole.CUSTOMER:
                _add(helpers, event.helper_id, {"rating_count": 1, "rating_sum": event.rating})
            else:
                _add(
                    customers,
                    event.subject_id,
                    {"customer_rating_count": 1, "customer_rating_sum": event.rating},
                )
    helper_figures_add(changes={pk: dict(deltas) for pk, deltas in helpers.items()})
    customer_figures_add(changes={pk: dict(deltas) for pk, deltas in customers.items()})


FIGURE_EVENTS = (
    OfferMade,
    OfferMoved,
    BookingCancelled,
    BookingNoShow,
    BookingSignedOff,
    ReviewPublished,
)


# --- The match index ---------------------------------------------------------------------------

# What the index holds of a helper's figures, and of their account.
INDEXED_FIGURES = frozenset(HELPER_MATCHING_FIELDS)
INDEXED_ACCOUNT_FIELDS = frozenset(
    name.removeprefix("user__") for name in HELPER_MATCHING_FIELDS if name.startswith("user__")
)


def _helpers_to_refresh(events: Sequence[DomainEvent]) -> set[int]:
    helper_ids: set[int] = set()
    user_ids: set[int] = set()
    if any(
        isinstance(event, LegalVersionPublished)
        and event.kind == LegalDocumentKind.HELPER_CODE_OF_CONDUCT
        or isinstance(event, CourseRequirementsChanged)
        for event in events
    ):
        # A new code of conduct: every approved helper is matched only once they accept it.
        # A course that gates categories (newly published or its requirements changed): every
        # approved helper keeps only the categories they are certified for.
        return set(
            HelperProfile.objects.filter(approval_status=ApprovalStatus.APPROVED).values_list(
                "pk", flat=True
            )
        )
    for event in events:
        if isinstance(event, HelperAvailabilityChanged):
            continue  # Their free time only: `refresh_free_time`.
        if isinstance(event, HelperFiguresChanged):
            if INDEXED_FIGURES & set(event.deltas):
                helper_ids.add(event.helper_id)
        elif isinstance(event, HelperEvent):
            helper_ids.add(event.helper_id)
        elif isinstance(event, UserProfileChanged):
            if INDEXED_ACCOUNT_FIELDS & set(event.fields):
                user_ids.add(event.user_id)
        elif isinstance(event, UserActivationChanged) or (
            isinstance(event, LegalTermsAccepted)
            and event.kind == LegalDocumentKind.HELPER_CODE_OF_CONDUCT
        ):
            user_ids.add(event.user_id)
    if user_ids:
        helper_ids |= set(
            HelperProfile.objects.filter(user_id__in=user_ids).values_list("pk", flat=True)
        )
    return helper_ids


def refresh_match_index(events: Sequence[DomainEvent]) -> None:
    """Bring the index rows of the helpers these events touched in line with their tables."""
    helper_ids = _helpers_to_refresh(events)
    if helper_ids:
        # Figures (ratings, visits, answers to offers) change often and never when a helper is
        # free: their free time is kept by `refresh_free_time`.
        figures_only = all(isinstance(event, HelperFiguresChanged) for event in events)
        match_index_refresh(helper_ids=helper_ids, free_time=not figures_only)


def _holds_time(status: str) -> bool:
    return status in SLOT_HOLDING_STATUSES


def refresh_free_time(events: Sequence[DomainEvent]) -> None:
    """Bring the free time of the helpers these events touched in line with their calendars:
    weekly hours or exceptions edited, or a visit that starts or stops holding their time
    (confirmed, cancelled, moved to other times: each passes into or out of a holding status)."""
    helper_ids: set[int] = set()
    for event in events:
        if (
            isinstance(event, HelperAvailabilityChanged)
            or isinstance(event, BookingMoved)
            and (_holds_time(event.from_status) != _holds_time(event.to_status))
        ):
            helper_ids.add(event.helper_id)
    if helper_ids:
        free_time_refresh(helper_ids=helper_ids)


FREE_TIME_EVENTS = (HelperAvailabilityChanged, BookingMoved)


def matching_event_types() -> list[type[DomainEvent]]:
    """Every event class marked as able to change what matching sees."""
    return [cls for cls in event_types() if cls.affects_matching]


# --- Worker tasks ------------------------------------------------------------------------------


def _request_needs_helpers(event: DomainEvent) -> int | None:
    """The request to offer to other helpers after this event, if any."""
    if isinstance(event, OfferDeclined):
        return event.help_request_id
    if isinstance(event, OfferWithdrawn) and event.withdrawal_cause in (
        WithdrawalCause.HELPER_SUSPENDED,
        WithdrawalCause.CANNOT_BE_PAID,
    ):
        return event.help_request_id
    # Reopened by the system: the helper broke the booking. (A customer's change matches
    # again at once, in the same service.)
    if isinstance(event, HelpRequestReopened) and event.role == ActorRole.SYSTEM:
        return event.help_request_id
    return None


def _timestamps(booking_ids: list[int], field: str) -> dict[int, datetime]:
    if not booking_ids:  # most batches (offers made, say) complete and sign off nothing
        return {}
    return {
        pk: moment
        for pk, moment in Booking.objects.filter(pk__in=booking_ids).values_list("pk", field)
        if moment is not None
    }


def schedule_tasks(events: Sequence[DomainEvent]) -> None:
    expiries = sorted(
        {
            (e.help_request_id, datetime.fromisoformat(e.expires_at))
            for e in of_type(events, OfferMade)
        }
    )
    for help_request_id, expires_at in expiries:
        tasks.expire_offers.using(run_after=expires_at).enqueue(help_request_id)
    needing = sorted({pk for pk in map(_request_needs_helpers, events) if pk is not None})
    for help_request_id in needing:
        tasks.dispatch_offers.enqueue(help_request_id)
    completed = [e.booking_id for e in of_type(events, BookingCompleted)]
    for booking_id, checked_out_at in _timestamps(completed, "checked_out_at").items():
        due = checked_out_at + timedelta(hours=config().auto_sign_off_hours)
        tasks.auto_sign_off.using(run_after=due).enqueue(booking_id)
    signed_off = [e.booking_id for e in of_type(events, BookingSignedOff)]
    for booking_id, signed_off_at in _timestamps(signed_off, "signed_off_at").items():
        due = signed_off_at + timedelta(days=config().review_window_days)
        tasks.close_review_window.using(run_after=due).enqueue(booking_id)


TASK_EVENTS = (
    OfferMade,
    OfferDeclined,
    OfferWithdrawn,
    HelpRequestReopened,
    BookingCompleted,
    BookingSignedOff,
)


# --- Suspension --------------------------------------------------------------------------------


# The visits a suspended (or offboarded) helper no longer makes: not started yet. A visit under
# way (the helper on the way or at the door) is the manager's to settle with both sides.
VISITS_TO_CANCEL_ON_SUSPENSION = (
    BookingStatus.AWAITING_PROPOSAL,
    BookingStatus.PROPOSED,
    BookingStatus.CONFIRMED,
)


def cancel_visits_of_suspended(events: Sequence[DomainEvent]) -> None:
    """A suspended (or offboarded) helper's coming visits are cancelled by the manager who
    made the move, through `booking_cancel` (nobody's fault as the customer sees it: they
    lose nothing, and the request is offered to other helpers while a time window is left).
    The customer hears of it as of any cancellation."""
    for event in [*of_type(events, HelperSuspended), *of_type(events, HelperOffboarded)]:
        if event.actor_id is None:
            continue
        manager = User.objects.get(pk=event.actor_id)
        coming = Booking.objects.filter(
            helper_id=event.helper_id, status__in=VISITS_TO_CANCEL_ON_SUSPENSION
        ).order_by("pk")
        for booking in coming:
            booking_cancel(
                booking=booking,
                actor=manager,
                reason=gettext("The helper can no longer come. We are looking for another one."),
                caused_by=Party.NOBODY,
            )


def withdraw_offers_of_suspended(events: Sequence[DomainEvent]) -> None:
    """A suspended (or offboarded) helper is asked nothing more: their pending offers are
    withdrawn now, and those requests offered to other helpers (by `schedule_tasks`)."""
    for event in [*of_type(events, HelperSuspended), *of_type(events, HelperOffboarded)]:
        offers_withdraw_for_helper(
            helper=HelperProfile(pk=event.helper_id), reason="helper suspended"
        )


# What decides whether a helper can be paid: their account taking charges, and their rate.
UNPAID_FIELDS = frozenset({"takes_payments", "hourly_rate_minor"})


def withdraw_offers_of_unpaid(events: Sequence[DomainEvent]) -> None:
    """A helper who charges and can no longer be paid (their payout account stopped taking
    charges) keeps no pending offer: they are withdrawn now, and those requests offered to
    other helpers (by `schedule_tasks`). Their accepted offers and visits stay: confirming a
    paid time waits for the account (`helper_can_be_paid`)."""
    helper_ids = sorted(
        {
            event.helper_id
            for event in of_type(events, HelperProfileChanged)
            if UNPAID_FIELDS & set(event.fields)
        }
    )
    for helper_id in helper_ids:
        offers_withdraw_for_unpaid_helper(helper_id=helper_id)


def mail_about_reports(event: DomainEvent, *, sequence: int) -> None:
    """One e-mail per report event and recipient. Delivered at least once (the relay retries
    after a crash between sending and its acknowledgement)."""
    if isinstance(event, SafetyReportFiled):
        emails.send_report_filed(event.report_id)
    elif isinstance(event, SafetyReportDecided):
        emails.send_report_decided(event.report_id)
        if event.outcome == SafetyOutcome.WARNING:
            emails.send_warning(event.report_id)


REPORT_EVENTS = (SafetyReportFiled, SafetyReportDecided)


# --- E-mails to customers ----------------------------------------------------------------------


def _found_nobody_at_once(event: HelpRequestUnmatched, sequence: int) -> bool:
    """Whether nobody was found in the pass the customer started themselves (posting, or
    changing the place, times or languages): their page said so at once. It is so when the
    request's last event before is the customer's, and no offer was made for it since."""
    row = OutboxEvent.objects.get(pk=sequence)
    before = (
        OutboxEvent.objects.filter(
            aggregate_type=row.aggregate_type, aggregate_id=row.aggregate_id, pk__lt=sequence
        )
        .order_by("-pk")
        .first()
    )
    if before is None:
        return False
    by_customer = before.event_type in (
        HelpRequestPosted.type_name(),
        HelpRequestChanged.type_name(),
    ) or (
        before.event_type == HelpRequestReopened.type_name()
        and before.payload.get("role") == ActorRole.CUSTOMER
    )
    offered_since = OutboxEvent.objects.filter(
        event_type=OfferMade.type_name(),
        pk__gt=before.pk,
        pk__lt=sequence,
        payload__help_request_id=event.help_request_id,
    ).exists()
    return by_customer and not offered_since


def mail_customers(event: DomainEvent, *, sequence: int) -> None:
    """One e-mail to the customer per moment they must act on or must know of, none for what
    they did themselves. Delivered at least once (the relay retries after a crash between
    sending and its acknowledgement)."""
    if isinstance(event, ProposalsMade):
        customer_emails.send_times_proposed(event.booking_id, event.proposal_ids)
    elif isinstance(event, BookingCancelled):
        # The confirmed visit, cancelled by the helper or by the platform for a cause that is
        # not the customer's (a manager cancelling for the customer acts for them).
        if (
            event.from_status in (BookingStatus.CONFIRMED, BookingStatus.ON_THE_WAY)
            and event.role in (ActorRole.HELPER, ActorRole.MANAGER)
            and event.data.get("caused_by") != Party.CUSTOMER
        ):
            customer_emails.send_visit_cancelled(
                event.booking_id, by_helper=event.role == ActorRole.HELPER
            )
        elif (
            event.from_status == BookingStatus.PROPOSED
            and event.role in (ActorRole.HELPER, ActorRole.MANAGER)
            and event.data.get("caused_by") != Party.CUSTOMER
        ):
            # The helper withdrew (or was suspended) after the customer was asked to choose
            # one of their times.
            customer_emails.send_times_withdrawn(event.booking_id)
    elif isinstance(event, BookingCompleted):
        customer_emails.send_sign_off_asked(event.booking_id)
    elif isinstance(event, HelpRequestUnmatched):
        if not _found_nobody_at_once(event, sequence):
            customer_emails.send_nobody_found(event.help_request_id, expired=False)
    elif isinstance(event, HelpRequestExpired) and event.from_status == HelpRequestStatus.OPEN:
        # From unmatched, the customer knows already that nobody is free (by e-mail, or on
        # the page at once when they posted or changed the request).
        customer_emails.send_nobody_found(event.help_request_id, expired=True)


CUSTOMER_MAIL_EVENTS = (
    ProposalsMade,
    BookingCancelled,
    BookingCompleted,
    HelpRequestUnmatched,
    HelpRequestExpired,
)


# --- E-mails to helpers ------------------------------------------------------------------------


def mail_helpers(event: DomainEvent, *, sequence: int) -> None:
    """One e-mail to the helper per move of their visit they must act on or must know of,
    none for what they did themselves. Delivered at least once."""
    assert isinstance(event, BookingMoved)  # noqa: S101 - subscribed to booking moves only
    if event.role == ActorRole.HELPER:
        return
    if isinstance(event, BookingConfirmed):
        helper_emails.send_visit_confirmed(event.booking_id)
    elif isinstance(event, BookingTimesRequested):
        helper_emails.send_times_requested(event.booking_id)
    elif isinstance(event, BookingSignedOff):
        helper_emails.send_visit_signed_off(event.booking_id)
    elif (
        isinstance(event, BookingCancelled)
        and event.from_status in (BookingStatus.CONFIRMED, BookingStatus.ON_THE_WAY)
        and event.data.get("caused_by") == Party.CUSTOMER
    ):
        # By the customer, or by a manager for them; the platform's own cancellations (a
        # suspension) are the manager's to explain.
        helper_emails.send_visit_cancelled(event.booking_id)


HELPER_MAIL_EVENTS = (BookingConfirmed, BookingTimesRequested, BookingSignedOff, BookingCancelled)


def mail_helpers_about_offers(event: DomainEvent, *, sequence: int) -> None:
    """The helper hears why their pending offers were withdrawn when they cannot be paid: one
    e-mail for the offers withdrawn together. Delivered at least once."""
    assert isinstance(event, OfferWithdrawn)  # noqa: S101 - subscribed to this class only
    if event.withdrawal_cause == WithdrawalCause.CANNOT_BE_PAID:
        helper_emails.send_offers_withdrawn_unpaid(event.offer_id)
