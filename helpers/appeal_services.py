"""A suspended helper's appeal against the suspension, and the community manager's decision
on it: upheld (the suspension stays) or lifted (the helper is reinstated). One open appeal per
helper at a time; an open appeal is closed when the suspension ends otherwise."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend import clock
from backend.events import DomainEvent
from backend.exceptions import Conflict, CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole
from backend.texts import visible_text
from helpers.appeal_transitions import APPEAL_MACHINE
from helpers.errors import HelperError
from helpers.events import HelperAppealDecided, HelperAppealFiled, HelperApprovalMoved
from helpers.models import (
    APPEAL_TEXT_MAX_LENGTH,
    APPROVAL_NOTE_MAX_LENGTH,
    AppealStatus,
    ApprovalStatus,
    HelperAppeal,
    HelperProfile,
)
from helpers.services import helper_approve


class AppealOutcome:
    UPHOLD = "uphold"
    LIFT = "lift"
    CHOICES = (UPHOLD, LIFT)


@raises(HelperError.APPEAL_ALREADY_DECIDED, CoreError.NOT_ALLOWED_FOR_ROLE)
def appeal_move(
    *, appeal: HelperAppeal, to: str, actor: User | None, role: str, note: str = ""
) -> HelperAppeal:
    """The only writer of `HelperAppeal.status`. Run it inside a transaction.

    Locks the appeal; the move must be in APPEAL_MACHINE for `role` (the community manager
    decides, Quartier closes), else nothing is written. Stores when and by whom (no one when
    Quartier closes it) with the note, and emits the move's domain event (a decision's e-mail).
    """
    appeal = HelperAppeal.objects.select_for_update().get(pk=appeal.pk)
    transition = APPEAL_MACHINE.check(
        appeal, from_status=appeal.status, to_status=to, role=role, facts={"note": note}
    )
    appeal.status = to
    appeal.decided_at = clock.now()
    appeal.decided_by = actor
    appeal.decision_note = note
    appeal.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    if transition.event is HelperAppealDecided:
        emit(
            HelperAppealDecided(
                helper_id=appeal.helper_id,
                appeal_id=appeal.pk,
                lifted=to == AppealStatus.LIFTED,
                note=note,
            )
        )
    return appeal


@transaction.atomic
@raises(
    HelperError.NOT_YOUR_APPLICATION,
    HelperError.NOT_SUSPENDED,
    HelperError.APPEAL_ALREADY_OPEN,
    visible_text,
)
def appeal_file(*, helper: HelperProfile, actor: User, text: str) -> HelperAppeal:
    """The suspended helper appeals with a text. Refused while another appeal of theirs is
    open, and unless they are suspended; nothing is stored then."""
    if actor.pk != helper.user_id:
        raise PermissionDenied(
            _("This is not your helper account."), code=HelperError.NOT_YOUR_APPLICATION
        )
    text = visible_text(text, field="text", multiline=True, max_length=APPEAL_TEXT_MAX_LENGTH)
    # The helper's row is the lock: two appeals filed at once are taken one after the other.
    helper = HelperProfile.objects.select_for_update().get(pk=helper.pk)
    if helper.approval_status != ApprovalStatus.SUSPENDED:
        raise Conflict(_("Only a suspended helper can appeal."), code=HelperError.NOT_SUSPENDED)
    if HelperAppeal.objects.filter(helper=helper, status=AppealStatus.OPEN).exists():
        raise Conflict(
            _("Your appeal is already with the community manager."),
            code=HelperError.APPEAL_ALREADY_OPEN,
        )
    try:
        with transaction.atomic():
            appeal = HelperAppeal.objects.create(helper=helper, text=text)
    except IntegrityError as exc:  # pragma: no cover - the lock above comes first
        raise Conflict(
            _("Your appeal is already with the community manager."),
            code=HelperError.APPEAL_ALREADY_OPEN,
        ) from exc
    emit(HelperAppealFiled(helper_id=helper.pk, appeal_id=appeal.pk))
    return appeal


@transaction.atomic
@raises(
    HelperError.MANAGER_ONLY,
    CoreError.INVALID_CHOICE,
    CoreError.REASON_REQUIRED,
    visible_text,
    appeal_move,
    helper_approve,
)
def appeal_decide(*, appeal: HelperAppeal, actor: User, outcome: str, note: str) -> HelperAppeal:
    """The community manager decides an open appeal, giving the reason: `uphold` keeps the
    suspension, `lift` reinstates the helper (the move's e-mail and match refresh follow)."""
    if not actor.is_staff:
        raise PermissionDenied(
            _("Only the community manager decides appeals."), code=HelperError.MANAGER_ONLY
        )
    if outcome not in AppealOutcome.CHOICES:
        raise ValidationFailed.for_field(
            "outcome",
            _("Choose whether to uphold or lift the suspension."),
            code=CoreError.INVALID_CHOICE,
        )
    note = visible_text(
        note, field="note", required=False, multiline=True, max_length=APPROVAL_NOTE_MAX_LENGTH
    )
    if not note:
        raise ValidationFailed.for_field(
            "note", _("Give the reason for your decision."), code=CoreError.REASON_REQUIRED
        )
    HelperProfile.objects.select_for_update().filter(pk=appeal.helper_id).first()
    lifted = outcome == AppealOutcome.LIFT
    appeal = appeal_move(
        appeal=appeal,
        to=AppealStatus.LIFTED if lifted else AppealStatus.UPHELD,
        actor=actor,
        role=ActorRole.MANAGER,
        note=note,
    )
    if lifted:
        helper_approve(helper=appeal.helper, actor=actor, note=note)
    return appeal


def appeals_close_when_suspension_ends(events: Sequence[DomainEvent]) -> None:
    """In the transaction of a move out of suspension (end date, lifted, offboarded): the
    helper's open appeal has nothing left to decide."""
    helper_ids = sorted(
        {
            event.helper_id
            for event in events
            if isinstance(event, HelperApprovalMoved)
            and event.from_status == ApprovalStatus.SUSPENDED
        }
    )
    for appeal in HelperAppeal.objects.filter(
        helper_id__in=helper_ids, status=AppealStatus.OPEN
    ).order_by("pk"):
        appeal_move(appeal=appeal, to=AppealStatus.CLOSED, actor=None, role=ActorRole.SYSTEM)
