"""The codes of a suspended helper's appeal and the manager's decision: the world's helper
suspended, or another helper's open appeal, then the call that meets each rule (used by
tests/api/test_every_code_provoked.py)."""

from __future__ import annotations

from typing import Any

from helpers.appeal_services import appeal_file
from helpers.models import ApprovalStatus, HelperAppeal, HelperProfile
from helpers.services import helper_suspend
from tests.api.code_recipes import Call, Operation, World, send
from tests.api.domain_recipes import V1, _add, body
from tests.factories import make_helper

APPEALS = V1 + "/helper/appeals"
DECIDE = V1 + "/manager/appeals/{appeal_id}/decide"


def open_appeal(world: World) -> HelperAppeal:
    """Another helper, suspended by the world's manager, with an appeal waiting."""
    helper = make_helper()
    helper_suspend(helper=helper, actor=world.manager, note="Late twice.")
    return appeal_file(helper=helper, actor=helper.user, text="The bus was late.")


def prepare_appeals(world: World, operation: Operation) -> None:
    """The world's helper suspended for their own appeal; an open appeal for a decision."""
    if operation == ("post", APPEALS):
        helper_suspend(helper=world.helper, actor=world.manager, note="Late twice.")
    if "{appeal_id}" in operation[1]:
        world.overrides["appeal_id"] = str(open_appeal(world).public_id)


def _twice(world: World, operation: Operation) -> Any:
    send(world, operation)
    return send(world, operation)


def _not_suspended(world: World, operation: Operation) -> Any:
    HelperProfile.objects.filter(pk=world.helper.pk).update(approval_status=ApprovalStatus.APPROVED)
    return send(world, operation)


_add(
    "post",
    APPEALS,
    {(409, "appeal_already_open"): _twice, (409, "not_suspended"): _not_suspended},
)
_add(
    "post",
    DECIDE,
    {(409, "appeal_already_decided"): _twice, (400, "reason_required"): body(note="")},
)
_add(
    "get",
    V1 + "/manager/appeals",
    {
        (400, "invalid_choice"): lambda world, operation: Call(
            world, operation, query="status=forgiven"
        ).send()
    },
)
