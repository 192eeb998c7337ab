"""The helper's vetting and approval as one state machine.

    applied ─► documents submitted ─► documents checked ─► conduct test passed ─► approved
                      ▲                                            │                ▲  │
                      │                                            └─► interview ───┘  ▼
               needs information ◄── (any step after applied)            suspended ⇄ approved
                                                                               │
    rejected (manager) / withdrawn (applicant) from any open step              ▼
                                                                          offboarded

`helper_approval_move` is the only writer of the status and keeps the history
(`HelperApprovalEvent`). The interview is optional: with QUARTIER_VETTING_INTERVIEW_REQUIRED
set, approval from "conduct test passed" is refused and every applicant goes through it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.config import config
from backend.exceptions import Conflict, CoreError, ValidationFailed
from backend.roles import ActorRole
from backend.state_machine import Move, StateMachine, Transition
from helpers import events
from helpers.errors import HelperError
from helpers.models import ApprovalStatus, HelperDocument

_MANAGER = frozenset({ActorRole.MANAGER})
_APPLICANT = frozenset({ActorRole.HELPER})
# The conduct test is passed online (Quartier records it) or in person (the manager does).
_TEST_RECORDERS = frozenset({ActorRole.MANAGER, ActorRole.SYSTEM})
_REINSTATERS = frozenset({ActorRole.MANAGER, ActorRole.SYSTEM})
_A = ApprovalStatus


class DocumentsMissing(Conflict):
    code = HelperError.DOCUMENTS_MISSING


class InterviewRequired(Conflict):
    code = HelperError.INTERVIEW_REQUIRED


def reason_given(move: Move) -> None:
    """Rejections, requests for information, suspensions, lifting a suspension and offboarding
    say why, when the manager makes them; Quartier's own move (a suspension reaching its end
    date) has nothing to explain."""
    if move.role == ActorRole.SYSTEM:
        return
    if not str(move.facts.get("note", "")).strip():
        raise ValidationFailed.for_field(
            "note", _("Say why (the helper is told)."), code=CoreError.REASON_REQUIRED
        )


def documents_complete(move: Move) -> None:
    """Every kind of document is there, each accepted at upload and not deleted."""
    held = set(
        HelperDocument.objects.filter(helper=move.subject, deleted_at__isnull=True).values_list(
            "kind", flat=True
        )
    )
    missing = [kind for kind in HelperDocument.Kind.values if kind not in held]
    if missing:
        raise DocumentsMissing(
            _("Upload these documents first: %(documents)s.")
            % {"documents": ", ".join(sorted(missing))},
        )


def interview_not_required(move: Move) -> None:
    if config().vetting_interview_required:
        raise InterviewRequired(_("Every applicant is interviewed before approval."))


_OPEN_STEPS = (
    _A.APPLIED,
    _A.DOCUMENTS_SUBMITTED,
    _A.DOCUMENTS_CHECKED,
    _A.CONDUCT_TEST_PASSED,
    _A.INTERVIEW,
    _A.NEEDS_INFORMATION,
)

APPROVAL_MACHINE = StateMachine(
    noun=gettext_lazy("Helper's application"),
    transitions={
        # The pipeline.
        (_A.APPLIED, _A.DOCUMENTS_SUBMITTED): Transition(
            _APPLICANT, guards=(documents_complete,), event=events.HelperDocumentsSubmitted
        ),
        (_A.NEEDS_INFORMATION, _A.DOCUMENTS_SUBMITTED): Transition(
            _APPLICANT, guards=(documents_complete,), event=events.HelperDocumentsSubmitted
        ),
        (_A.DOCUMENTS_SUBMITTED, _A.DOCUMENTS_CHECKED): Transition(
            _MANAGER, guards=(documents_complete,), event=events.HelperDocumentsChecked
        ),
        (_A.DOCUMENTS_CHECKED, _A.CONDUCT_TEST_PASSED): Transition(
            _TEST_RECORDERS, event=events.HelperConductTestPassed
        ),
        (_A.CONDUCT_TEST_PASSED, _A.INTERVIEW): Transition(
            _MANAGER, event=events.HelperInvitedToInterview
        ),
        (_A.CONDUCT_TEST_PASSED, _A.APPROVED): Transition(
            _MANAGER, guards=(interview_not_required,), event=events.HelperApproved
        ),
        (_A.INTERVIEW, _A.APPROVED): Transition(_MANAGER, event=events.HelperApproved),
        # The manager asks for more; the applicant answers by submitting again.
        **{
            (step, _A.NEEDS_INFORMATION): Transition(
                _MANAGER, guards=(reason_given,), event=events.HelperInformationRequested
            )
            for step in _OPEN_STEPS
            if step not in (_A.APPLIED, _A.NEEDS_INFORMATION)
        },
        # Ends of an application.
        **{
            (step, _A.REJECTED): Transition(
                _MANAGER, guards=(reason_given,), event=events.HelperRejected
            )
            for step in _OPEN_STEPS
        },
        **{
            (step, _A.WITHDRAWN): Transition(_APPLICANT, event=events.HelperWithdrew)
            for step in _OPEN_STEPS
        },
        # An approved helper's life.
        (_A.APPROVED, _A.SUSPENDED): Transition(
            _MANAGER, guards=(reason_given,), event=events.HelperSuspended
        ),
        # Lifted by the manager, or by Quartier when a suspension with an end date runs out.
        (_A.SUSPENDED, _A.APPROVED): Transition(
            _REINSTATERS, guards=(reason_given,), event=events.HelperReinstated
        ),
        (_A.APPROVED, _A.OFFBOARDED): Transition(
            _MANAGER, guards=(reason_given,), event=events.HelperOffboarded
        ),
        (_A.SUSPENDED, _A.OFFBOARDED): Transition(
            _MANAGER, guards=(reason_given,), event=events.HelperOffboarded
        ),
    },
)


def reason_required(from_status: str, to_status: str, role: str = ActorRole.MANAGER) -> bool:
    """Whether `role`'s move from `from_status` to `to_status` must say why (forms show the
    note as required); the guard `reason_given` refuses the move without one."""
    transition = APPROVAL_MACHINE.transitions.get((from_status, to_status))
    return transition is not None and reason_given in transition.guards and role != ActorRole.SYSTEM
