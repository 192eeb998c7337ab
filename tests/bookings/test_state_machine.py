"""The booking state machine: BOOKING_TRANSITIONS, enforced by booking_transition alone.

The table test walks every (from, to, role) triple: 11 × 11 × 4 = 484 attempts. Each
from-status is one test that builds its booking once through the real services, then tries
every (to, role) inside a savepoint that is rolled back, so every attempt starts from the
same row and no attempt sees another's effects.
"""

from __future__ import annotations

import ast
import contextlib
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from backend.exceptions import ApplicationError
from backend.models import User
from bookings.exceptions import IllegalTransition, TransitionNotAllowedForRole
from bookings.models import (
    FINAL_STATUSES,
    SLOT_HOLDING_STATUSES,
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    Offer,
    SlotProposal,
)
from bookings.services import booking_transition
from bookings.transitions import BOOKING_TRANSITIONS
from helpers.models import HelperProfile
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper

S = BookingStatus
ZURICH_TIME = ZoneInfo("Europe/Zurich")
# A Tuesday morning: every slot the factories pick lies inside the helpers' weekly hours.
FROZEN_AT = datetime(2027, 2, 2, 9, 0, tzinfo=ZURICH_TIME)
REPO = Path(__file__).resolve().parents[2]

HELPER_COUNTERS = (
    "completed_visits",
    "cancellations_caused",
    "late_cancellations_caused",
    "no_shows_caused",
    "offers_received",
    "offers_accepted",
    "offers_declined",
    "offers_expired",
    "rating_count",
    "rating_sum",
)
CUSTOMER_COUNTERS = (
    "customer_cancellations_caused",
    "customer_late_cancellations_caused",
    "customer_no_shows_caused",
    "customer_rating_count",
    "customer_rating_sum",
)


@pytest.fixture
def frozen_time():
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


def _snapshot(booking: Booking) -> dict[str, Any]:
    """Everything a refused transition must leave exactly as it was."""
    return {
        "booking": Booking.objects.filter(pk=booking.pk).values().get(),
        "events": list(
            BookingEvent.objects.filter(booking=booking).values_list(
                "pk", "from_status", "to_status", "actor_id", "actor_role"
            )
        ),
        "offers": list(
            Offer.objects.filter(help_request_id=booking.help_request_id)
            .order_by("pk")
            .values_list("pk", "status")
        ),
        "proposals": list(
            SlotProposal.objects.filter(booking=booking).order_by("pk").values_list("pk", "status")
        ),
        "help_request": HelpRequest.objects.filter(pk=booking.help_request_id).values().get(),
        "helper": HelperProfile.objects.filter(pk=booking.helper_id).values(*HELPER_COUNTERS).get(),
        "customer": User.objects.filter(pk=booking.help_request.customer_id)
        .values(*CUSTOMER_COUNTERS)
        .get(),
    }


def _expected(from_status: str, to: str, role: str, actor: User | None) -> tuple[Any, ...]:
    allowed = BOOKING_TRANSITIONS.get((from_status, to))
    if allowed is None:
        return ("refused", "IllegalTransition", "illegal_transition", 409, "nothing changed")
    if role not in allowed:
        return (
            "refused",
            "TransitionNotAllowedForRole",
            "not_allowed_for_role",
            403,
            "nothing changed",
        )
    actor_id = actor.pk if actor is not None else None
    return ("moved", to, 1, (from_status, to, actor_id, role))


def _attempt(booking: Booking, to: str, role: str, actor: User | None) -> tuple[Any, ...]:
    """Try one move and describe what happened; the caller's savepoint undoes it."""
    before = _snapshot(booking)
    changes = None
    if to in SLOT_HOLDING_STATUSES and booking.starts_at is None:
        # Holding a slot needs one (a database check says so); confirm gives it in production.
        starts_at = FROZEN_AT + timedelta(days=3)
        changes = {"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=1)}
    try:
        booking_transition(
            booking=booking, to=to, actor=actor, role=role, reason="table test", changes=changes
        )
    except ApplicationError as exc:
        unchanged = "nothing changed" if _snapshot(booking) == before else "CHANGED"
        return ("refused", type(exc).__name__, exc.code, exc.status, unchanged)
    new_events = list(
        BookingEvent.objects.filter(booking=booking)
        .exclude(pk__in=[row[0] for row in before["events"]])
        .values_list("from_status", "to_status", "actor_id", "actor_role")
    )
    stored = Booking.objects.values_list("status", flat=True).get(pk=booking.pk)
    return ("moved", stored, len(new_events), new_events[0] if new_events else None)


@pytest.mark.django_db
@pytest.mark.parametrize("from_status", S.values)
def test_every_move_from_a_status_is_allowed_exactly_as_the_table_says(from_status, frozen_time):
    # Given a booking in `from_status`, reached through the services
    customer, helper, manager = UserFactory(), make_helper(), ManagerFactory()
    booking = make_booking(from_status, customer=customer, helper=helper, manager=manager)
    actors = {
        ActorRole.CUSTOMER: customer,
        ActorRole.HELPER: helper.user,
        ActorRole.MANAGER: manager,
        ActorRole.SYSTEM: None,
    }
    actual, expected = {}, {}
    for to in S.values:
        for role, actor in actors.items():
            # When that role asks to move it to `to` (undone afterwards)
            expected[(to, role)] = _expected(from_status, to, role, actor)
            savepoint = transaction.savepoint()
            try:
                actual[(to, role)] = _attempt(booking, to, role, actor)
            finally:
                transaction.savepoint_rollback(savepoint)

    # Then allowed moves happened with exactly one event, all others were refused untouched
    assert actual == expected
    assert len(actual) == len(S.values) * len(ActorRole.values) == 44


def test_refusals_carry_their_http_status():
    assert (IllegalTransition.code, IllegalTransition.status) == ("illegal_transition", 409)
    assert (TransitionNotAllowedForRole.code, TransitionNotAllowedForRole.status) == (
        "not_allowed_for_role",
        403,
    )


# --- The table itself --------------------------------------------------------------------------


def test_table_names_only_known_statuses_and_roles():
    statuses, roles = set(S.values), set(ActorRole.values)
    for (from_status, to), allowed in BOOKING_TRANSITIONS.items():
        assert from_status in statuses
        assert to in statuses
        assert from_status != to
        assert allowed
        assert allowed <= roles


def test_settled_is_reached_only_from_signed_off_by_the_system():
    into_settled = {
        move: allowed for move, allowed in BOOKING_TRANSITIONS.items() if move[1] == S.SETTLED
    }
    assert into_settled == {(S.SIGNED_OFF, S.SETTLED): frozenset({ActorRole.SYSTEM})}


def test_only_settled_cancelled_and_no_show_are_dead_ends():
    with_a_way_out = {from_status for from_status, _ in BOOKING_TRANSITIONS}
    dead_ends = set(S.values) - with_a_way_out
    assert dead_ends == {S.SETTLED, S.CANCELLED, S.NO_SHOW}
    assert set(FINAL_STATUSES) == dead_ends


def test_every_status_is_reachable_from_awaiting_proposal():
    reached, frontier = {S.AWAITING_PROPOSAL.value}, [S.AWAITING_PROPOSAL.value]
    while frontier:
        current = frontier.pop()
        for from_status, to in BOOKING_TRANSITIONS:
            if from_status == current and to not in reached:
                reached.add(to)
                frontier.append(to)
    assert reached == set(S.values)


def test_the_system_only_signs_off_and_settles():
    system_moves = {
        move for move, allowed in BOOKING_TRANSITIONS.items() if ActorRole.SYSTEM in allowed
    }
    assert system_moves == {(S.COMPLETED, S.SIGNED_OFF), (S.SIGNED_OFF, S.SETTLED)}


# --- Nobody else writes Booking.status --------------------------------------------------------

PRODUCT_PACKAGES = ("bookings", "helpers", "mobile_api", "backend", "payments")
WRITE_CALLS = {"update", "create", "get_or_create", "update_or_create", "bulk_update", "Booking"}


def _product_sources() -> list[tuple[str, str, ast.Module]]:
    sources = []
    for package in PRODUCT_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            sources.append((str(path.relative_to(REPO)), text, ast.parse(text)))
    return sources


def _functions_by_line(tree: ast.Module) -> dict[int, str]:
    """Line number → name of the innermost function defined around it."""
    owner: dict[int, str] = {}
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in sorted(functions, key=lambda n: n.lineno):
        for line in range(function.lineno, (function.end_lineno or function.lineno) + 1):
            owner[line] = function.name
    return owner


def test_locked_status_assignment_is_only_in_booking_transition():
    hits = []
    for path, text, tree in _product_sources():
        owners = _functions_by_line(tree)
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(r"locked\.status = to", line):
                hits.append((path, owners.get(number), line.strip()))
    assert hits == [("bookings/services/moves.py", "booking_transition", "locked.status = to")]


def _status_writes(path: str, text: str) -> list[tuple[Any, ...]]:
    """Every place in `text` that writes a booking's status outside booking_transition."""
    tree = ast.parse(text)
    owners = _functions_by_line(tree)
    offenders: list[tuple[Any, ...]] = []

    def flag(node: ast.AST, why: str) -> None:
        where = owners.get(node.lineno)  # type: ignore[attr-defined]
        if where != "booking_transition":
            offenders.append((path, node.lineno, where, why))  # type: ignore[attr-defined]

    def source(node: ast.AST) -> str:
        return ast.get_source_segment(text, node) or ""

    for node in ast.walk(tree):
        # booking.status = ... / locked.status = ...
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and re.search(r"booking|locked", source(target.value), re.IGNORECASE)
                ):
                    flag(node, "assigns .status")
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                name = node.func.attr
            elif isinstance(node.func, ast.Name):
                name = node.func.id
            else:
                name = ""
            # setattr(booking, "status", ...)
            if (
                name == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "status"
            ):
                flag(node, "setattr status")
            # .update(status=BookingStatus.X), Booking(status=...), create(status=...)
            if name in WRITE_CALLS:
                for keyword in node.keywords:
                    if keyword.arg == "status" and (
                        "BookingStatus" in source(keyword.value) or name == "Booking"
                    ):
                        flag(node, f"{name}(status=...)")
            # booking_transition(..., changes={"status": ...}) would override `to`
            if name == "booking_transition":
                for keyword in node.keywords:
                    if keyword.arg == "changes" and isinstance(keyword.value, ast.Dict):
                        keys = [k.value for k in keyword.value.keys if isinstance(k, ast.Constant)]
                        if "status" in keys:
                            offenders.append((path, node.lineno, "changes", "changes has status"))
        # {"status": BookingStatus.X}, handed to an update(**values)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "status"
                    and "BookingStatus" in source(value)
                ):
                    flag(node, "dict status: BookingStatus")
    if re.search(r"update\s+\"?bookings_booking\"?\s+set", text, re.IGNORECASE):
        offenders.append((path, 0, None, "raw SQL UPDATE bookings_booking"))
    return offenders


def test_the_status_write_scanner_finds_each_kind_of_write():
    sample = """
def booking_transition(locked, to):
    locked.status = to


def sneaky(booking, Booking, BookingStatus):
    booking.status = BookingStatus.SETTLED
    setattr(booking, "status", "settled")
    Booking.objects.filter(pk=1).update(status=BookingStatus.CANCELLED)
    Booking(status="confirmed")
    values = {"status": BookingStatus.NO_SHOW}
    booking_transition(booking=booking, to="proposed", changes={"status": "settled"})
    sql = "UPDATE bookings_booking SET status = 'settled'"
"""
    assert [row[1:] for row in _status_writes("sample.py", sample)] == [
        (7, "sneaky", "assigns .status"),
        (8, "sneaky", "setattr status"),
        (9, "sneaky", "update(status=...)"),
        (10, "sneaky", "Booking(status=...)"),
        (11, "sneaky", "dict status: BookingStatus"),
        (12, "changes", "changes has status"),
        (0, None, "raw SQL UPDATE bookings_booking"),
    ]


def test_no_booking_status_write_outside_booking_transition():
    offenders = [
        offender for path, text, _ in _product_sources() for offender in _status_writes(path, text)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_changes_cannot_smuggle_a_different_status(frozen_time):
    # Given a booking awaiting a proposal
    booking = make_booking(S.AWAITING_PROPOSAL)
    helper_user = booking.helper.user

    # When a caller passes a status inside `changes`
    with contextlib.suppress(ApplicationError, ValueError):  # refusing it would be fine
        booking_transition(
            booking=booking,
            to=S.PROPOSED,
            actor=helper_user,
            role=ActorRole.HELPER,
            changes={"status": S.SETTLED},
        )

    # Then the stored status is the one the last event records
    booking.refresh_from_db()
    last_event = BookingEvent.objects.filter(booking=booking).last()
    assert booking.status == last_event.to_status
