"""State machines as data: which moves exist, who may make them, and what must hold first.

Each status-bearing model has one `StateMachine` beside it (`bookings/transitions.py`,
`helpers/transitions.py`): a table of `(from, to) → Transition(roles, guards, event)`. The one
transition function of that model asks the machine before it writes:

- a move not in the table raises `IllegalTransition` (409, `illegal_transition`, or the
  machine's own more precise subclass, e.g. `offer_not_pending`);
- a move in the table but not for this role raises `TransitionNotAllowedForRole` (403,
  `not_allowed_for_role`);
- then each guard of the move runs, in the order listed. A guard is a small named function
  that raises an `ApplicationError` with its own code when its precondition does not hold
  ("the offer has expired"). A new precondition (waivers accepted, payment authorised) is one
  more guard in the table; the services do not change.

The `event` of a transition is the domain event class the transition function emits for the
move (see `backend.events`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from backend.exceptions import Conflict, CoreError, ErrorCode, PermissionDenied
from backend.roles import ActorRole


class IllegalTransition(Conflict):
    """The move is not in the table: the object's current status does not allow it."""

    code: ErrorCode | str = CoreError.ILLEGAL_TRANSITION


class TransitionNotAllowedForRole(PermissionDenied):
    """The move exists, but not for the role that asked for it."""

    code = CoreError.NOT_ALLOWED_FOR_ROLE


@dataclass(frozen=True)
class Move:
    """What a guard is asked about: one object on its way from one status to another."""

    subject: Any
    from_status: str
    to_status: str
    role: str
    # What the caller knows about the move beyond the object itself (e.g. the chosen proposal).
    facts: Mapping[str, Any] = field(default_factory=dict)


Guard = Callable[[Move], None]


@dataclass(frozen=True)
class Transition:
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    # The domain event class the transition function emits for this move (None: none).
    event: type | None = None


class StateMachine:
    """One model's transition table, and the one way to ask it whether a move may happen."""

    def __init__(
        self,
        *,
        noun: str | Promise,
        transitions: Mapping[tuple[str, str], Transition],
        illegal: Callable[[str, str], IllegalTransition] | None = None,
    ) -> None:
        self.noun = noun
        self.transitions = dict(transitions)
        self._illegal = illegal

    def __contains__(self, move: tuple[str, str]) -> bool:
        return move in self.transitions

    def targets(self, from_status: str) -> frozenset[str]:
        """The statuses reachable in one move from `from_status`."""
        return frozenset(to for (start, to) in self.transitions if start == from_status)

    def statuses(self) -> frozenset[str]:
        return frozenset(status for move in self.transitions for status in move)

    def transition(self, from_status: str, to_status: str) -> Transition:
        """The move's entry in the table; IllegalTransition when there is none."""
        found = self.transitions.get((from_status, to_status))
        if found is None:
            if self._illegal is not None:
                raise self._illegal(from_status, to_status)
            # Said without the statuses: they are the code's words, not the reader's (clients
            # tell the cases apart by the code).
            raise IllegalTransition(
                _(
                    "%(noun)s: this step is not possible at this stage. Refresh to see where "
                    "things stand."
                )
                % {"noun": self.noun}
            )
        return found

    def check(
        self,
        subject: Any,
        *,
        from_status: str,
        to_status: str,
        role: str,
        facts: Mapping[str, Any] | None = None,
    ) -> Transition:
        """Refuse the move unless it is in the table, allowed for `role`, and every guard passes.

        Raises before anything is written; returns the table entry (its event class included).
        """
        transition = self.transition(from_status, to_status)
        if role not in transition.roles:
            raise TransitionNotAllowedForRole(
                _("%(noun)s: this step is not for the role “%(role)s”.")
                % {
                    "noun": self.noun,
                    "role": ActorRole(role).label if role in ActorRole.values else role,
                }
            )
        move = Move(subject, from_status, to_status, role, facts or {})
        for guard in transition.guards:
            guard(move)
        return transition

    def guards_named(self) -> Iterable[tuple[tuple[str, str], str]]:
        """Every (move, guard name) in the table, for documentation and tests."""
        for move, transition in self.transitions.items():
            for guard in transition.guards:
                yield move, getattr(guard, "__name__", repr(guard))
