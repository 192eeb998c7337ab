"""Reads of requests, offers and bookings, scoped to who is asking.

Permission scoping happens here, once: an object outside the actor's scope does not exist
for them (the API answers 404, never 403, so nobody learns that it exists).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, cast
from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.exceptions import CoreError, NotFound, raises
from backend.models import User
from bookings.contact_masking import mask_contacts
from bookings.customer_emails import first_name
from bookings.models import (
    AGREED_STATUSES,
    BROKEN_STATUSES,
    LIVE_STATUSES,
    SLOT_HOLDING_STATUSES,
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    HelperBlock,
    HelpRequest,
    HelpRequestStatus,
    MatchingRun,
    Offer,
    OfferStatus,
    Party,
    ProposalStatus,
    Review,
    SafetyOutcome,
    SafetyReport,
    SlotProposal,
)
from bookings.transitions import BOOKING_TRANSITIONS
from helpers.models import ApprovalStatus, HelperProfile


def help_requests_visible_to(user: User) -> QuerySet[HelpRequest]:
    """A customer sees their own requests; the community manager sees all."""
    queryset = HelpRequest.objects.select_related("category", "customer").prefetch_related(
        "windows"
    )
    if user.is_staff:
        return queryset
    return queryset.filter(customer=user)


def _one_request(queryset: QuerySet[HelpRequest], **lookup: Any) -> HelpRequest:
    try:
        return queryset.get(**lookup)
    except HelpRequest.DoesNotExist as exc:
        raise NotFound(_("No such help request.")) from exc


@raises(CoreError.NOT_FOUND)
def help_request_for(user: User, public_id: UUID) -> HelpRequest:
    return _one_request(help_requests_visible_to(user), public_id=public_id)


@raises(CoreError.NOT_FOUND)
def own_help_request_for(user: User, public_id: UUID) -> HelpRequest:
    """Only the customer who posted a request may change it (not even the manager)."""
    return _one_request(help_requests_visible_to(user), public_id=public_id, customer=user)


def offers_visible_to(user: User) -> QuerySet[Offer]:
    """A helper sees the offers made to them; the manager sees all."""
    queryset = Offer.objects.select_related(
        "help_request__category", "helper__user"
    ).prefetch_related("help_request__windows")
    if user.is_staff:
        return queryset
    return queryset.filter(helper__user=user)


@raises(CoreError.NOT_FOUND)
def offer_for(user: User, public_id: UUID) -> Offer:
    try:
        return offers_visible_to(user).get(public_id=public_id)
    except Offer.DoesNotExist as exc:
        raise NotFound(_("No such offer.")) from exc


def offers_of_request(help_request: HelpRequest) -> QuerySet[Offer]:
    return Offer.objects.filter(help_request=help_request).select_related(
        "helper__user", "help_request__category"
    )


@raises(CoreError.NOT_FOUND)
def matching_runs_for_manager(user: User, request_public_id: UUID) -> QuerySet[MatchingRun]:
    """The matching passes of one help request, newest first. Only the community manager sees
    them: for anyone else the request does not exist, even their own."""
    if not user.is_staff:
        raise NotFound(_("No such help request."))
    help_request = help_request_for(user, request_public_id)
    return MatchingRun.objects.filter(help_request=help_request).order_by("-created_at", "-id")


def helpers_considered_in(runs: Iterable[MatchingRun]) -> dict[int, HelperProfile]:
    """The helpers the runs' `considered` lists name, by primary key, in one query. A helper
    deleted since is simply absent."""
    helper_ids = {entry["helper_id"] for run in runs for entry in run.considered}
    if not helper_ids:
        return {}
    return (
        HelperProfile.objects.select_related("user")
        .only("id", "public_id", "user__display_name")
        .in_bulk(helper_ids)
    )


def current_proposals() -> Prefetch:
    """A booking's proposals that still stand, as `booking.current_proposals`."""
    return Prefetch(
        "proposals",
        queryset=SlotProposal.objects.exclude(status=ProposalStatus.SUPERSEDED),
        to_attr="current_proposals",
    )


def bookings_visible_to(user: User) -> QuerySet[Booking]:
    """The customer and the helper of a booking see it; the manager sees all."""
    queryset = Booking.objects.select_related(
        "help_request__category", "help_request__customer", "helper__user"
    ).prefetch_related("help_request__windows", current_proposals())
    if user.is_staff:
        return queryset
    return queryset.filter(Q(help_request__customer=user) | Q(helper__user=user))


@raises(CoreError.NOT_FOUND)
def booking_for(user: User, public_id: UUID) -> Booking:
    try:
        return bookings_visible_to(user).get(public_id=public_id)
    except Booking.DoesNotExist as exc:
        raise NotFound(_("No such booking.")) from exc


def visits_held(
    helper_ids: Sequence[int], span_start: datetime, span_end: datetime, using: str
) -> list[tuple[int, datetime, datetime]]:
    """(helper id, start, end) of the visits these helpers hold that overlap the span: time they
    are not free (registered with `helpers.availability` by this app's AppConfig)."""
    held = (
        Booking.objects.using(using)
        .filter(
            helper_id__in=helper_ids,
            status__in=SLOT_HOLDING_STATUSES,
            starts_at__lt=span_end,
            ends_at__gt=span_start,
        )
        .values_list("helper_id", "starts_at", "ends_at")
    )
    # Slot-holding bookings always have both ends (a database check guarantees it).
    return [(helper_id, start, end) for helper_id, start, end in held if start and end]


# The visits a calendar shows: every one with a time, from this many days ago on. A broken
# one (cancelled, no-show) is shown as cancelled, so that calendars which kept it drop it.
CALENDAR_STATUSES = AGREED_STATUSES
CALENDAR_DAYS_BACK = 90


def helper_calendar_visits(helper: HelperProfile) -> QuerySet[Booking]:
    """The helper's visits for their calendar feed, with what the feed names (one query)."""
    since = clock.now() - timedelta(days=CALENDAR_DAYS_BACK)
    return (
        Booking.objects.select_related(
            "help_request__category", "help_request__customer", "helper__user"
        )
        .filter(
            helper=helper,
            status__in=(*CALENDAR_STATUSES, *BROKEN_STATUSES),
            starts_at__gte=since,
            ends_at__isnull=False,
        )
        .order_by("starts_at", "pk")
    )


def role_in_booking(booking: Booking, user: User) -> str | None:
    """The user's part in a booking: helper, customer, manager (staff), or None for anyone else."""
    if booking.helper.user_id == user.pk:
        return ActorRole.HELPER
    if booking.help_request.customer_id == user.pk:
        return ActorRole.CUSTOMER
    if user.is_staff:
        return ActorRole.MANAGER
    return None


def next_statuses_for(booking: Booking, user: User) -> list[str]:
    """Where the user may move the booking next, in their role in it (the app's buttons).

    A no-show is left out while it may not be reported yet (`no_show_too_early`, the rule the
    service refuses it by). The helper's "on my way" and "arrived" stay listed before their
    time: the pages say from when they are possible (`visit_step_opens_at`)."""
    role = role_in_booking(booking, user)
    now = clock.now()
    return sorted(
        to
        for (origin, to), roles in BOOKING_TRANSITIONS.items()
        if origin == booking.status
        and role in roles
        and not (to == BookingStatus.NO_SHOW and no_show_too_early(booking, role, now))
    )


# How long before the visit's start the helper may set off, and say they have arrived.
ON_THE_WAY_LEAD = timedelta(hours=6)
CHECK_IN_LEAD = timedelta(hours=1)


def visit_step_opens_at(booking: Booking, to: str) -> datetime | None:
    """From when the helper or the customer may move the booking to `to` by the clock (the
    services refuse it before, `too_early`), or None when no time holds it back: no start
    agreed yet, or a step without a time rule. A manager's no-show is not timed."""
    if booking.starts_at is None:
        return None
    if to == BookingStatus.ON_THE_WAY:
        return booking.starts_at - ON_THE_WAY_LEAD
    if to == BookingStatus.IN_PROGRESS:
        return booking.starts_at - CHECK_IN_LEAD
    if to == BookingStatus.NO_SHOW:
        return booking.starts_at + timedelta(minutes=config().no_show_grace_minutes)
    return None


def no_show_too_early(booking: Booking, role: str | None, now: datetime) -> bool:
    """Whether a no-show reported now by someone in `role` comes too early: before the visit's
    start plus the grace period (`visit_step_opens_at`). A manager's report is not timed. The
    service refuses such a report (`too_early`); `next_statuses_for` does not offer it."""
    if role == ActorRole.MANAGER:
        return False
    opens_at = visit_step_opens_at(booking, BookingStatus.NO_SHOW)
    return opens_at is not None and now < opens_at


def with_status(queryset: QuerySet[HelpRequest]) -> QuerySet[HelpRequest]:
    """Each request with what its customer is shown beside it, asked in the same statement:
    `pending_offer_total`, how many of its offers wait for an answer, and
    `live_booking_public_id`, the booking that still stands (the latest one not cancelled or
    missed), or None."""
    pending = (
        Offer.objects.filter(help_request=OuterRef("pk"), status=OfferStatus.PENDING)
        .order_by()
        .values("help_request")
        .annotate(total=Count("pk"))
        .values("total")
    )
    live = (
        Booking.objects.filter(help_request=OuterRef("pk"))
        .exclude(status__in=BROKEN_STATUSES)
        .order_by("-created_at", "-id")
        .values("public_id")[:1]
    )
    return queryset.annotate(
        pending_offer_total=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
        live_booking_public_id=Subquery(live),
    )


@raises(CoreError.NOT_FOUND)
def help_request_status_for(user: User, public_id: UUID) -> HelpRequest:
    """One request as `help_request_for` finds it, `with_status`."""
    return _one_request(with_status(help_requests_visible_to(user)), public_id=public_id)


def help_request_with_status(help_request: HelpRequest) -> HelpRequest:
    """`help_request` read again as it stands now, `with_status`, with its category and windows
    (after a change, for its customer's answer)."""
    return with_status(
        HelpRequest.objects.select_related("category").prefetch_related("windows")
    ).get(pk=help_request.pk)


# While the helper still needs the customer's street, exact place and phone numbers: from
# winning the request, through the visit's day, until the customer signs the work off (a
# dispute is not signed off yet and may send the helper back). Signed off or settled,
# cancelled or a no-show, the helper keeps the postal code and locality only.
# That is while the visit is alive for its request (`LIVE_STATUSES`).
HELPER_CONTACT_STATUSES = LIVE_STATUSES


def contact_visible_to(booking: Booking, user: User) -> bool:
    """The exact address and phone numbers: shown to the visit's helper only while they need
    them (HELPER_CONTACT_STATUSES); the customer and the manager always see them. The helper's
    visit page, the API's booking, the calendar feed and e-mails all ask here."""
    if role_in_booking(booking, user) != ActorRole.HELPER:
        return True
    return booking.status in HELPER_CONTACT_STATUSES


def chat_contacts_visible_to(booking: Booking, user: User) -> bool:
    """Phone numbers and e-mail addresses typed in the visit's chat, as `user` reads them:
    hidden from both sides until the visit is agreed (AGREED_STATUSES, so that nobody arranges
    it around Quartier), then shown while `contact_visible_to` shows `user` the contact: to the
    customer and the manager from then on, to the helper only until the visit is over."""
    return booking.status in AGREED_STATUSES and contact_visible_to(booking, user)


def request_description_for(
    help_request: HelpRequest, user: User, booking: Booking | None = None
) -> str:
    """The request's description as `user` reads it, on `booking` (None: on an offer not
    taken): as written for its customer and the manager; for a helper, phone numbers and
    e-mail addresses masked (as in the chat) unless `booking` is theirs and shows them the
    contact (`contact_visible_to`): not before they win the request, nor once the visit is
    signed off, cancelled or missed. Decided at read time: the stored text is kept."""
    if help_request.customer_id == user.pk or user.is_staff:
        return help_request.description
    if (
        booking is not None
        and role_in_booking(booking, user) == ActorRole.HELPER
        and contact_visible_to(booking, user)
    ):
        return help_request.description
    return mask_contacts(help_request.description)


def customer_name_for(booking: Booking, user: User) -> str:
    """The customer's name as `user` reads it on the visit: the first name for its helper, as
    the visit's page shows it; the whole name for the customer and the manager."""
    customer = booking.help_request.customer
    if role_in_booking(booking, user) != ActorRole.HELPER:
        return customer.display_name
    return first_name(customer, "")


@raises(CoreError.NOT_FOUND)
def proposal_of(booking: Booking, public_id: UUID) -> SlotProposal:
    try:
        return booking.proposals.get(public_id=public_id)
    except SlotProposal.DoesNotExist as exc:
        raise NotFound.for_field(
            "proposal", _("No such proposal."), code=CoreError.NOT_FOUND
        ) from exc


def booking_events(booking: Booking) -> QuerySet[BookingEvent]:
    return booking.events.select_related("actor")


def _reviews_seen_by(user: User, reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Double-blind: your own review always; the other side's once published; all for staff."""
    reviews = reviews.select_related("author", "subject")
    if user.is_staff:
        return reviews
    return reviews.filter(Q(author=user) | Q(published_at__isnull=False))


def reviews_visible_to(user: User, booking: Booking) -> QuerySet[Review]:
    return _reviews_seen_by(user, Review.objects.filter(booking=booking))


def visits_of_request(user: User, help_request: HelpRequest) -> list[Booking]:
    """The request's visits the user may see, the first first, each read with its whole story:
    its steps with who took them (`booking_events`, as `booking.steps`), every time proposed,
    chosen, still open or replaced (`booking.all_proposals`), and its reviews as
    `reviews_visible_to` shows them to the user (`booking.seen_reviews`; the manager reads
    both, published or not). Four queries however many visits, steps, times and reviews."""
    return list(
        bookings_visible_to(user)
        .filter(help_request=help_request)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("events", BookingEvent.objects.select_related("actor"), to_attr="steps"),
            Prefetch(
                "proposals",
                SlotProposal.objects.order_by("created_at", "starts_at", "id"),
                to_attr="all_proposals",
            ),
            Prefetch(
                "reviews", _reviews_seen_by(user, Review.objects.all()), to_attr="seen_reviews"
            ),
        )
        .order_by("created_at", "id")
    )


def reviews_received(user: User) -> QuerySet[Review]:
    """The published reviews about `user`, newest first (double-blind: hidden ones never)."""
    return (
        Review.objects.filter(subject=user, published_at__isnull=False)
        .select_related("booking__help_request__category")
        .order_by("-published_at", "-id")
    )


# The steps of an application where the manager acts next (helpers/transitions.py): check the
# documents, approve or invite after the conduct test, decide after the interview.
MANAGER_STEPS = (
    ApprovalStatus.DOCUMENTS_SUBMITTED,
    ApprovalStatus.CONDUCT_TEST_PASSED,
    ApprovalStatus.INTERVIEW,
)


def helpers_waiting_for_manager() -> dict[str, int]:
    """How many applicants wait for the manager at each of the manager's steps."""
    counted = dict(
        HelperProfile.objects.filter(approval_status__in=MANAGER_STEPS)
        .values_list("approval_status")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {step: counted.get(step, 0) for step in MANAGER_STEPS}


def manager_figures() -> dict[str, Any]:
    """The community manager's dashboard: what waits for someone, in a few counts."""
    requests = dict(
        HelpRequest.objects.values_list("status").annotate(count=Count("id")).order_by()
    )
    bookings = dict(Booking.objects.values_list("status").annotate(count=Count("id")).order_by())
    return {
        "open_requests": requests.get(HelpRequestStatus.OPEN, 0),
        "unmatched_requests": requests.get(HelpRequestStatus.UNMATCHED, 0),
        "helpers_waiting": helpers_waiting_for_manager(),
        "disputes": bookings.get(BookingStatus.DISPUTED, 0),
        "open_reports": SafetyReport.objects.filter(outcome="").count(),
        "bookings_by_status": {value: bookings.get(value, 0) for value in BookingStatus.values},
    }


def safety_reports_for_manager(user: User) -> QuerySet[SafetyReport]:
    """The triage queue: open reports first, newest first. Managers only; nobody else, the
    reporter and the reported person included, reads a report back."""
    if not user.is_staff:
        return SafetyReport.objects.none()
    return SafetyReport.objects.select_related(
        "booking__help_request__category",
        "booking__helper__user",
        "reporter",
        "reported",
        "triaged_by",
    ).order_by("outcome", "-created_at", "-id")


@raises(CoreError.NOT_FOUND)
def safety_report_for_manager(user: User, public_id: UUID | str) -> SafetyReport:
    try:
        return safety_reports_for_manager(user).get(public_id=public_id)
    except (SafetyReport.DoesNotExist, ValueError) as exc:
        raise NotFound(_("No such report.")) from exc


def safety_reports_about(manager: User, person: User) -> QuerySet[SafetyReport]:
    """Every report about `person`, open ones first, then newest first: what the manager
    weighs a new report against. Managers only, as the queue."""
    return safety_reports_for_manager(manager).filter(reported=person)


def warnings_given_to(manager: User, person: User) -> QuerySet[SafetyReport]:
    """Every warning the community manager gave `person`, newest first, however old (the
    warned person reads only those of the last `WARNING_SHOWN_DAYS` days)."""
    return (
        safety_reports_about(manager, person)
        .filter(outcome=SafetyOutcome.WARNING)
        .order_by("-triaged_at", "-id")
    )


# How many of a customer's requests, visits and reports their file lists (the newest).
CUSTOMER_FILE_RECENT = 10


class CustomerFile(NamedTuple):
    """A customer as the community manager reads them when handling a report."""

    customer: User
    request_count: int
    visit_count: int
    requests: list[HelpRequest]
    visits: list[Booking]
    reports_filed: list[SafetyReport]
    reports_about: list[SafetyReport]
    warnings: list[SafetyReport]
    cancellations: list[Booking]


@raises(CoreError.NOT_FOUND)
def customer_file_for_manager(manager: User, public_id: UUID) -> CustomerFile:
    """The customer's requests and visits (counts and the newest), the reports they filed and
    those about them, their warnings and the cancellations and no-shows they caused. Managers
    only; another manager's account has no customer file."""
    customer = (
        User.objects.filter(public_id=public_id, is_staff=False).first()
        if manager.is_staff
        else None
    )
    if customer is None:
        raise NotFound(_("No such customer."))
    requests = help_requests_visible_to(manager).filter(customer=customer).prefetch_related(None)
    visits = (
        bookings_visible_to(manager)
        .filter(help_request__customer=customer)
        .prefetch_related(None)
        .order_by("-created_at", "-id")
    )
    recent = CUSTOMER_FILE_RECENT
    return CustomerFile(
        customer=customer,
        request_count=requests.count(),
        visit_count=visits.count(),
        requests=list(requests.order_by("-created_at", "-id")[:recent]),
        visits=list(visits[:recent]),
        reports_filed=list(safety_reports_for_manager(manager).filter(reporter=customer)[:recent]),
        reports_about=list(safety_reports_about(manager, customer)[:recent]),
        warnings=list(warnings_given_to(manager, customer)[:recent]),
        cancellations=list(
            visits.filter(status__in=BROKEN_STATUSES, caused_by=Party.CUSTOMER)[:recent]
        ),
    )


def safety_record_of(user: User) -> QuerySet[SafetyReport]:
    """The decided reports on a user (the manager's view of their record), newest first."""
    return SafetyReport.objects.filter(reported=user).exclude(outcome="").order_by("-triaged_at")


# How long a warning stays in view on the warned person's pages; it stays on their record.
WARNING_SHOWN_DAYS = 90


def warnings_shown_to(user: User) -> QuerySet[SafetyReport]:
    """The warnings the community manager gave the user in the last `WARNING_SHOWN_DAYS` days,
    newest first. The warned person reads the manager's reason and the visit's day, never the
    report itself."""
    since = clock.now() - timedelta(days=WARNING_SHOWN_DAYS)
    return (
        SafetyReport.objects.filter(
            reported=user, outcome=SafetyOutcome.WARNING, triaged_at__gte=since
        )
        .select_related("booking")
        .order_by("-triaged_at", "-pk")
    )


def reported_visit_day(report: SafetyReport) -> date:
    """The day of the reported visit, in Swiss time (the day of the report for a visit that had
    no time yet): how a warning names the visit it is about."""
    return timezone.localtime(report.booking.starts_at or report.created_at).date()


class ShownWarning(NamedTuple):
    """A warning as the warned person reads it, on their page and in the phone app."""

    visit_day: date
    reason: str
    given_at: datetime


def shown_warnings(user: User) -> list[ShownWarning]:
    """`warnings_shown_to`, each as the warned person reads it (one statement). A warning is
    always triaged (`warnings_shown_to` reads by `triaged_at`)."""
    return [
        ShownWarning(
            reported_visit_day(report), report.triage_note, cast(datetime, report.triaged_at)
        )
        for report in warnings_shown_to(user)
    ]


def helper_ids_blocked_by(customer_id: int) -> set[int]:
    """The helpers the customer asked never to be offered their requests again."""
    return set(
        HelperBlock.objects.filter(customer_id=customer_id).values_list("helper_id", flat=True)
    )


def helper_is_blocked(customer: User, helper_id: int) -> bool:
    return HelperBlock.objects.filter(customer=customer, helper_id=helper_id).exists()


# A visit can be reported from the moment the helper sets out, or once its start time has come
# (a helper who never sets out is a no-show to report), and at any time after.
REPORTABLE_STATUSES = (
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
    BookingStatus.COMPLETED,
    BookingStatus.SIGNED_OFF,
    BookingStatus.DISPUTED,
    BookingStatus.SETTLED,
    BookingStatus.NO_SHOW,
)


def booking_reportable(booking: Booking) -> bool:
    """Whether the visit has started, so that either side may report the other."""
    if booking.status in REPORTABLE_STATUSES:
        return True
    return (
        booking.status == BookingStatus.CONFIRMED
        and booking.starts_at is not None
        and booking.starts_at <= clock.now()
    )


def safety_report_open_by(user: User, booking: Booking) -> bool:
    """Whether the user's report on this visit is still with the community manager."""
    return SafetyReport.objects.filter(booking=booking, reporter=user, outcome="").exists()


def cancellation_late(booking: Booking, now: datetime | None = None) -> bool:
    """Whether cancelling the visit now is late: it holds its time and starts within the
    late-cancellation hours (the customer's then pays the helper the cancellation fee)."""
    if booking.status not in SLOT_HOLDING_STATUSES or booking.starts_at is None:
        return False
    moment = clock.now() if now is None else now
    return booking.starts_at - moment < timedelta(hours=config().late_cancellation_hours)
