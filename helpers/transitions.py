"""The helper's approval as a state machine: applied → approved ⇄ suspended.

The vetting pipeline (documents checked, training passed, …) extends this table with its own
statuses, guards and events; `helper_approval_move` is the only writer of the status and
keeps the history (`HelperApprovalEvent`).
"""

from __future__ import annotations

from backend.roles import ActorRole
from backend.state_machine import StateMachine, Transition
from helpers import events
from helpers.models import ApprovalStatus

_MANAGER = frozenset({ActorRole.MANAGER})
_A = ApprovalStatus

APPROVAL_MACHINE = StateMachine(
    noun="helper's approval",
    transitions={
        (_A.APPLIED, _A.APPROVED): Transition(_MANAGER, event=events.HelperApproved),
        # An applicant the community manager turns away.
        (_A.APPLIED, _A.SUSPENDED): Transition(_MANAGER, event=events.HelperSuspended),
        (_A.APPROVED, _A.SUSPENDED): Transition(_MANAGER, event=events.HelperSuspended),
        (_A.SUSPENDED, _A.APPROVED): Transition(_MANAGER, event=events.HelperReinstated),
    },
)
