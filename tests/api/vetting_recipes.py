"""The codes of a helper's application moving through vetting: an application at the step
each rule needs, then the move that meets it (used by tests/api/test_every_code_provoked.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from helpers.models import ApprovalStatus, HelperDocument, HelperProfile
from tests.api.code_recipes import Call, Operation, World, send
from tests.api.domain_recipes import V1, Recipe, _add, body
from tests.factories import make_helper, stored_document

APPLICATION = V1 + "/manager/applications/{helper_id}/"
HELPER = V1 + "/manager/helpers/{helper_id}/"


def applicant(status: str, **changes: Any) -> Recipe:
    """The move on another applicant's application, at `status`."""

    def recipe(world: World, operation: Operation) -> Any:
        helper = make_helper(approval=status)
        return send(world, operation, params={"helper_id": str(helper.public_id)}, **changes)

    return recipe


def own_application(status: str) -> Recipe:
    """The applicant's own move, their application at `status`."""

    def recipe(world: World, operation: Operation) -> Any:
        HelperProfile.objects.filter(pk=world.helper.pk).update(approval_status=status)
        return send(world, operation)

    return recipe


def prepare_documents(world: World, operation: Operation) -> None:
    """A stored document of the world's helper, for the operations on one."""
    if "{document_id}" in operation[1]:
        world.overrides["document_id"] = str(stored_document(world.helper).public_id)


def _document_deleted(world: World, operation: Operation) -> Any:
    document = stored_document(world.helper, HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT)
    HelperDocument.objects.filter(pk=document.pk).update(deleted_at=timezone.now())
    return Call(world, operation, params={"document_id": str(document.public_id)}).send()


def _interview_required(world: World, operation: Operation) -> Any:
    with override_settings(QUARTIER=settings.QUARTIER.with_values(VETTING_INTERVIEW_REQUIRED=True)):
        return applicant(ApprovalStatus.CONDUCT_TEST_PASSED)(world, operation)


_A = ApprovalStatus
ILLEGAL = {(409, "illegal_transition"): body()}  # the world's helper is approved already
_NO_REASON = {(400, "reason_required"): applicant(_A.DOCUMENTS_SUBMITTED, note="")}

_add(
    "post",
    APPLICATION + "check-documents",
    {
        **ILLEGAL,
        (409, "documents_missing"): applicant(_A.DOCUMENTS_SUBMITTED),
    },
)
_add("post", APPLICATION + "conduct-test-passed", ILLEGAL)
_add("post", APPLICATION + "invite-to-interview", ILLEGAL)
_add("post", APPLICATION + "request-information", {**ILLEGAL, **_NO_REASON})
_add("post", APPLICATION + "reject", {**ILLEGAL, **_NO_REASON})
_add(
    "post",
    HELPER + "approve",
    {
        (409, "illegal_transition"): applicant(_A.APPLIED),
        (409, "interview_required"): _interview_required,
        (400, "reason_required"): applicant(_A.SUSPENDED, note=""),
    },
)
for _step in ("suspend", "offboard"):
    _add(
        "post",
        HELPER + _step,
        {
            (409, "illegal_transition"): applicant(_A.APPLIED),
            (400, "reason_required"): body(note=""),
        },
    )
_add(
    "post",
    V1 + "/helper/application/submit",
    {
        **ILLEGAL,
        (409, "documents_missing"): own_application(_A.APPLIED),
    },
)
_add("post", V1 + "/helper/application/withdraw", ILLEGAL)
_add(
    "get",
    V1 + "/manager/documents/{document_id}/file",
    {(410, "document_deleted"): _document_deleted},
)
