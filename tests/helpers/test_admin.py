"""The helpers' back office: the profile page with its figures, approval that moves only
through the list's actions (which call the services), and profile edits that obey the rules of
the helpers' services.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from backend.exceptions import Conflict
from bookings.models import OfferStatus
from helpers import services as helper_services
from helpers.models import ApprovalStatus, HelperProfile
from tests import factories
from tests.admin_world import (
    admin_url,
    category,
    make_help_request,
    make_helper,
    make_offer,
    make_user,
    messages_of,
)

pytestmark = pytest.mark.django_db


def test_helper_page_shows_computed_figures_and_inlines(manager_client, admin_world):
    response = manager_client.get(admin_url(HelperProfile, "change", admin_world["helper"].pk))

    page = response.content.decode()
    assert "4.50" in page  # 18 / 4
    assert "3 min 20 s" in page  # 800 s over 4 answered offers
    assert "47.37690, 8.54170" in page
    assert "Holiday in Ticino" in page
    assert "Monday" in page
    assert 'name="skill_rows-0-category"' in page
    assert 'name="approval_status"' not in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("hugo@example.ch", True),
        ("8001", True),
        ("Zürich", True),
        ("+41 79 123", True),
        ("nobody@example.ch", False),
    ],
)
def test_helpers_are_searchable(manager_client, admin_world, query, found):
    response = manager_client.get(admin_url(HelperProfile, "changelist"), {"q": query})

    assert ("hugo@example.ch" in response.content.decode()) is found


def test_helpers_filter_by_spoken_language(manager_client, admin_world):
    make_helper("francine", languages=["fr"])
    url = admin_url(HelperProfile, "changelist")

    french = manager_client.get(url, {"speaks": "fr"}).content.decode()
    german = manager_client.get(url, {"speaks": "de"}).content.decode()

    assert "francine@example.ch" in french
    assert "hugo@example.ch" not in french
    assert "hugo@example.ch" in german
    assert "francine@example.ch" not in german


def test_approve_action_approves_vetted_applicants(manager_client):
    applicant = make_helper("anna", status=ApprovalStatus.CONDUCT_TEST_PASSED)
    approved = make_helper("bert", status=ApprovalStatus.APPROVED)
    before = approved.approval_changed_at

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "approve_helpers", "_selected_action": [applicant.pk, approved.pk], "index": 0},
    )

    applicant.refresh_from_db()
    approved.refresh_from_db()
    assert response.status_code == 302
    assert applicant.approval_status == ApprovalStatus.APPROVED
    assert applicant.approval_changed_at is not None
    assert approved.approval_status == ApprovalStatus.APPROVED
    assert approved.approval_changed_at == before
    assert messages_of(response) == [
        ("success", "1 helper approved."),
        ("info", "1 helper was already approved."),
    ]


def test_approve_action_refuses_an_applicant_not_yet_vetted(manager_client):
    applicant = make_helper("anna")

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "approve_helpers", "_selected_action": [applicant.pk], "index": 0},
    )

    applicant.refresh_from_db()
    assert (applicant.approval_status, applicant.approval_changed_at) == ("applied", None)
    assert applicant.approval_events.count() == 0
    assert messages_of(response) == [
        (
            "error",
            "Anna <anna@example.ch> was not approved: "
            "Helper's application: this step is not possible at this stage. Refresh to see "
            "where things stand.",
        ),
        ("warning", "0 helpers approved."),
    ]


def test_a_refused_approval_is_reported_and_the_others_go_through(manager_client, monkeypatch):
    refused = make_helper("anna", status=ApprovalStatus.CONDUCT_TEST_PASSED)
    accepted = make_helper("bert", status=ApprovalStatus.CONDUCT_TEST_PASSED)
    real_approve = helper_services.helper_approve

    def approve(*, helper, actor, note=""):
        if helper.pk == refused.pk:
            raise Conflict("This helper's documents expired.")
        return real_approve(helper=helper, actor=actor, note=note)

    monkeypatch.setattr(helper_services, "helper_approve", approve)

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "approve_helpers", "_selected_action": [refused.pk, accepted.pk], "index": 0},
    )

    refused.refresh_from_db()
    accepted.refresh_from_db()
    assert response.status_code == 302
    assert refused.approval_status == ApprovalStatus.CONDUCT_TEST_PASSED
    assert refused.approval_changed_at is None
    assert accepted.approval_status == ApprovalStatus.APPROVED
    assert messages_of(response) == [
        ("error", "Anna <anna@example.ch> was not approved: This helper's documents expired."),
        ("success", "1 helper approved."),
    ]


def test_suspend_action_asks_for_a_note_first(manager_client):
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "suspend_helpers", "_selected_action": [helper.pk], "index": 0},
    )

    helper.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 200
    assert "Suspend helpers" in page
    assert 'name="note"' in page
    assert "hugo@example.ch" in page
    assert helper.approval_status == ApprovalStatus.APPROVED


def test_suspend_action_with_a_note_suspends_and_withdraws_pending_offers(manager_client):
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)
    colleague = make_helper("gina", status=ApprovalStatus.APPROVED)
    help_request = make_help_request(make_user("carla"))
    offer = make_offer(help_request, helper)
    colleague_offer = make_offer(help_request, colleague)

    url = admin_url(HelperProfile, "changelist")
    confirmation = manager_client.post(
        url, {"action": "suspend_helpers", "_selected_action": [helper.pk], "index": 0}
    )
    # Submit the confirmation page's own form, as the browser would.
    hidden = re.findall(
        r'<input type="hidden" name="(\w+)" value="([^"]*)">', confirmation.content.decode()
    )
    form = {name: value for name, value in hidden if name != "csrfmiddlewaretoken"}
    assert form == {
        "_selected_action": str(helper.pk),
        "action": "suspend_helpers",
        "confirm": "yes",
    }

    response = manager_client.post(
        url, {**form, "note": "Two customers complained about rudeness."}
    )

    helper.refresh_from_db()
    offer.refresh_from_db()
    colleague_offer.refresh_from_db()
    assert response.status_code == 302
    assert helper.approval_status == ApprovalStatus.SUSPENDED
    assert helper.approval_note == "Two customers complained about rudeness."
    assert helper.approval_changed_at is not None
    assert offer.status == OfferStatus.WITHDRAWN
    assert colleague_offer.status == OfferStatus.PENDING
    assert messages_of(response) == [("success", "1 helper suspended.")]


def test_suspend_action_without_a_note_changes_nothing(manager_client):
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)
    offer = make_offer(make_help_request(make_user("carla")), helper)

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {
            "action": "suspend_helpers",
            "_selected_action": [helper.pk],
            "confirm": "yes",
            "note": "  ",
        },
    )

    helper.refresh_from_db()
    offer.refresh_from_db()
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert helper.approval_status == ApprovalStatus.APPROVED
    assert helper.approval_changed_at is None
    assert offer.status == OfferStatus.PENDING


def change_form_data(helper: HelperProfile, **overrides: Any) -> dict[str, Any]:
    skills = list(helper.skill_rows.all())
    data: dict[str, Any] = {
        "bio": helper.bio,
        "service_radius_km": helper.service_radius_km,
        "hourly_rate_minor": helper.hourly_rate_minor,
        "is_accepting_jobs": "on" if helper.is_accepting_jobs else "",
        "skill_rows-TOTAL_FORMS": len(skills),
        "skill_rows-INITIAL_FORMS": len(skills),
        "skill_rows-MIN_NUM_FORMS": 0,
        "skill_rows-MAX_NUM_FORMS": 1000,
        "weekly_availability-TOTAL_FORMS": 0,
        "weekly_availability-INITIAL_FORMS": 0,
        "availability_exceptions-TOTAL_FORMS": 0,
        "availability_exceptions-INITIAL_FORMS": 0,
    }
    for index, skill in enumerate(skills):
        data[f"skill_rows-{index}-id"] = skill.pk
        data[f"skill_rows-{index}-helper"] = helper.pk
        data[f"skill_rows-{index}-category"] = skill.category_id
    return {**data, **overrides}


def test_the_change_form_cannot_approve_but_edits_the_profile(manager_client):
    helper = make_helper("anna")

    response = manager_client.post(
        admin_url(HelperProfile, "change", helper.pk),
        change_form_data(helper, bio="Patient with printers.", approval_status="approved"),
    )

    helper.refresh_from_db()
    assert response.status_code == 302
    assert helper.bio == "Patient with printers."
    assert helper.approval_status == ApprovalStatus.APPLIED
    assert helper.approval_changed_at is None


def test_skills_change_through_the_form(manager_client):
    helper = make_helper("anna")
    printer = category("computer-printer")
    data = change_form_data(helper)
    data.update(
        {
            "skill_rows-TOTAL_FORMS": 2,
            "skill_rows-0-DELETE": "on",
            "skill_rows-1-helper": helper.pk,
            "skill_rows-1-category": printer.pk,
        }
    )

    response = manager_client.post(admin_url(HelperProfile, "change", helper.pk), data)

    assert response.status_code == 302
    assert list(helper.skill_rows.values_list("category__slug", flat=True)) == ["computer-printer"]


def test_removing_every_skill_is_refused(manager_client):
    helper = make_helper("anna")

    response = manager_client.post(
        admin_url(HelperProfile, "change", helper.pk),
        change_form_data(helper, **{"skill_rows-0-DELETE": "on"}),
    )

    assert response.status_code == 200
    assert "A helper needs at least one skill." in response.content.decode()
    assert list(helper.skill_rows.values_list("category__slug", flat=True)) == ["internet-wifi"]


@pytest.mark.parametrize("rate", [999, 50_001])
def test_the_back_office_cannot_set_an_hourly_rate_the_app_refuses(client, rate):
    # Given a helper at CHF 40 an hour and the community manager, who reads English, in the
    # back office
    helper = factories.make_helper()
    client.force_login(factories.ManagerFactory(preferred_language="en"))
    skill = helper.skill_rows.get()

    # When the manager saves the profile with a rate outside CHF 10 to 500
    response = client.post(
        reverse("admin:helpers_helperprofile_change", args=(helper.pk,)),
        {
            "bio": "",
            "service_radius_km": helper.service_radius_km,
            "hourly_rate_minor": rate,
            "is_accepting_jobs": "on",
            "skill_rows-TOTAL_FORMS": 1,
            "skill_rows-INITIAL_FORMS": 1,
            "skill_rows-MIN_NUM_FORMS": 0,
            "skill_rows-MAX_NUM_FORMS": 1000,
            "skill_rows-0-id": skill.pk,
            "skill_rows-0-helper": helper.pk,
            "skill_rows-0-category": skill.category_id,
            "weekly_availability-TOTAL_FORMS": 0,
            "weekly_availability-INITIAL_FORMS": 0,
            "availability_exceptions-TOTAL_FORMS": 0,
            "availability_exceptions-INITIAL_FORMS": 0,
        },
    )

    # Then the form says why, and the rate is unchanged
    assert response.status_code == 200
    assert (
        "The hourly rate must be 0 (you help for free) or between 10 and 500 francs."
        in response.content.decode()
    )
    assert HelperProfile.objects.get(pk=helper.pk).hourly_rate_minor == 4000
