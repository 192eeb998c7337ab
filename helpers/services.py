"""Every write to helper profiles, skills, approval, figures and availability goes through
these functions.

Each change a higher layer must hear about is emitted as a domain event (`helpers.events`):
the match index, kept by `bookings`, follows them; nothing here calls upwards.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.exceptions import CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole
from backend.texts import visible_text
from catalogue.errors import CatalogueError
from catalogue.models import ServiceCategory
from helpers.documents import (
    DocumentUnreadable,
    check_upload,
    file_age,
    read_decrypted,
    remove_file,
    store_encrypted,
    stored_names,
)
from helpers.errors import HelperError
from helpers.events import (
    HelperApplied,
    HelperAvailabilityChanged,
    HelperFiguresChanged,
    HelperProfileChanged,
)
from helpers.exceptions import (
    DocumentDeleted,
    DocumentsLocked,
    HelperProfileExists,
    InvalidAvailability,
)
from helpers.models import (
    APPROVAL_NOTE_MAX_LENGTH,
    ApprovalStatus,
    AvailabilityException,
    DeletionCause,
    DocumentAccess,
    ExceptionKind,
    HelperApprovalEvent,
    HelperDocument,
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


def _validate_radius(radius_km: int) -> None:
    if not 1 <= radius_km <= MAX_RADIUS_KM:
        raise ValidationFailed.for_field(
            "service_radius_km",
            f"The service radius must be between 1 and {MAX_RADIUS_KM} km.",
            code=HelperError.INVALID_RADIUS,
        )


def validate_hourly_rate(rate_minor: int) -> None:
    if not MIN_HOURLY_RATE_MINOR <= rate_minor <= MAX_HOURLY_RATE_MINOR:
        raise ValidationFailed.for_field(
            "hourly_rate_minor",
            _("The hourly rate must be between %(low)d and %(high)d francs.")
            % {"low": MIN_HOURLY_RATE_MINOR // 100, "high": MAX_HOURLY_RATE_MINOR // 100},
            code=HelperError.INVALID_HOURLY_RATE,
        )


def _validate_skills(skills: Sequence[ServiceCategory]) -> None:
    if not skills:
        raise ValidationFailed.for_field(
            "skills",
            "Choose at least one thing you can help with.",
            code=HelperError.SKILLS_REQUIRED,
        )
    inactive = [category.slug for category in skills if not category.is_active]
    if inactive:
        raise ValidationFailed.for_field(
            "skills",
            f"These categories are not offered: {', '.join(inactive)}.",
            code=CatalogueError.UNKNOWN_CATEGORY,
        )


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
        raise HelperProfileExists("You are already registered as a helper.")
    if user.home_latitude is None:
        raise ValidationFailed.for_field(
            "home_address",
            "Set your home address first: offers are matched to where you live.",
            code=HelperError.HOME_ADDRESS_REQUIRED,
        )
    _validate_radius(service_radius_km)
    validate_hourly_rate(hourly_rate_minor)
    _validate_skills(skills)
    bio = visible_text(bio, field="bio", required=False, multiline=True, max_length=BIO_MAX_LENGTH)
    try:
        with transaction.atomic():
            helper = HelperProfile.objects.create(
                user=user,
                service_radius_km=service_radius_km,
                hourly_rate_minor=hourly_rate_minor,
                bio=bio,
            )
    except IntegrityError as exc:
        raise HelperProfileExists("You are already registered as a helper.") from exc
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
        _validate_radius(service_radius_km)
        helper.service_radius_km = service_radius_km
        changed.append("service_radius_km")
    if hourly_rate_minor is not None:
        validate_hourly_rate(hourly_rate_minor)
        helper.hourly_rate_minor = hourly_rate_minor
        changed.append("hourly_rate_minor")
    if bio is not None:
        helper.bio = visible_text(
            bio, field="bio", required=False, multiline=True, max_length=BIO_MAX_LENGTH
        )
        changed.append("bio")
    if is_accepting_jobs is not None:
        helper.is_accepting_jobs = is_accepting_jobs
        changed.append("is_accepting_jobs")
    if skills is not None:
        _validate_skills(skills)
        _set_skills(helper, skills)
    if changed:
        helper.save(update_fields=[*changed, "updated_at"])
    if skills is not None:
        changed.append("skills")
    if changed:
        emit(HelperProfileChanged(helper_id=helper.pk, fields=changed))
    return helper


def _check_actor(helper: HelperProfile, actor: User | None, role: str) -> None:
    if role == ActorRole.MANAGER and (actor is None or not actor.is_staff):
        raise PermissionDenied(
            "Only the community manager approves or suspends helpers.",
            code=HelperError.MANAGER_ONLY,
        )
    if role == ActorRole.HELPER and (actor is None or actor.pk != helper.user_id):
        raise PermissionDenied("This is not your application.", code="not_your_application")
    if role not in (ActorRole.MANAGER, ActorRole.HELPER, ActorRole.SYSTEM):
        raise ValueError(f"no helper's application move is made by the {role}")


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
@raises(HelperError.MANAGER_ONLY, visible_text)
def helper_approve(*, helper: HelperProfile, actor: User, note: str = "") -> HelperProfile:
    """The community manager approves a vetted applicant (after the conduct test, or the
    interview), or lets a suspended helper receive offers again."""
    return helper_approval_move(helper=helper, to=ApprovalStatus.APPROVED, actor=actor, note=note)


@transaction.atomic
@raises(HelperError.MANAGER_ONLY, CoreError.REASON_REQUIRED, visible_text)
def helper_suspend(*, helper: HelperProfile, actor: User, note: str) -> HelperProfile:
    """The community manager stops offers to the helper, saying why.

    Their pending offers are withdrawn in the same transaction by the bookings' handler of
    HelperSuspended, and those requests are offered to other helpers.
    """
    return helper_approval_move(helper=helper, to=ApprovalStatus.SUSPENDED, actor=actor, note=note)


@transaction.atomic
def helper_offboard(*, helper: HelperProfile, actor: User, note: str) -> HelperProfile:
    """The helper leaves Quartier for good (pending offers are withdrawn, as on suspension)."""
    return helper_approval_move(helper=helper, to=ApprovalStatus.OFFBOARDED, actor=actor, note=note)


# --- Vetting -----------------------------------------------------------------------------------


@transaction.atomic
def application_submit_documents(*, helper: HelperProfile, actor: User) -> HelperProfile:
    """The applicant hands in their documents (both kinds uploaded) for the manager's check;
    also their answer after the manager asked for more information."""
    return helper_approval_move(
        helper=helper, to=ApprovalStatus.DOCUMENTS_SUBMITTED, actor=actor, role=ActorRole.HELPER
    )


@transaction.atomic
def application_check_documents(
    *, helper: HelperProfile, actor: User, note: str = ""
) -> HelperProfile:
    """The manager found the identity document and the criminal record extract in order."""
    return helper_approval_move(
        helper=helper, to=ApprovalStatus.DOCUMENTS_CHECKED, actor=actor, note=note
    )


@transaction.atomic
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
def application_invite_to_interview(
    *, helper: HelperProfile, actor: User, note: str = ""
) -> HelperProfile:
    return helper_approval_move(helper=helper, to=ApprovalStatus.INTERVIEW, actor=actor, note=note)


@transaction.atomic
def application_request_information(
    *, helper: HelperProfile, actor: User, note: str
) -> HelperProfile:
    """The manager asks for more (`note` says what); the applicant may replace documents and
    submit again."""
    return helper_approval_move(
        helper=helper, to=ApprovalStatus.NEEDS_INFORMATION, actor=actor, note=note
    )


@transaction.atomic
def application_reject(*, helper: HelperProfile, actor: User, note: str) -> HelperProfile:
    """The manager turns the application down; `note` is the reason the applicant reads."""
    return helper_approval_move(helper=helper, to=ApprovalStatus.REJECTED, actor=actor, note=note)


@transaction.atomic
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
        HelperProfile.objects.filter(pk__in=helper_ids).update(
            **{name: F(name) + delta for name, delta in moved}
        )
        events += [HelperFiguresChanged(helper_id=pk, deltas=dict(moved)) for pk in helper_ids]
    emit(*sorted(events, key=lambda event: event.helper_id))


def _validate_weekly(intervals: Sequence[WeeklyInterval]) -> None:
    if len(intervals) > MAX_WEEKLY_INTERVALS:
        raise InvalidAvailability.for_field(
            "intervals",
            f"At most {MAX_WEEKLY_INTERVALS} weekly intervals.",
            code=HelperError.INVALID_AVAILABILITY,
        )
    by_day: dict[int, list[WeeklyInterval]] = {}
    for index, interval in enumerate(intervals):
        if not 0 <= interval.weekday <= 6:
            raise InvalidAvailability.for_field(
                f"intervals[{index}].weekday",
                "Weekday is 0 (Monday) to 6 (Sunday).",
                code=HelperError.INVALID_AVAILABILITY,
            )
        if interval.start_time >= interval.end_time:
            raise InvalidAvailability.for_field(
                f"intervals[{index}].end_time",
                "The end must be after the start.",
                code=HelperError.INVALID_AVAILABILITY,
            )
        by_day.setdefault(interval.weekday, []).append(interval)
    for day in by_day.values():
        day.sort(key=lambda item: item.start_time)
        for before, after in zip(day, day[1:], strict=False):
            if after.start_time < before.end_time:
                raise InvalidAvailability.for_field(
                    "intervals",
                    "Intervals on the same day must not overlap.",
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
        raise InvalidAvailability.for_field("kind", "Unknown kind.", code=CoreError.INVALID_CHOICE)
    if starts_at >= ends_at:
        raise InvalidAvailability.for_field(
            "ends_at", "The end must be after the start.", code=HelperError.INVALID_AVAILABILITY
        )
    now = clock.now()
    if ends_at <= now:
        raise InvalidAvailability.for_field(
            "ends_at", "The exception is already over.", code=HelperError.IN_THE_PAST
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
            _("Visits can be booked at most %(days)d days ahead: end the exception by then.")
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


# --- Documents ---------------------------------------------------------------------------------

# The steps at which an applicant may hand in (or replace) documents.
DOCUMENT_UPLOAD_STEPS = (ApprovalStatus.APPLIED, ApprovalStatus.NEEDS_INFORMATION)
# A criminal record extract must have been issued at most this many months before the upload.
EXTRACT_MAX_AGE_MONTHS = 3
# Files in the document directory that no row in force names, older than this, are left over
# from an upload whose transaction rolled back (or a crash): the deletion task removes them.
ORPHAN_FILE_AGE = timedelta(hours=1)


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def _check_issued_on(kind: str, issued_on: date | None) -> None:
    today = timezone.localdate(clock.now())
    if issued_on is not None and issued_on > today:
        raise ValidationFailed.for_field(
            "issued_on", _("The issue date lies in the future."), code="issued_in_future"
        )
    if kind != HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT:
        return
    if issued_on is None:
        raise ValidationFailed.for_field(
            "issued_on",
            _("Give the date the criminal record extract was issued."),
            code="issued_on_required",
        )
    if issued_on < months_before(today, EXTRACT_MAX_AGE_MONTHS):
        raise ValidationFailed.for_field(
            "issued_on",
            _("The criminal record extract must be at most 3 months old: order a new one."),
            code="extract_too_old",
        )


def _clean_file_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120]


@transaction.atomic
def document_upload(
    *,
    helper: HelperProfile,
    actor: User,
    kind: str,
    content: bytes,
    declared_type: str = "",
    original_name: str = "",
    issued_on: date | None = None,
) -> HelperDocument:
    """The applicant uploads one of their documents, replacing an earlier one of that kind.

    Only while the application waits for documents (applied, or more information asked for).
    The file is checked (`helpers.documents.check_upload`) and stored encrypted; nothing is
    stored when any check fails. The replaced file is deleted after commit.
    """
    if actor.pk != helper.user_id:
        raise PermissionDenied("This is not your application.", code="not_your_application")
    if kind not in HelperDocument.Kind.values:
        raise ValidationFailed.for_field("kind", "Unknown kind of document.", code="invalid_choice")
    helper = HelperProfile.objects.select_for_update().get(pk=helper.pk)
    if helper.approval_status not in DOCUMENT_UPLOAD_STEPS:
        raise DocumentsLocked(
            _("Documents can be handed in only while the application waits for them.")
        )
    _check_issued_on(kind, issued_on)
    checked = check_upload(content, declared_type=declared_type)
    now = clock.now()
    replaced = list(
        HelperDocument.objects.select_for_update().filter(
            helper=helper, kind=kind, deleted_at__isnull=True
        )
    )
    HelperDocument.objects.filter(pk__in=[d.pk for d in replaced]).update(
        deleted_at=now, deletion_cause=DeletionCause.REPLACED
    )
    storage_name = store_encrypted(checked.content)
    try:
        document = HelperDocument.objects.create(
            helper=helper,
            kind=kind,
            content_type=checked.content_type,
            size_bytes=len(checked.content),
            original_name=_clean_file_name(original_name),
            issued_on=issued_on,
            sha256=hashlib.sha256(checked.content).hexdigest(),
            storage_name=storage_name,
            uploaded_at=now,
        )
    except Exception:
        remove_file(storage_name)
        raise
    for old in replaced:
        transaction.on_commit(functools.partial(remove_file, old.storage_name))
    return document


@transaction.atomic
def document_open(
    *, document: HelperDocument, manager: User, ip_address: str | None = None
) -> bytes:
    """A manager reads an applicant's document: the access is recorded first, then the
    decrypted bytes are returned. Nobody else reads documents."""
    if not manager.is_staff:
        raise PermissionDenied(
            "Only the community manager opens applicants' documents.", code="manager_only"
        )
    document = HelperDocument.objects.get(pk=document.pk)
    if document.deleted_at is not None:
        raise DocumentDeleted(_("This document has been deleted."))
    DocumentAccess.objects.create(document=document, manager=manager, ip_address=ip_address)
    try:
        return read_decrypted(document.storage_name)
    except DocumentUnreadable as exc:
        raise DocumentDeleted(_("This document can no longer be read.")) from exc


def documents_schedule_deletion(*, helper_ids: Sequence[int]) -> datetime | None:
    """The applications of `helper_ids` were just decided: their documents are deleted after
    QUARTIER_DOCUMENT_RETENTION_DAYS. Returns when (None: no document waits). Run it in the
    transaction of the decision."""
    due = clock.now() + timedelta(days=config().document_retention_days)
    updated = HelperDocument.objects.filter(
        helper_id__in=helper_ids, deleted_at__isnull=True, delete_after__isnull=True
    ).update(delete_after=due)
    return due if updated else None


def documents_delete_due() -> int:
    """Delete every document whose time has come, and files no document in force names
    (left by a rolled-back upload). The rows stay, marked deleted. Returns how many documents
    were deleted."""
    now = clock.now()
    deleted = 0
    due = HelperDocument.objects.filter(deleted_at__isnull=True, delete_after__lte=now)
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            document = (
                HelperDocument.objects.select_for_update()
                .filter(pk=pk, deleted_at__isnull=True)
                .first()
            )
            if document is None:
                continue
            document.deleted_at = now
            document.deletion_cause = DeletionCause.RETENTION
            document.save(update_fields=["deleted_at", "deletion_cause"])
            transaction.on_commit(functools.partial(remove_file, document.storage_name))
            deleted += 1
    in_force = set(
        HelperDocument.objects.filter(deleted_at__isnull=True).values_list(
            "storage_name", flat=True
        )
    )
    for name in sorted(stored_names() - in_force):
        if file_age(name) > ORPHAN_FILE_AGE:
            remove_file(name)
    return deleted
