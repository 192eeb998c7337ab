"""A suspended helper's appeal as one state machine.

    open ─► upheld  (the community manager keeps the suspension)
      │ └─► lifted  (the community manager reinstates the helper)
      └───► closed  (Quartier: the suspension ended otherwise first)

`helpers.appeal_services.appeal_move` is the only writer of the status. A decided or closed
appeal moves no more: any move out of it is refused as `appeal_already_decided`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.roles import ActorRole
from backend.state_machine import IllegalTransition, StateMachine, Transition
from helpers import events
from helpers.errors import HelperError
from helpers.models import AppealStatus


class AppealAlreadyDecided(IllegalTransition):
    code = HelperError.APPEAL_ALREADY_DECIDED


def _already_decided(from_status: str, to_status: str) -> AppealAlreadyDecided:
    return AppealAlreadyDecided(_("This appeal has been decided already."))


_S = AppealStatus

APPEAL_MACHINE = StateMachine(
    noun=gettext_lazy("Appeal"),
    transitions={
        (_S.OPEN, _S.UPHELD): Transition(
            frozenset({ActorRole.MANAGER}), event=events.HelperAppealDecided
        ),
        (_S.OPEN, _S.LIFTED): Transition(
            frozenset({ActorRole.MANAGER}), event=events.HelperAppealDecided
        ),
        (_S.OPEN, _S.CLOSED): Transition(frozenset({ActorRole.SYSTEM})),
    },
    illegal=_already_decided,
)
