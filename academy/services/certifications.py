"""Certifications: earned by a passed quiz or attendance at a training, they expire after the
course's validity and can be revoked by the manager. They gate matching: their events refresh
the helper's match index rows in the same transaction (see `academy.events`)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from academy import emails
from academy.errors import AcademyError
from academy.events import (
    CertificationEarned,
    CertificationExpired,
    CertificationRevoked,
)
from academy.models import (
    Certification,
    Course,
    QuizAttempt,
    TrainingEvent,
)
from academy.services.common import reason_given, require_manager
from backend import clock
from backend.exceptions import (
    Conflict,
    CoreError,
    raises,
)
from backend.models import User
from backend.outbox import emit
from helpers.models import HelperProfile

REMINDER_DAYS = (30, 7)
SWISS_TIME = ZoneInfo("Europe/Zurich")


def _add_months(moment: datetime, months: int) -> datetime:
    """The same Swiss wall-clock time `months` later (the last day of a shorter month)."""
    local = moment.astimezone(SWISS_TIME)
    month = local.month - 1 + months
    year = local.year + month // 12
    month = month % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


@transaction.atomic
def certification_earn(
    *,
    helper: HelperProfile,
    course: Course,
    source: str,
    attempt: QuizAttempt | None = None,
    event: TrainingEvent | None = None,
) -> Certification:
    """The helper earns the course's certification now, valid for the course's months. The
    match index is refreshed in this transaction (the event is a helper event). Called by a
    passed quiz and by attendance at a training; never directly by an interface."""
    now = clock.now()
    certification = Certification.objects.create(
        helper=helper,
        course=course,
        source=source,
        attempt=attempt,
        event=event,
        earned_at=now,
        expires_at=_add_months(now, course.validity_months),
    )
    emit(
        CertificationEarned(
            helper_id=helper.pk, course_id=course.pk, certification_id=certification.pk
        )
    )
    return certification


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.CERTIFICATION_REVOKED,
    CoreError.REASON_REQUIRED,
    CoreError.MAX_LENGTH,
    CoreError.FORBIDDEN_CHARACTERS,
    CoreError.NOTHING_VISIBLE,
)
def certification_revoke(
    *, actor: User, certification: Certification, reason: str
) -> Certification:
    """The manager revokes a certification with a reason: the helper loses the categories it
    gates at once (the index is refreshed in this transaction) and is told by e-mail."""
    require_manager(actor)
    reason = reason_given(reason)
    certification = (
        Certification.objects.select_for_update()
        .select_related("course", "helper__user")
        .get(pk=certification.pk)
    )
    if certification.revoked_at is not None:
        raise Conflict(
            _("This certification is revoked already."), code=AcademyError.CERTIFICATION_REVOKED
        )
    certification.revoked_at = clock.now()
    certification.revoked_by = actor
    certification.revoke_reason = reason
    certification.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    emit(
        CertificationRevoked(
            helper_id=certification.helper_id,
            course_id=certification.course_id,
            certification_id=certification.pk,
            actor_id=actor.pk,
            reason=reason,
        )
    )
    transaction.on_commit(lambda: emails.send_certification_revoked(certification))
    return certification


@transaction.atomic
def certifications_expire_due() -> int:
    """Refresh the match index of every helper whose certification ran out since the last run
    (each expiry once); returns how many expired. Run daily by the worker."""
    now = clock.now()
    due = list(
        Certification.objects.select_for_update()
        .filter(expires_at__lte=now, expiry_processed_at__isnull=True)
        .order_by("pk")
    )
    if not due:
        return 0
    Certification.objects.filter(pk__in=[row.pk for row in due]).update(expiry_processed_at=now)
    emit(
        *(
            CertificationExpired(
                helper_id=row.helper_id, course_id=row.course_id, certification_id=row.pk
            )
            for row in due
            if row.revoked_at is None
        )
    )
    return len(due)


def certification_reminders_send() -> int:
    """E-mail each helper whose certification runs out within 30 days, and again within 7,
    once each (in their language), unless they already hold a newer one that lasts longer.
    Returns how many e-mails went out. Run daily by the worker."""
    now = clock.now()
    sent = 0
    # The 7-day reminder first: one first reminded within 7 days gets only that one.
    for days in sorted(REMINDER_DAYS):
        column = f"reminded_{days}_at"
        due = (
            Certification.objects.filter(
                revoked_at__isnull=True,
                expires_at__gt=now,
                expires_at__lte=now + timedelta(days=days),
                **{f"{column}__isnull": True},
            )
            .select_related("course", "helper__user")
            .order_by("pk")
        )
        for certification in due:
            renewed = Certification.objects.filter(
                helper_id=certification.helper_id,
                course_id=certification.course_id,
                revoked_at__isnull=True,
                expires_at__gt=certification.expires_at,
            ).exists()
            marks = {f"reminded_{other}_at": now for other in REMINDER_DAYS if other >= days}
            # Conditional: of two runs at once, one marks the row and mails.
            marked = Certification.objects.filter(
                pk=certification.pk, **{f"{column}__isnull": True}
            ).update(**marks)
            if marked and not renewed:
                emails.send_certification_reminder(certification)
                sent += 1
    return sent
