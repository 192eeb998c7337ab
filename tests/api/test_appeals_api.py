"""Appeals over the API: the suspended helper files one and reads the decision; the manager
lists the open ones and decides; refused input stores nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from backend.relay import relay_pending
from helpers import services
from helpers.models import AppealStatus, ApprovalStatus, HelperAppeal, HelperProfile
from tests.api.api_assertions import API, assert_error, client_for, results
from tests.factories import ManagerFactory, make_helper

pytestmark = pytest.mark.django_db

APPEALS = f"{API}/helper/appeals"


def suspended_helper() -> tuple[HelperProfile, object]:
    helper = make_helper(preferred_language="en")
    manager = ManagerFactory.create()
    services.helper_suspend(helper=helper, actor=manager, note="Late twice.")
    helper.refresh_from_db()
    return helper, manager


def test_a_helper_appeals_and_the_manager_lifts_the_suspension():
    # Given a suspended helper
    helper, manager = suspended_helper()
    mine, desk = client_for(helper.user), client_for(manager)

    # When they appeal
    filed = mine.post(APPEALS, {"text": "The bus was late, twice."}, format="json")

    # Then the appeal is stored, open, and the manager finds it among the open ones
    assert filed.status_code == 201, filed.content
    appeal = HelperAppeal.objects.get()
    assert filed.json() == {
        "id": str(appeal.public_id),
        "text": "The bus was late, twice.",
        "status": "open",
        "created_at": filed.json()["created_at"],
        "decided_at": None,
        "decision_note": "",
    }
    waiting = results(desk.get(f"{API}/manager/appeals?status=open"))
    assert [(a["id"], a["helper"], a["suspension_note"]) for a in waiting] == [
        (str(appeal.public_id), str(helper.public_id), "Late twice.")
    ]

    # When the manager lifts the suspension, saying why
    decided = desk.post(
        f"{API}/manager/appeals/{appeal.public_id}/decide",
        {"outcome": "lift", "note": "Understood."},
        format="json",
    )

    # Then the appeal is lifted, the helper approved, and the helper reads both
    assert decided.status_code == 200, decided.content
    assert (decided.json()["status"], decided.json()["decision_note"]) == ("lifted", "Understood.")
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.APPROVED
    assert [(a["status"], a["decision_note"]) for a in mine.get(APPEALS).json()] == [
        ("lifted", "Understood.")
    ]
    assert results(desk.get(f"{API}/manager/appeals?status=open")) == []
    relay_pending()
    assert [m.subject for m in mail.outbox][-2:] == [
        "We received your appeal",
        "You can receive requests again",
    ]


def test_an_approved_helper_cannot_appeal_and_nothing_is_stored():
    helper = make_helper()

    response = client_for(helper.user).post(APPEALS, {"text": "Why not?"}, format="json")

    assert_error(
        response, 409, "not_suspended", set(), documented_in=("post", "/api/v1/helper/appeals")
    )
    assert not HelperAppeal.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "validation_required"),
        ({"text": "\u200b"}, "nothing_visible"),
        ({"text": "x" * 2001}, "max_length"),
    ],
)
def test_an_unfit_appeal_is_refused_with_its_field(body, code):
    helper, _ = suspended_helper()

    response = client_for(helper.user).post(APPEALS, body, format="json")

    assert_error(response, 400, code, {"text"}, documented_in=("post", "/api/v1/helper/appeals"))
    assert not HelperAppeal.objects.exists()


def test_a_decision_without_a_reason_changes_nothing():
    helper, manager = suspended_helper()
    client_for(helper.user).post(APPEALS, {"text": "Please."}, format="json")
    appeal = HelperAppeal.objects.get()

    response = client_for(manager).post(
        f"{API}/manager/appeals/{appeal.public_id}/decide",
        {"outcome": "uphold", "note": ""},
        format="json",
    )

    assert_error(
        response,
        400,
        "reason_required",
        {"note"},
        documented_in=("post", "/api/v1/manager/appeals/{appeal_id}/decide"),
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == (AppealStatus.OPEN, None)
