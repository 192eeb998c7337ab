"""Every write to helper profiles, skills, approval, figures and availability goes through
these functions.

Each change a higher layer must hear about is emitted as a domain event (`helpers.events`):
the match index, kept by `bookings`, follows them; nothing here calls upwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend import clock
from backend.config import config
from backend.exceptions import CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.outbox import emit
from backend.prepared import quoted_column
from backend.roles import ActorRole
from backend.texts import visible_text
from catalogue.errors import CatalogueError
from catalogue.models import ServiceCategory
from helpers.errors import HelperError
from helpers.events import (
    HelperApplied,
    HelperAvailabilityChanged,
    HelperFiguresChanged,
    HelperProfileChanged,
)
from helpers.exceptions import (
    HelperProfileExists,
    InvalidAvailability,
)
from helpers.models import (
    APPROVAL_NOTE_MAX_LENGTH,
    ApprovalStatus,
    AvailabilityException,
    ExceptionKind,
    HelperApprovalEvent,
    HelperProfile,
    HelperSkill,
    WeeklyAvailability,
)
from helpers.transitions import APPROVAL_MACHINE

MAX_WEEKLY_INTERVALS = 28
# The longest bio, as the model holds it.
BIO_MAX_LENGTH = HelperProfile._meta.get_field("bio").max_length
MAX_RADIUS_KM = 50
# CHF 10 to CHF 500 an hour, in minor units.
MIN_HOURLY_RATE_MINOR = 1_000
MAX_HOURLY_RATE_MINOR = 50_000

# The rating and reliability figures, written only by `helper_figures_add`.
HELPER_FIGURES = (
    "rating_count",
    "rating_sum",
    "completed_visits",
    "cancellations_caused",
    "late_cancellations_caused",
    "no_shows_caused",
    "offers_received",
    "offers_accepted",
    "offers_declined",
    "offers_expired",
    "response_seconds_total",
)

# How far an availability exception may reach beyond the bookable horizon (now to
# QUARTIER_MAX_REQUEST_DAYS_AHEAD): forward, a request's window starts at most that many days
# ahead and lasts at most a day, so no visit bookable today ends later; back, a day lets a
# helper record an exception already under way (ill since this morning) with its real start.
EXCEPTION_HORIZON_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class WeeklyInterval:
    weekday: int
    start_time: time
    end_time: time


@raises(HelperError.HOME_ADDRESS_REQUIRED)
def validate_home_address(user: User) -> None:
    """The applicant's home address is set (and placed): a helper serves from there."""
    if user.home_latitude is None:
        raise ValidationFailed.for_field(
            "home_address",
            _("Set your home address first: offers are matched to where you live."),
            code=HelperError.HOME_ADDRESS_REQUIRED,
        )


@raises(HelperError.INVALID_RADIUS)
def validate_radius(radius_km: int) -> None:
    """How far the helper travels from home: 1 to MAX_RADIUS_KM km."""
    if not 1 <= radius_km <= MAX_RADIUS_KM:
        raise ValidationFailed.for_field(
            "service_radius_km",
            _("The service radius must be between 1 and %(maximum)d km.")
            % {"maximum": MAX_RADIUS_KM},
            code=HelperError.INVALID_RADIUS,
        )


@raises(HelperError.INVALID_HOURLY_RATE)
def validate_hourly_rate(rate_minor: int) -> None:
    """0 (the helper works for free: no payment step) or within the bounds."""
    if rate_minor != 0 and not MIN_HOURLY_RATE_MINOR <= rate_minor <= MAX_HOURLY_RATE_MINOR:
        raise ValidationFailed.for_field(
            "hourly_rate_minor",
            _(
                "The hourly rate must be 0 (you help for free) or between %(low)d and "
                "%(high)d francs."
            )
            % {"low": MIN_HOURLY_RATE_MINOR // 100, "high": MAX_HOURLY_RATE_MINOR // 100},
            code=HelperError.INVALID_HOURLY_RATE,
        )


@raises(HelperError.SKILLS_REQUIRED, CatalogueError.UNKNOWN_CATEGORY)
def validate_skills(skills: Sequence[ServiceCategory]) -> None:
    """What the helper can help with: at least one category, each of them offered."""
    if not skills:
        raise ValidationFailed.for_field(
            "skills",
            _("Choose at least one thing you can help with."),
            code=HelperError.SKILLS_REQUIRED,
        )
    inactive = [category.slug for category in skills if not category.is_active]
    if inactive:
        raise ValidationFailed.for_field(
            "skills",
            _("These categories are not offered: %(categories)s.")
            % {"categories": ", ".join(inactive)},
            code=CatalogueError.UNKNOWN_CATEGORY,
        )


@raises(visible_text)
def validate_bio(bio: str) -> str:
    """A few words about the helper, for customers to read (may be empty)."""
    return visible_text(bio, field="bio", required=False, multiline=True, max_length=BIO_MAX_LENGTH)


def _set_skills(helper: HelperProfile, skills: Sequence[ServiceCategory]) -> None:
    wanted = {category.pk for category in skills}
    HelperSkill.objects.filter(helper=helper).exclude(category_id__in=wanted).delete()
    existing = set(HelperSkill.objects.filter(helper=helper).values_list("category_id", flat=True))
    HelperSkill.objects.bulk_create(
        [HelperSkill(helper=helper, category_id=pk) for pk in sorted(wanted - existing)]
    )


@transaction.atomic
@raises(
    HelperError.HELPER_PROFILE_EXISTS,
    HelperError.HOME_ADDRESS_REQUIRED,
    HelperError.INVALID_RADIUS,
    HelperError.INVALID_HOURLY_RATE,
    HelperError.SKILLS_REQUIRED,
    CatalogueError.UNKNOWN_CATEGORY,
    visible_text,
)
def helper_apply(
    *,
    user: User,
    skills: Sequence[ServiceCategory],
    service_radius_km: int = 10,
    hourly_rate_minor: int = 4000,
    bio: str = "",
) -> HelperProfile:
    """Make `user` a helper applicant. The community manager approves them later.

    The helper serves from their home address, so it must be set first. Two applications of
    one user at once: the database lets one profile in, the other is told it exists.
    """
    if HelperProfile.objects.filter(user=user).exists():
        raise HelperProfileExists(_("You are already registered as a helper."))
    validate_home_address(user)
    validate_radius(service_radius_km)
    validate_hourly_rate(hourly_rate_minor)
    validate_skills(skills)
    bio = validate_bio(bio)
    try:
        with transaction.atomic():
            helper = HelperProfile.objects.create(
                user=user,
                service_radius_km=service_radius_km,
                hourly_rate_minor=hourly_rate_minor,
                bio=bio,
            )
    except IntegrityError as exc:
        raise HelperProfileExists(_("You are already registered as a helper.")) from exc
    _set_skills(helper, skills)
    emit(HelperApplied(helper_id=helper.pk, user_id=user.pk))
    return helper


@transaction.atomic
@raises(
    HelperError.INVALID_RADIUS,
    HelperError.INVALID_HOURLY_RATE,
    HelperError.SKILLS_REQUIRED,
    CatalogueError.UNKNOWN_CATEGORY,
    visible_text,
)
def helper_profile_update(
    *,
    helper: HelperProfile,
    skills: Sequence[ServiceCategory] | None = None,
    service_radius_km: int | None = None,
    hourly_rate_minor: int | None = None,
    bio: str | None = None,
    is_accepting_jobs: bool | None = None,
) -> HelperProfile:
    """Change what the helper controls themselves. Approval is the manager's."""
    changed: list[str] = []
    if service_radius_km is not None:
        validate_radius(service_radius_km)
        helper.service_radius_km = service_radius_km
        changed.append("service_radius_km")
    if hourly_rate_minor is not None:
        validate_hourly_rate(hourly_rate_minor)
        helper.hourly_rate_minor = hourly_rate_minor
        changed.append("hourly_rate_minor")
    if bio is not None:
        helper.bio = validate_bio(bio)
        changed.append("bio")
    if is_accepting_jobs is not None:
        helper.is_accepting_jobs = is_accepting_jobs
        changed.append("is_accepting_jobs")
    if skills is not None:
        validate_skills(skills)
        _set_skills(helper, skills)
    if changed:
        helper.save(update_fields=[*changed, "updated_at"])
    if skills is not None:
        changed.append("skills")
    if changed:
        emit(HelperProfileChanged(helper_id=helper.pk, fields=changed))
    return helper


def helper_takes_payments_set(*, helper_id: int, takes_payments: bool) -> bool:
    """Record whether the helper's payout account can take charges (payments calls this when
    the account's state changes, in that transaction). Emits HelperProfileChanged, so the match
    index follows. Returns whether anything changed."""
    changed = (
        HelperProfile.objects.filter(pk=helper_id)
        .exclude(takes_payments=takes_payments)
        .update(takes_payments=takes_payments, updated_at=clock.now())
    )
    if changed:
        emit(HelperProfileChanged(helper_id=helper_id, fields=["takes_payments"]))
    return bool(changed)


def _check_actor(helper: HelperProfile, actor: User | None, role: str) -> None:
    if role == ActorRole.MANAGER and (actor is None or not actor.is_staff):
        raise PermissionDenied(
            _("Only the community manager approves or suspends helpers."),
            code=HelperError.MANAGER_ONLY,
        )
    if role == ActorRole.HELPER and (actor is None or actor.pk != helper.user_id):
        raise PermissionDenied(
            _("This is not your application."), code=HelperError.NOT_YOUR_APPLICATION
        )
    if role not in (ActorRole.MANAGER, ActorRole.HELPER, ActorRole.SYSTEM):
        raise ValueError(f"no helper's application move is made by the {role}")


# What any move of the application can be refused with: who moves, the table, and its guards.
@raises(
    HelperError.MANAGER_ONLY,
    HelperError.NOT_YOUR_APPLICATION,
    CoreError.ILLEGAL_TRANSITION,
    CoreError.NOT_ALLOWED_FOR_ROLE,
    CoreError.REASON_REQUIRED,
    HelperError.DOCUMENTS_MISSING,
    HelperError.INTERVIEW_REQUIRED,
    visible_text,
)
def helper_approval_move(
    *,
    helper: HelperProfile,
    to: str,
    actor: User | None,
    note: str = "",
    role: str = ActorRole.MANAGER,
) -> HelperProfile:
    """The only writer of `HelperProfile.approval_status`. Run it inside a transaction.

    `role` is who moves: the manager (`actor` is staff), the applicant (`actor` is the helper)
    or Quartier itself (no actor). Locks the profile; a helper already in `to` is left as they
    are (nothing is recorded). Otherwise the move must be in APPROVAL_MACHINE for that role
    and pass its guards; it is stored with the latest note, one HelperApprovalEvent row, and
    the move's domain event (which refreshes the match index, mails the helper after commit
    and, for a decision, schedules the deletion of their documents).
    """
    _check_actor(helper, actor, role)
    helper = HelperProfile.objects.select_for_update().get(pk=helper.pk)
    from_status = helper.approval_status
    if from_status == to:
        return helper
    note = visible_text(
        note, field="note", required=False, multiline=True, max_length=APPROVAL_NOTE_MAX_LENGTH
    )
    transition = APPROVAL_MACHINE.check(
        helper, from_status=from_status, to_status=to, role=role, facts={"note": note}
    )
    helper.approval_status = to
    helper.approval_changed_at = clock.now()
    helper.approval_note = note
    helper.save(
        update_fields=["approval_status", "approval_changed_at", "approval_note", "updated_at"]
    )
    HelperApprovalEvent.objects.create(
        helper=helper, from_status=from_status, to_status=to, actor=actor, role=role, note=note
    )
    if transition.event is not None:
        emit(
            transition.event(
                helper_id=helper.pk,
                from_status=from_status,
                to_status=to,
                actor_id=actor.pk if actor is not None else None,
                note=note,
            )
        )
    return helper


@transaction.atomic
@raises(helper_approval_move)
def helper_approve(*, helper: HelperProfile, actor: User, note: str = "") -> HelperProfile:
    """The community manager approves a vetted applicant (after the conduct test, or the
    interview), or lets a suspended helper receive offers again (before its end date), then
    saying why in `note` (the helper is told): lifting a suspension without one is refused
    (`reason_required`), as suspending is."""
    helper = helper_approval_move(helper=helper, to=ApprovalStatus.APPROVED, actor=actor, note=note)
    _clear_suspension_end(helper)
    return helper


def _clear_suspension_end(helper: HelperProfile) -> None:
    if helper.suspended_until is not None:
        HelperProfile.objects.filter(pk=helper.pk).update(suspended_until=None)
        helper.suspended_until = None


@transaction.atomic
@raises(helper_approval_move, HelperError.IN_THE_PAST)
def helper_suspend(
    *, helper: HelperProfile, actor: User, note: str, until: datetime | None = None
) -> HelperProfile:
    """The community manager stops offers to the helper, saying why, until `until` (then
    the worker reinstates them, `helpers_reinstate_due`) or, with None, until lifted.

    Their pending offers are withdrawn in the same transaction by the bookings' handler of
    HelperSuspended, and those requests are offered to other helpers. The end is stored
    before the move, so that the handlers of HelperSuspended read it.
    """
    if until is not None and until <= clock.now():
        raise ValidationFailed.for_field(
            "until",
            _("The end of the suspension must lie in the future."),
            code=HelperError.IN_THE_PAST,
        )
    if helper.approval_status == ApprovalStatus.APPROVED:
        HelperProfile.objects.filter(pk=helper.pk).update(suspended_until=until)
    return helper_approval_move(helper=helper, to=ApprovalStatus.SUSPENDED, actor=actor, note=note)


def helpers_reinstate_due() -> int:
    """Reinstate every helper whose suspension has reached its end date (Quartier moves them
    back to approved; the match index and the e-mail follow the move). One transaction per
    helper; a helper lifted or offboarded meanwhile is left alone. Returns how many."""
    now = clock.now()
    reinstated = 0
    due = HelperProfile.objects.filter(
        approval_status=ApprovalStatus.SUSPENDED, suspended_until__lte=now
    )
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            helper = (
                HelperProfile.objects.select_for_update()
                .filter(pk=pk, approval_status=ApprovalStatus.SUSPENDED, suspended_until__lte=now)
                .first()
            )
            if helper is None:
                continue
            helper = helper_approval_move(
                helper=helper,
                to=ApprovalStatus.APPROVED,
                actor=None,
                role=ActorRole.SYSTEM,
            )
            _clear_suspension_end(helper)
            reinstated += 1
    return reinstated


@transaction.atomic
@raises(helper_approval_move)
def helper_offboard(*, helper: HelperProfile, actor: User, note: str) -> HelperProfile:
    """The helper leaves Quartier for good (pending offers are withdrawn, as on suspension)."""
    return helper_approval_move(helper=helper, to=ApprovalStatus.OFFBOARDED, actor=actor, note=note)


# --- Vetting -----------------------------------------------------------------------------------


@transaction.atomic
@raises(helper_approval_move)
def application_submit_documents(*, helper: HelperProfile, actor: User) -> HelperProfile:
    """The applicant hands in their documents (both kinds uploaded) for the manager's check;
    also their answer after the manager asked for more information."""
    return helper_approval_move(
        helper=helper, to=ApprovalStatus.DOCUMENTS_SUBMITTED, actor=actor, role=ActorRole.HELPER
    )


@transaction.atomic
@raises(helper_approval_move)
def application_check_documents(
    *, helper: HelperProfile, actor: User, note: str = ""
) -> HelperProfile:
    """The manager found the identity document and the criminal record extract in order."""
    return helper_approval_move(
        helper=helper, to=ApprovalStatus.DOCUMENTS_CHECKED, actor=actor, note=note
    )


@transaction.atomic
@raises(helper_approval_move)
def application_record_conduct_test(
    *, helper: HelperProfile, actor: User | None, note: str = ""
) -> HelperProfile:
    """The applicant passed the code-of-conduct test: taken in person (the manager records
    it, `actor` a manager) or online (Quartier records it, `actor` None)."""
    role = ActorRole.SYSTEM if actor is None else ActorRole.MANAGER
    return helper_approval_move(
        helper=helper, to=ApprovalStatus.CONDUCT_TEST_PASSED, actor=actor, note=note, role=role
    )


@transaction.atomic
@raises(helper_approval_move)
def application_invite_to_interview(
    *, helper: HelperProfile, actor: User, note: str = ""
) -> HelperProfile:
    return helper_approval_move(helper=helper, to=ApprovalStatus.INTERVIEW, actor=actor, note=note)


@transaction.atomic
@raises(helper_approval_move)
def application_request_information(
    *, helper: HelperProfile, actor: User, note: str
) -> HelperProfile:
    """The manager asks for more (`note` says what); the applicant may replace documents and
    submit again."""
    return helper_approval_move(
        helper=helper, to=ApprovalStatus.NEEDS_INFORMATION, actor=actor, note=note
    )


@transaction.atomic
@raises(helper_approval_move)
def application_reject(*, helper: HelperProfile, actor: User, note: str) -> HelperProfile:
    """The manager turns the application down; `note` is the reason the applicant reads."""
    return helper_approval_move(helper=helper, to=ApprovalStatus.REJECTED, actor=actor, note=note)


@transaction.atomic
@raises(helper_approval_move)
def application_withdraw(*, helper: HelperProfile, actor: User, note: str = "") -> HelperProfile:
    """The applicant withdraws their application at any open step."""
    return helper_approval_move(
        helper=helper, to=ApprovalStatus.WITHDRAWN, actor=actor, note=note, role=ActorRole.HELPER
    )


def helper_figures_add(*, changes: Mapping[int, Mapping[str, int]]) -> None:
    """The only writer of helpers' rating and reliability figures. Run it in a transaction.

    `changes` maps a helper's id to the amounts to add to their figures (HELPER_FIGURES);
    helpers with the same changes are updated in one statement. Emits HelperFiguresChanged
    for each helper whose figures moved.
    """
    groups: dict[tuple[tuple[str, int], ...], list[int]] = {}
    for helper_id, deltas in changes.items():
        unknown = set(deltas) - set(HELPER_FIGURES)
        if unknown:
            raise ValueError(f"not helper figures: {', '.join(sorted(unknown))}")
        moved = tuple(sorted((name, delta) for name, delta in deltas.items() if delta))
        if moved:
            groups.setdefault(moved, []).append(helper_id)
    events = []
    for moved, helper_ids in groups.items():
        _figures_add(moved, helper_ids)
        events += [HelperFiguresChanged(helper_id=pk, deltas=dict(moved)) for pk in helper_ids]
    emit(*sorted(events, key=lambda event: event.helper_id))


def _figures_add(moved: tuple[tuple[str, int], ...], helper_ids: list[int]) -> None:
    """One UPDATE adding each (figure, delta) of `moved` to the helpers': the statement the
    ORM's `update(figure=F(figure) + delta)` writes, without building it for every offer made
    (the figures' names are checked against HELPER_FIGURES, the values are parameters)."""
    table = connection.ops.quote_name(HelperProfile._meta.db_table)
    columns = [quoted_column(HelperProfile, name) for name, _delta in moved]
    assignments = ", ".join(f"{column} = ({table}.{column} + %s)" for column in columns)
    keys = ", ".join(["%s"] * len(helper_ids))
    pk = quoted_column(HelperProfile)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE {table}.{pk} IN ({keys})",  # noqa: S608
            [*(delta for _name, delta in moved), *helper_ids],
        )


def _validate_weekly(intervals: Sequence[WeeklyInterval]) -> None:
    if len(intervals) > MAX_WEEKLY_INTERVALS:
        raise InvalidAvailability.for_field(
            "intervals",
            _("At most %(count)d weekly intervals.") % {"count": MAX_WEEKLY_INTERVALS},
            code=HelperError.INVALID_AVAILABILITY,
        )
    by_day: dict[int, list[WeeklyInterval]] = {}
    for index, interval in enumerate(intervals):
        if not 0 <= interval.weekday <= 6:
            raise InvalidAvailability.for_field(
                f"intervals[{index}].weekday",
                _("Weekday is 0 (Monday) to 6 (Sunday)."),
                code=HelperError.INVALID_AVAILABILITY,
            )
        if interval.start_time >= interval.end_time:
            raise InvalidAvailability.for_field(
                f"intervals[{index}].end_time",
                _("The end must be after the start."),
                code=HelperError.INVALID_AVAILABILITY,
            )
        by_day.setdefault(interval.weekday, []).append(interval)
    for day in by_day.values():
        day.sort(key=lambda item: item.start_time)
        for before, after in zip(day, day[1:], strict=False):
            if after.start_time < before.end_time:
                raise InvalidAvailability.for_field(
                    "intervals",
                    _("Intervals on the same day must not overlap."),
                    code=HelperError.INVALID_AVAILABILITY,
                )


@transaction.atomic
@raises(HelperError.INVALID_AVAILABILITY)
def helper_set_weekly_availability(
    *, helper: HelperProfile, intervals: Sequence[WeeklyInterval]
) -> list[WeeklyAvailability]:
    """Replace the helper's weekly hours (Swiss local time) as a whole."""
    _validate_weekly(intervals)
    WeeklyAvailability.objects.filter(helper=helper).delete()
    rows = WeeklyAvailability.objects.bulk_create(
        [
            WeeklyAvailability(
                helper=helper,
                weekday=interval.weekday,
                start_time=interval.start_time,
                end_time=interval.end_time,
            )
            for interval in sorted(intervals, key=lambda i: (i.weekday, i.start_time))
        ]
    )
    emit(HelperAvailabilityChanged(helper_id=helper.pk, what="weekly"))
    return rows


@transaction.atomic
@raises(
    CoreError.INVALID_CHOICE,
    HelperError.INVALID_AVAILABILITY,
    HelperError.IN_THE_PAST,
    HelperError.OUTSIDE_BOOKABLE_HORIZON,
)
def availability_exception_add(
    *, helper: HelperProfile, kind: str, starts_at: datetime, ends_at: datetime, note: str = ""
) -> AvailabilityException:
    """A one-off change to the weekly hours: a holiday, or extra time."""
    if kind not in ExceptionKind.values:
        raise InvalidAvailability.for_field(
            "kind", _("Unknown kind."), code=CoreError.INVALID_CHOICE
        )
    if starts_at >= ends_at:
        raise InvalidAvailability.for_field(
            "ends_at", _("The end must be after the start."), code=HelperError.INVALID_AVAILABILITY
        )
    now = clock.now()
    if ends_at <= now:
        raise InvalidAvailability.for_field(
            "ends_at", _("The exception is already over."), code=HelperError.IN_THE_PAST
        )
    if starts_at < now - EXCEPTION_HORIZON_MARGIN:
        raise InvalidAvailability.for_field(
            "starts_at",
            _("An exception may start at most a day ago."),
            code=HelperError.OUTSIDE_BOOKABLE_HORIZON,
        )
    days_ahead = config().max_request_days_ahead
    if ends_at > now + timedelta(days=days_ahead) + EXCEPTION_HORIZON_MARGIN:
        raise InvalidAvailability.for_field(
            "ends_at",
            ngettext(
                "Visits can be booked at most %(days)d day ahead: end the exception by then.",
                "Visits can be booked at most %(days)d days ahead: end the exception by then.",
                days_ahead,
            )
            % {"days": days_ahead},
            code=HelperError.OUTSIDE_BOOKABLE_HORIZON,
        )
    exception = AvailabilityException.objects.create(
        helper=helper, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note
    )
    emit(HelperAvailabilityChanged(helper_id=helper.pk, what="exception_added"))
    return exception


@transaction.atomic
@raises()
def availability_exception_remove(*, exception: AvailabilityException) -> None:
    helper_id = exception.helper_id
    exception.delete()
    emit(HelperAvailabilityChanged(helper_id=helper_id, what="exception_removed"))
