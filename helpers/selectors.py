"""Reads of helper data, scoped to who is asking."""

from __future__ import annotations

import functools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.exceptions import NotFound, raises
from backend.models import User
from backend.prepared import Prepared
from catalogue.models import LegalAcceptance
from catalogue.selectors import current_code_of_conduct_versions
from helpers.errors import HelperError
from helpers.models import (
    VETTING_STATUSES,
    AppealStatus,
    ApprovalStatus,
    AvailabilityException,
    ExceptionKind,
    HelperAppeal,
    HelperApprovalEvent,
    HelperDocument,
    HelperProfile,
    WeeklyAvailability,
)


@raises(HelperError.NOT_A_HELPER)
def helper_profile_of(user: User) -> HelperProfile:
    """The user's own helper profile, or 404 when they are not a helper."""
    try:
        return HelperProfile.objects.select_related("user").get(user=user)
    except HelperProfile.DoesNotExist as exc:
        raise NotFound(
            _("You are not registered as a helper."), code=HelperError.NOT_A_HELPER
        ) from exc


def helpers_for_manager(user: User) -> QuerySet[HelperProfile]:
    if not user.is_staff:
        return HelperProfile.objects.none()
    return HelperProfile.objects.select_related("user").prefetch_related("skills")


def helpers_found(
    user: User, *, text: str = "", status: str = "", skill_slug: str = ""
) -> QuerySet[HelperProfile]:
    """The helpers a manager looks for, newest first: `text` in the name or e-mail address,
    with the approval `status`, holding the skill `skill_slug`; an empty criterion is no
    criterion. The order walks an index (helper_by_creation)."""
    found = helpers_for_manager(user).order_by("-created_at", "-id")
    if text:
        found = found.filter(Q(user__display_name__icontains=text) | Q(user__email__icontains=text))
    if status:
        found = found.filter(approval_status=status)
    if skill_slug:
        # A helper holds a skill once (helper_skill_unique): no row is repeated.
        found = found.filter(skills__slug=skill_slug)
    return found


def availability_exceptions_of(helper: HelperProfile) -> QuerySet[AvailabilityException]:
    return AvailabilityException.objects.filter(helper=helper)


# A helper who charges for their work needs a payout account that can take charges; one who
# works for free (rate 0) does not.
CAN_BE_PAID = Q(takes_payments=True) | Q(hourly_rate_minor=0)


def helper_is_applying(helper: HelperProfile) -> bool:
    """Whether the helper's application is still open: no offer can come to them yet."""
    return helper.approval_status in VETTING_STATUSES


def helper_takes_payments(helper_id: int) -> bool:
    """Whether the helper's payout account takes charges now (as payments last recorded it)."""
    return HelperProfile.objects.filter(pk=helper_id, takes_payments=True).exists()


def ready_for_offers() -> QuerySet[HelperProfile]:
    """Approved, accepting jobs, with an active account and a home address, who accepted the
    current code of conduct (when there is one); payments aside. One statement, the current code
    of conduct read inside it, so that a statement built on it can be prepared once."""
    code = current_code_of_conduct_versions().values("pk")[:1]
    return HelperProfile.objects.filter(
        Q(~Exists(code))
        | Exists(LegalAcceptance.objects.filter(user=OuterRef("user"), version=code)),
        approval_status=ApprovalStatus.APPROVED,
        is_accepting_jobs=True,
        user__is_active=True,
        user__home_latitude__isnull=False,
        user__home_longitude__isnull=False,
    )


def charges_without_payouts(helper: HelperProfile) -> bool:
    """Whether the helper charges for their work but their payout account cannot take charges
    yet (as payments last recorded it): paid requests pass them over until it can. No
    statement."""
    return not helper.takes_payments and helper.hourly_rate_minor > 0


def payout_account_to_finish(helper: HelperProfile) -> bool:
    """Whether the helper is told to finish connecting their payout account (on their start
    page, their earnings and the API's `payout`): approved, and `charges_without_payouts`.
    No statement."""
    return helper.approval_status == ApprovalStatus.APPROVED and charges_without_payouts(helper)


class OfferBlocker:
    """What keeps an approved helper's offers away (`offer_blockers`)."""

    TERMS = "terms"  # the current code of conduct is not accepted
    PAYOUTS = "payouts"  # charges for the work, but no payout account that takes charges
    HOURS = "hours"  # no weekly hours, and no extra time ahead


def offer_blockers(helper: HelperProfile) -> list[str]:
    """What the approved `helper` still lacks before offers can come to them (`OfferBlocker`,
    in the order to mend them): the matching passes them over in silence otherwise. One
    statement."""
    code = current_code_of_conduct_versions().values("pk")[:1]
    has_code, accepted, has_weekly, has_extra = (
        HelperProfile.objects.filter(pk=helper.pk)
        .values_list(
            Exists(code),
            Exists(LegalAcceptance.objects.filter(user=helper.user_id, version=code)),
            Exists(WeeklyAvailability.objects.filter(helper=helper.pk)),
            Exists(
                AvailabilityException.objects.filter(
                    helper=helper.pk, kind=ExceptionKind.AVAILABLE, ends_at__gt=clock.now()
                )
            ),
        )
        .get()
    )
    blockers = [OfferBlocker.TERMS] if has_code and not accepted else []
    if charges_without_payouts(helper):
        blockers.append(OfferBlocker.PAYOUTS)
    if not has_weekly and not has_extra:
        blockers.append(OfferBlocker.HOURS)
    return blockers


def eligible_helpers() -> QuerySet[HelperProfile]:
    """The helpers who may be offered work: approved, accepting jobs, with an active account
    and a home address, and able to be paid (a payout account that takes charges, or working
    for free). The match index holds one row per skill for each of them."""
    return ready_for_offers().filter(CAN_BE_PAID)


@functools.cache
def _unpaid_near(limit: int) -> Prepared:
    """The statement of `unpaid_helpers_near` for this `limit`: every matching pass sends it
    (for the manager's record), so it is built once per database."""

    def build(
        category_id: int, min_lat: float, max_lat: float, min_lon: float, max_lon: float
    ) -> QuerySet[HelperProfile, tuple[int, float | None, float | None, int]]:
        return (
            ready_for_offers()
            .filter(
                takes_payments=False,
                hourly_rate_minor__gt=0,
                skills__id=category_id,
                user__home_latitude__range=(min_lat, max_lat),
                user__home_longitude__range=(min_lon, max_lon),
            )
            .order_by("pk")
            .values_list("pk", "user__home_latitude", "user__home_longitude", "service_radius_km")[
                :limit
            ]
        )

    return Prepared(
        build, category_id=int, min_lat=float, max_lat=float, min_lon=float, max_lon=float
    )


def unpaid_helpers_near(
    *, category_id: int, box: tuple[float, float, float, float], limit: int
) -> list[tuple[int, float | None, float | None, int]]:
    """Helpers skilled in the category, with a home in `box` (min_lat, max_lat, min_lon,
    max_lon), left out of matching only because they charge and their payout account cannot
    take charges: (helper id, latitude, longitude, service radius km), at most `limit`."""
    min_lat, max_lat, min_lon, max_lon = box
    rows = _unpaid_near(limit).rows(
        category_id=category_id, min_lat=min_lat, max_lat=max_lat, min_lon=min_lon, max_lon=max_lon
    )
    return [(pk, lat, lon, radius) for pk, lat, lon, radius in rows]


# What matching reads of an eligible helper, in the order the match index's writer unpacks it.
HELPER_MATCHING_FIELDS = (
    "pk",
    "user__home_latitude",
    "user__home_longitude",
    "service_radius_km",
    "user__languages",
    "rating_sum",
    "rating_count",
    "completed_visits",
    "cancellations_caused",
    "no_shows_caused",
    "offers_accepted",
    "offers_declined",
    "offers_expired",
    "response_seconds_total",
    "approval_changed_at",
)


# --- Vetting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedApplication:
    """An open application in the manager's queue, with how long it has waited at its step."""

    helper: HelperProfile
    waiting_since: datetime
    waited: timedelta
    target: timedelta

    @property
    def overdue(self) -> bool:
        return self.waited > self.target


def vetting_queue(
    user: User, *, steps: Sequence[str] = (), postal_code_prefix: str = ""
) -> list[QueuedApplication]:
    """The open applications, longest waiting first, for the community manager only (nobody
    else sees any). An application waits since its last move (or since it was made)."""
    if not user.is_staff:
        return []
    wanted = [step for step in steps if step in VETTING_STATUSES] if steps else VETTING_STATUSES
    helpers = (
        HelperProfile.objects.filter(approval_status__in=wanted)
        .select_related("user")
        .annotate(waiting_since=Coalesce("approval_changed_at", "created_at"))
        .order_by("waiting_since", "pk")
    )
    if postal_code_prefix:
        helpers = helpers.filter(user__home_postal_code__startswith=postal_code_prefix)
    now = clock.now()
    target = timedelta(days=config().vetting_target_days)
    return [
        QueuedApplication(
            helper=helper,
            waiting_since=helper.waiting_since,
            waited=now - helper.waiting_since,
            target=target,
        )
        for helper in helpers
    ]


def documents_for_manager(user: User) -> QuerySet[HelperDocument]:
    """Every applicant's documents (deleted ones too, as records), for managers only."""
    if not user.is_staff:
        return HelperDocument.objects.none()
    return HelperDocument.objects.select_related("helper__user").prefetch_related(
        "accesses__manager"
    )


def documents_of(helper: HelperProfile) -> QuerySet[HelperDocument]:
    """The applicant's own view of what they handed in (the rows, never the files)."""
    return HelperDocument.objects.filter(helper=helper)


def application_history(helper: HelperProfile) -> QuerySet[HelperApprovalEvent]:
    return HelperApprovalEvent.objects.filter(helper=helper).order_by("created_at", "pk")


# The steps the funnel reports, in pipeline order.
FUNNEL_STEPS = (
    ApprovalStatus.APPLIED,
    ApprovalStatus.DOCUMENTS_SUBMITTED,
    ApprovalStatus.DOCUMENTS_CHECKED,
    ApprovalStatus.CONDUCT_TEST_PASSED,
    ApprovalStatus.INTERVIEW,
    ApprovalStatus.NEEDS_INFORMATION,
    ApprovalStatus.APPROVED,
    ApprovalStatus.REJECTED,
    ApprovalStatus.WITHDRAWN,
)


@dataclass(frozen=True)
class FunnelStep:
    step: str
    # Applicants who reached the step within the period (for "applied": who applied).
    reached: int
    # Applicants at the step now.
    waiting_now: int
    # Of those who left the step within the period: the median time they had spent at it.
    median_days: float | None


def vetting_funnel(user: User, *, since: datetime, until: datetime) -> list[FunnelStep]:
    """Applicants per step and the median days spent at each, over [since, until); for
    managers only (nobody else sees any)."""
    if not user.is_staff:
        return []
    reached: dict[str, int] = dict.fromkeys(FUNNEL_STEPS, 0)
    reached[ApprovalStatus.APPLIED] = HelperProfile.objects.filter(
        created_at__gte=since, created_at__lt=until
    ).count()
    durations: dict[str, list[float]] = {step: [] for step in FUNNEL_STEPS}
    entered_at: dict[int, datetime] = {}
    moves = (
        HelperApprovalEvent.objects.filter(created_at__lt=until)
        .order_by("helper_id", "created_at", "pk")
        .values_list("helper_id", "from_status", "to_status", "created_at", "helper__created_at")
    )
    for helper_id, from_status, to_status, moved_at, applied_at in moves:
        started = entered_at.get(helper_id, applied_at)
        if moved_at >= since:
            if to_status in reached:
                reached[to_status] += 1
            if from_status in durations:
                durations[from_status].append((moved_at - started).total_seconds() / 86400)
        entered_at[helper_id] = moved_at
    waiting = dict(
        HelperProfile.objects.values("approval_status")
        .annotate(n=Count("pk"))
        .values_list("approval_status", "n")
    )
    return [
        FunnelStep(
            step=step,
            reached=reached[step],
            waiting_now=waiting.get(step, 0),
            median_days=round(statistics.median(durations[step]), 2) if durations[step] else None,
        )
        for step in FUNNEL_STEPS
    ]


# --- Appeals -------------------------------------------------------------------------------


def appeals_of(helper: HelperProfile) -> QuerySet[HelperAppeal]:
    """The helper's own appeals, newest first."""
    return HelperAppeal.objects.filter(helper=helper).order_by("-created_at", "-id")


def appeals_for_manager(user: User, *, status: str | None = None) -> QuerySet[HelperAppeal]:
    """Every appeal for the community manager (none for anyone else), the oldest open first."""
    if not user.is_staff:
        return HelperAppeal.objects.none()
    appeals = HelperAppeal.objects.select_related("helper__user", "decided_by")
    if status is not None:
        appeals = appeals.filter(status=status)
    return appeals.order_by("created_at", "id")


def open_appeal_count(user: User) -> int:
    return appeals_for_manager(user, status=AppealStatus.OPEN).count()
