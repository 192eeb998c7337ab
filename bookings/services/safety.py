"""Safety reports and blocks: one side of a visit reports the other to the community manager,
and a customer keeps a helper from being offered their requests again."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend import clock
from backend.exceptions import (
    Conflict,
    CoreError,
    PermissionDenied,
    ValidationFailed,
    raises,
)
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole
from backend.texts import visible_text
from bookings.errors import BookingError
from bookings.events import SafetyReportDecided, SafetyReportFiled
from bookings.models import (
    SAFETY_REPORT_TEXT_MAX_LENGTH,
    Booking,
    HelperBlock,
    SafetyCategory,
    SafetyOutcome,
    SafetyReport,
)
from bookings.selectors import booking_reportable
from bookings.services.locks import lock_booking
from bookings.services.visits import require_role
from helpers.models import HelperProfile
from helpers.services import helper_suspend

TRIAGE_NOTE_MAX_LENGTH = 1000


@transaction.atomic
@raises(
    require_role,
    CoreError.INVALID_CHOICE,
    BookingError.VISIT_NOT_STARTED,
    BookingError.REPORT_ALREADY_OPEN,
    visible_text,
)
def safety_report_file(*, booking: Booking, actor: User, category: str, text: str) -> SafetyReport:
    """The customer reports the helper, or the helper the customer, once the visit has started.

    One open report per reporter and booking; a decided one may be followed by a new one.
    """
    booking = lock_booking(booking)
    role = require_role(booking, actor, ActorRole.CUSTOMER, ActorRole.HELPER)
    if category not in SafetyCategory.values:
        raise ValidationFailed.for_field(
            "category", _("Choose one of the categories."), code=CoreError.INVALID_CHOICE
        )
    if not booking_reportable(booking):
        raise Conflict(
            _("A visit can be reported once it has started."), code=BookingError.VISIT_NOT_STARTED
        )
    text = visible_text(
        text, field="text", multiline=True, max_length=SAFETY_REPORT_TEXT_MAX_LENGTH
    )
    reported_id = (
        booking.helper.user_id if role == ActorRole.CUSTOMER else booking.help_request.customer_id
    )
    try:
        with transaction.atomic():
            report = SafetyReport.objects.create(
                booking=booking,
                reporter=actor,
                reporter_role=role,
                reported_id=reported_id,
                category=category,
                text=text,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You have already reported this visit; the community manager is looking at it."),
            code=BookingError.REPORT_ALREADY_OPEN,
        ) from exc
    emit(SafetyReportFiled(report_id=report.pk))
    return report


@transaction.atomic
@raises(
    CoreError.PERMISSION_DENIED,
    CoreError.INVALID_CHOICE,
    CoreError.REASON_REQUIRED,
    BookingError.REPORT_ALREADY_DECIDED,
    BookingError.SUSPENSION_HELPERS_ONLY,
    # A report's suspension has no end date, so `in_the_past` never comes back from it (the
    # API lists it as unreachable).
    helper_suspend,
    visible_text,
)
def safety_report_triage(
    *, report: SafetyReport, actor: User, outcome: str, note: str
) -> SafetyReport:
    """The community manager decides an open report, saying why. A suspension suspends the
    reported helper through the helpers' own service (which withdraws their pending offers);
    customers are warned, not suspended. The decided report is the reported user's record."""
    if not actor.is_staff:
        raise PermissionDenied(_("Only the community manager decides reports."))
    report = SafetyReport.objects.select_for_update().get(pk=report.pk)
    if report.outcome:
        raise Conflict(
            _("This report has been decided already."), code=BookingError.REPORT_ALREADY_DECIDED
        )
    if outcome not in SafetyOutcome.values:
        raise ValidationFailed.for_field(
            "outcome", _("Choose one of the outcomes."), code=CoreError.INVALID_CHOICE
        )
    note = visible_text(
        note, field="note", required=False, multiline=True, max_length=TRIAGE_NOTE_MAX_LENGTH
    )
    if not note:
        raise ValidationFailed.for_field(
            "note", _("Say why you decided so."), code=CoreError.REASON_REQUIRED
        )
    if outcome == SafetyOutcome.SUSPENSION:
        helper = HelperProfile.objects.filter(user_id=report.reported_id).first()
        if report.reporter_role != ActorRole.CUSTOMER or helper is None:
            raise ValidationFailed.for_field(
                "outcome",
                _("Only a helper can be suspended: warn the customer instead."),
                code=BookingError.SUSPENSION_HELPERS_ONLY,
            )
        helper_suspend(helper=helper, actor=actor, note=note)
    report.outcome = outcome
    report.triage_note = note
    report.triaged_by = actor
    report.triaged_at = clock.now()
    report.save(update_fields=["outcome", "triage_note", "triaged_by", "triaged_at"])
    emit(SafetyReportDecided(report_id=report.pk, outcome=outcome))
    return report


@transaction.atomic
@raises(require_role)
def helper_block(*, booking: Booking, actor: User) -> HelperBlock:
    """The booking's customer has Quartier never offer their requests to its helper again.
    Blocking twice keeps the first block."""
    require_role(booking, actor, ActorRole.CUSTOMER)
    block, _created = HelperBlock.objects.get_or_create(customer=actor, helper_id=booking.helper_id)
    return block


@transaction.atomic
@raises(require_role)
def helper_unblock(*, booking: Booking, actor: User) -> int:
    """The customer lifts the block on the booking's helper; how many blocks were lifted (0 or 1)."""
    require_role(booking, actor, ActorRole.CUSTOMER)
    deleted, _by_model = HelperBlock.objects.filter(
        customer=actor, helper_id=booking.helper_id
    ).delete()
    return deleted
