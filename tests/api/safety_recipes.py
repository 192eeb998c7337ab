"""The codes of safety reports and blocks: a visit under way, a report in the state each rule
needs, then the request that meets it (used by tests/api/test_every_code_provoked.py)."""

from __future__ import annotations

from typing import Any

from bookings import services
from bookings.models import BookingStatus, SafetyReport
from helpers.models import ApprovalStatus, HelperProfile
from tests.api.code_recipes import Operation, World, send
from tests.api.domain_recipes import BOOKING, STEP_STATES, V1, Recipe, _add, body, booking_in, on

REPORT = V1 + "/manager/reports/{report_id}"
# A visit can be reported once under way.
STEP_STATES["reports"] = BookingStatus.IN_PROGRESS


def report_on(world: World, *, by_helper: bool = False) -> SafetyReport:
    """An open report on a visit of the world's customer and helper, by the customer (or the
    helper)."""
    booking = booking_in(world, BookingStatus.IN_PROGRESS)
    actor = world.helper.user if by_helper else world.customer
    return services.safety_report_file(
        booking=booking, actor=actor, category="harassment", text="Rude all along."
    )


def prepare_safety(world: World, operation: Operation) -> None:
    if "{report_id}" in operation[1]:
        world.overrides["report_id"] = str(report_on(world).public_id)


def _twice(world: World, operation: Operation) -> Any:
    send(world, operation)
    return send(world, operation)


def _on_report(*, by_helper: bool = False, **changes: Any) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        report = report_on(world, by_helper=by_helper)
        return send(world, operation, params={"report_id": str(report.public_id)}, **changes)

    return recipe


def _helper_offboarded(world: World, operation: Operation) -> Any:
    HelperProfile.objects.filter(pk=world.helper.pk).update(
        approval_status=ApprovalStatus.OFFBOARDED
    )
    return send(world, operation, outcome="suspension")


_add(
    "post",
    BOOKING + "/reports",
    {
        (409, "visit_not_started"): on(BookingStatus.CONFIRMED),
        (409, "report_already_open"): _twice,
    },
)
_add(
    "post",
    REPORT + "/decide",
    {
        (400, "reason_required"): body(note=""),
        (400, "suspension_helpers_only"): _on_report(by_helper=True, outcome="suspension"),
        (409, "report_already_decided"): _twice,
        (409, "illegal_transition"): _helper_offboarded,
    },
)
