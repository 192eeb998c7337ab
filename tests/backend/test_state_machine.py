"""The generic state machine: a table of moves, roles and guards, asked before any write."""

from __future__ import annotations

import pytest

from backend.exceptions import ApplicationError, ValidationFailed
from backend.state_machine import (
    IllegalTransition,
    Move,
    StateMachine,
    Transition,
    TransitionNotAllowedForRole,
)


class Door:
    def __init__(self, *, locked: bool) -> None:
        self.locked = locked


def not_locked(move: Move) -> None:
    if move.subject.locked:
        raise ValidationFailed("The door is locked.", code="door_locked")


def key_in_hand(move: Move) -> None:
    if not move.facts.get("key"):
        raise ValidationFailed("Bring the key.", code="no_key")


MACHINE = StateMachine(
    noun="door",
    transitions={
        ("closed", "open"): Transition(frozenset({"resident"}), guards=(not_locked,)),
        ("open", "closed"): Transition(frozenset({"resident", "guest"})),
        ("locked", "closed"): Transition(frozenset({"resident"}), guards=(key_in_hand,)),
    },
)


def _refusal(**kwargs) -> tuple[str, str, int, str]:
    with pytest.raises(ApplicationError) as refused:
        MACHINE.check(**kwargs)
    error = refused.value
    return type(error).__name__, error.code, error.status, error.message


def test_a_move_not_in_the_table_is_illegal():
    assert _refusal(
        subject=Door(locked=False), from_status="open", to_status="locked", role="resident"
    ) == (
        "IllegalTransition",
        "illegal_transition",
        409,
        "door: this step is not possible at this stage. Refresh to see where things stand.",
    )


def test_a_move_in_the_table_is_refused_to_a_role_it_does_not_list():
    assert _refusal(
        subject=Door(locked=False), from_status="closed", to_status="open", role="guest"
    ) == (
        "TransitionNotAllowedForRole",
        "not_allowed_for_role",
        403,
        "door: this step is not for the role “guest”.",
    )


def test_guards_run_after_the_table_and_the_role_with_their_own_codes():
    door = Door(locked=True)
    assert _refusal(subject=door, from_status="closed", to_status="open", role="resident")[1] == (
        "door_locked"
    )
    assert _refusal(subject=door, from_status="locked", to_status="closed", role="resident")[1] == (
        "no_key"
    )
    # A refused role is told so before any guard looks at the object.
    assert _refusal(subject=door, from_status="closed", to_status="open", role="guest")[1] == (
        "not_allowed_for_role"
    )


def test_an_allowed_move_returns_its_table_entry():
    entry = MACHINE.check(
        Door(locked=True),
        from_status="locked",
        to_status="closed",
        role="resident",
        facts={"key": 1},
    )
    assert entry is MACHINE.transitions[("locked", "closed")]


def test_a_machine_may_name_its_own_illegal_move():
    class DoorJammed(IllegalTransition):
        code = "door_jammed"

    machine = StateMachine(
        noun="door",
        transitions=MACHINE.transitions,
        illegal=lambda start, to: DoorJammed(f"The door is stuck {start}."),
    )
    with pytest.raises(DoorJammed) as refused:
        machine.transition("open", "locked")
    assert (refused.value.code, refused.value.status) == ("door_jammed", 409)
    assert isinstance(refused.value, IllegalTransition)


def test_the_table_answers_what_comes_next():
    assert MACHINE.targets("open") == {"closed"}
    assert MACHINE.statuses() == {"open", "closed", "locked"}
    assert sorted(MACHINE.guards_named()) == [
        (("closed", "open"), "not_locked"),
        (("locked", "closed"), "key_in_hand"),
    ]
    assert ("open", "closed") in MACHINE
    assert TransitionNotAllowedForRole.status == 403
