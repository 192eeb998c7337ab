"""Lifting a helper's suspension says why, as suspending does: the service refuses an empty
note (`reason_required`, on the field `note`) and changes nothing, and the console, the back
office's action and the API all meet that one rule. Quartier's own reinstatement at the end
date needs no note."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from backend.exceptions import ApplicationError
from backend.relay import relay_pending
from helpers import services
from helpers.models import ApprovalStatus, HelperApprovalEvent, HelperProfile
from tests.admin_world import admin_url, messages_of
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import ManagerFactory, make_helper
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


def suspended(**user_fields: Any) -> HelperProfile:
    """A helper suspended for a week, the e-mail of the suspension already sent."""
    helper = make_helper(preferred_language="en", **user_fields)
    services.helper_suspend(
        helper=helper,
        actor=ManagerFactory.create(),
        note="Late twice.",
        until=timezone.now() + timedelta(days=7),
    )
    relay_pending()
    mail.outbox.clear()
    return HelperProfile.objects.get(pk=helper.pk)


def assert_still_suspended(helper: HelperProfile) -> None:
    """The refusal changed nothing: status, end, note, history, and nobody was told."""
    before = (helper.approval_status, helper.suspended_until, helper.approval_note)
    after = HelperProfile.objects.get(pk=helper.pk)
    assert (after.approval_status, after.suspended_until, after.approval_note) == before
    assert before[0] == ApprovalStatus.SUSPENDED
    assert list(
        HelperApprovalEvent.objects.filter(helper=helper).values_list("to_status", flat=True)
    ) == [ApprovalStatus.SUSPENDED]
    relay_pending()
    assert mail.outbox == []


@pytest.mark.parametrize("note", ["", "   \n "])
def test_the_service_refuses_to_lift_a_suspension_without_a_note(note):
    helper = suspended()

    with pytest.raises(ApplicationError) as refused:
        services.helper_approve(helper=helper, actor=ManagerFactory.create(), note=note)

    assert (refused.value.status, refused.value.code, list(refused.value.fields)) == (
        400,
        "reason_required",
        ["note"],
    )
    assert_still_suspended(helper)


def test_lifting_with_a_note_records_it_and_tells_the_helper():
    helper = suspended()
    manager = ManagerFactory.create()

    services.helper_approve(helper=helper, actor=manager, note="The customer withdrew it.")

    helper.refresh_from_db()
    assert (helper.approval_status, helper.suspended_until, helper.approval_note) == (
        ApprovalStatus.APPROVED,
        None,
        "The customer withdrew it.",
    )
    last = HelperApprovalEvent.objects.filter(helper=helper).latest("pk")
    assert (last.to_status, last.actor, last.role, last.note) == (
        ApprovalStatus.APPROVED,
        manager,
        "manager",
        "The customer withdrew it.",
    )
    relay_pending()
    assert [m.subject for m in mail.outbox] == ["You can receive requests again"]
    assert "The community manager's note:\nThe customer withdrew it." in mail.outbox[0].body


def test_an_applicant_is_still_approved_without_a_note():
    helper = make_helper(approval=ApprovalStatus.CONDUCT_TEST_PASSED)

    services.helper_approve(helper=helper, actor=ManagerFactory.create())

    helper.refresh_from_db()
    assert (helper.approval_status, helper.approval_note) == (ApprovalStatus.APPROVED, "")


def test_the_console_keeps_the_helper_suspended_and_asks_why(client):
    helper = suspended()
    _logged_in(client, ManagerFactory.create())
    page = html.unescape(client.get(f"/manage/helpers/{helper.public_id}/").content.decode())
    assert "<h2>Lift the suspension</h2>" in page
    assert "Lift this helper's suspension</button>" in page

    refused = client.post(f"/manage/helpers/{helper.public_id}/approve", {"approve-note": " "})

    page = f"/manage/helpers/{helper.public_id}/"
    assert _errors_of(shown_once(client, refused, page), "id_approve-note") == [
        "Tell us why, in a few words."
    ]
    assert_still_suspended(helper)

    lifted = client.post(
        f"/manage/helpers/{helper.public_id}/approve", {"approve-note": "Sorted out."}
    )

    assert lifted.status_code == 302
    helper.refresh_from_db()
    assert (helper.approval_status, helper.approval_note) == (
        ApprovalStatus.APPROVED,
        "Sorted out.",
    )


def test_the_api_refuses_to_lift_without_a_note():
    helper = suspended()
    desk = client_for(ManagerFactory.create())
    path = f"{API}/manager/helpers/{helper.public_id}/approve"

    refused = desk.post(path, {"note": ""}, format="json")

    assert_error(
        refused,
        400,
        "reason_required",
        {"note"},
        documented_in=("post", "/api/v1/manager/helpers/{helper_id}/approve"),
    )
    assert_still_suspended(helper)

    lifted = desk.post(path, {"note": "Sorted out."}, format="json")

    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["approval_status"] == ApprovalStatus.APPROVED


def _confirmation_form(page: str) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page):
        if name != "csrfmiddlewaretoken":
            form.setdefault(name, []).append(value)
    return form


def test_the_back_office_asks_why_before_lifting_and_approves_the_rest(manager_client):
    helper = suspended(email="hugo@example.ch")
    applicant = make_helper(approval=ApprovalStatus.CONDUCT_TEST_PASSED)
    url = admin_url(HelperProfile, "changelist")
    chosen = {"action": "approve_helpers", "_selected_action": [helper.pk, applicant.pk]}

    # The action first asks why, and changes nothing
    confirmation = manager_client.post(url, {**chosen, "index": 0})
    page = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "Lift suspensions" in page
    assert "Lift the suspension of 1 helper" in page
    assert "hugo@example.ch" in page
    assert _confirmation_form(page) == {
        "_selected_action": [str(helper.pk), str(applicant.pk)],
        "action": ["approve_helpers"],
        "confirm": ["yes"],
    }
    assert_still_suspended(helper)
    applicant.refresh_from_db()
    assert applicant.approval_status == ApprovalStatus.CONDUCT_TEST_PASSED

    # Without a note nobody is approved
    blank = manager_client.post(url, {**chosen, "confirm": "yes", "note": "  "})
    assert blank.status_code == 200
    assert "This field is required." in blank.content.decode()
    assert_still_suspended(helper)
    applicant.refresh_from_db()
    assert applicant.approval_status == ApprovalStatus.CONDUCT_TEST_PASSED

    # With one, the suspension is lifted with it; the applicant is approved without it
    done = manager_client.post(url, {**chosen, "confirm": "yes", "note": "Sorted out."})
    assert done.status_code == 302
    helper.refresh_from_db()
    applicant.refresh_from_db()
    assert (helper.approval_status, helper.approval_note) == (
        ApprovalStatus.APPROVED,
        "Sorted out.",
    )
    assert (applicant.approval_status, applicant.approval_note) == (ApprovalStatus.APPROVED, "")
    assert messages_of(done) == [("success", "2 helpers approved.")]
