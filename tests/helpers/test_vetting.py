"""The vetting pipeline: one state machine from application to approval (and after), who may
make each move, what must hold first, the history, the e-mails and the match index."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from backend.config import config
from backend.exceptions import ApplicationError
from backend.relay import relay_pending
from bookings.matching.index import match_index_check
from bookings.models import MatchEntry
from helpers import services
from helpers.models import ApprovalStatus, HelperApprovalEvent, HelperProfile
from helpers.transitions import APPROVAL_MACHINE
from tests.factories import (
    ZURICH,
    ManagerFactory,
    UserFactory,
    at,
    category,
    upload_documents,
    vet,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def applicant(**user_fields: object) -> HelperProfile:
    """An applicant whose payout account takes charges, so approval alone decides matching."""
    user = at(UserFactory.create(**user_fields), ZURICH)
    helper = services.helper_apply(user=user, skills=[category()])
    with transaction.atomic():
        services.helper_takes_payments_set(helper_id=helper.pk, takes_payments=True)
    helper.refresh_from_db()
    return helper


def snapshot(helper: HelperProfile) -> tuple[object, ...]:
    """Everything a refused move must leave as it was."""
    row = HelperProfile.objects.values_list(
        "approval_status", "approval_changed_at", "approval_note"
    ).get(pk=helper.pk)
    return (
        row,
        HelperApprovalEvent.objects.filter(helper=helper).count(),
        MatchEntry.objects.filter(helper=helper).count(),
    )


def test_every_status_is_in_the_table():
    assert APPROVAL_MACHINE.statuses() == set(ApprovalStatus.values)


def test_an_applicant_walks_the_pipeline_and_hears_of_every_step(clock):
    # Given an applicant who reads French, and the community manager
    helper = applicant(preferred_language="fr", email="lea@example.ch")
    manager = ManagerFactory.create()
    relay_pending()
    assert [m.subject for m in mail.outbox] == ["Votre candidature pour aider avec Quartier"]

    # When they hand in their documents and the manager takes them through every step
    upload_documents(helper)
    services.application_submit_documents(helper=helper, actor=helper.user)
    assert MatchEntry.objects.filter(helper=helper).count() == 0
    services.application_check_documents(helper=helper, actor=manager, note="ID and extract ok.")
    services.application_record_conduct_test(helper=helper, actor=None)
    services.application_invite_to_interview(helper=helper, actor=manager)
    assert MatchEntry.objects.filter(helper=helper).count() == 0
    helper = services.helper_approve(helper=helper, actor=manager, note="Welcome!")
    relay_pending()

    # Then the history holds each move with who made it, in which role
    assert list(
        HelperApprovalEvent.objects.filter(helper=helper).values_list(
            "from_status", "to_status", "role", "actor_id", "note"
        )
    ) == [
        ("applied", "documents_submitted", "helper", helper.user_id, ""),
        ("documents_submitted", "documents_checked", "manager", manager.pk, "ID and extract ok."),
        ("documents_checked", "conduct_test_passed", "system", None, ""),
        ("conduct_test_passed", "interview", "manager", manager.pk, ""),
        ("interview", "approved", "manager", manager.pk, "Welcome!"),
    ]
    # And they are matched now, once per skill
    assert MatchEntry.objects.filter(helper=helper).count() == 1
    assert match_index_check() == []
    # And each step sent one e-mail to them, in their language, with the manager's note
    assert [m.subject for m in mail.outbox] == [
        "Votre candidature pour aider avec Quartier",
        "Nous avons reçu vos documents",
        "Vos documents sont en ordre",
        "Vous avez réussi le test du code de conduite",
        "Un entretien avec la gestion de la communauté",
        "Bienvenue chez Quartier : votre candidature est acceptée",
    ]
    assert {tuple(m.to) for m in mail.outbox} == {("lea@example.ch",)}
    assert {m.extra_headers["Content-Language"] for m in mail.outbox} == {"fr"}
    assert "ID and extract ok." in mail.outbox[2].body
    assert "Welcome!" in mail.outbox[-1].body
    # And the e-mails that ask for the next step (upload, take the test) link the application
    link = f"Votre candidature : {config().helper_application_url}"
    assert config().helper_application_url.endswith("/helper/application")
    assert [link in m.body for m in mail.outbox] == [True, False, True, False, False, False]


def test_submitting_without_both_documents_is_refused_and_changes_nothing(clock):
    helper = applicant()
    before = snapshot(helper)

    with pytest.raises(ApplicationError) as refused:
        services.application_submit_documents(helper=helper, actor=helper.user)

    assert (refused.value.status, refused.value.code) == (409, "documents_missing")
    assert "criminal_record_extract, identity" in refused.value.message
    assert snapshot(helper) == before


def test_with_interviews_required_approval_waits_for_the_interview(clock, quartier_settings):
    quartier_settings(VETTING_INTERVIEW_REQUIRED=True)
    manager = ManagerFactory.create()
    helper = vet(applicant(), to=ApprovalStatus.CONDUCT_TEST_PASSED, manager=manager)
    before = snapshot(helper)

    with pytest.raises(ApplicationError) as refused:
        services.helper_approve(helper=helper, actor=manager)

    assert (refused.value.status, refused.value.code) == (409, "interview_required")
    assert snapshot(helper) == before
    services.application_invite_to_interview(helper=helper, actor=manager)
    helper = services.helper_approve(helper=helper, actor=manager)
    assert helper.approval_status == ApprovalStatus.APPROVED


@pytest.mark.parametrize(
    "service",
    [
        services.application_reject,
        services.application_request_information,
        services.helper_offboard,
    ],
)
def test_decisions_against_the_helper_need_a_reason(clock, service):
    manager = ManagerFactory.create()
    step = (
        ApprovalStatus.APPROVED
        if service is services.helper_offboard
        else ApprovalStatus.DOCUMENTS_SUBMITTED
    )
    helper = vet(applicant(), to=step, manager=manager)
    before = snapshot(helper)

    with pytest.raises(ApplicationError) as refused:
        service(helper=helper, actor=manager, note="   ")

    assert (refused.value.code, refused.value.fields) == (
        "reason_required",
        {"note": ["Say why (the helper is told)."]},
    )
    assert snapshot(helper) == before


def test_the_applicant_cannot_make_the_managers_moves_nor_others_theirs(clock):
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    stranger = UserFactory.create()
    before = snapshot(helper)

    with pytest.raises(ApplicationError) as own_check:
        services.application_check_documents(helper=helper, actor=helper.user)
    with pytest.raises(ApplicationError) as stranger_withdraws:
        services.application_withdraw(helper=helper, actor=stranger)

    assert (own_check.value.status, own_check.value.code) == (403, "manager_only")
    assert (stranger_withdraws.value.status, stranger_withdraws.value.code) == (
        403,
        "not_your_application",
    )
    assert snapshot(helper) == before


def test_a_manager_action_on_an_application_in_the_wrong_step_is_refused(clock):
    manager = ManagerFactory.create()
    helper = applicant()
    before = snapshot(helper)

    with pytest.raises(ApplicationError) as refused:
        services.application_check_documents(helper=helper, actor=manager)

    assert (refused.value.status, refused.value.code) == (409, "illegal_transition")
    assert snapshot(helper) == before


def test_asked_for_more_the_applicant_replaces_a_document_and_submits_again(clock):
    manager = ManagerFactory.create()
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED, manager=manager)

    services.application_request_information(
        helper=helper, actor=manager, note="The ID photo is blurred."
    )
    relay_pending()
    asked = mail.outbox[-1]
    assert "The ID photo is blurred." in asked.body
    assert asked.body.count(config().helper_application_url) == 1
    upload_documents(helper)
    helper = services.application_submit_documents(helper=helper, actor=helper.user)

    assert helper.approval_status == ApprovalStatus.DOCUMENTS_SUBMITTED
    assert helper.documents.filter(deleted_at__isnull=True).count() == 2
    assert helper.documents.filter(deletion_cause="replaced").count() == 2


def test_an_applicant_withdraws_but_an_approved_helper_cannot(clock):
    withdrawing = vet(applicant(), to=ApprovalStatus.DOCUMENTS_CHECKED)
    approved = vet(applicant())
    before = snapshot(approved)

    withdrawing = services.application_withdraw(helper=withdrawing, actor=withdrawing.user)
    with pytest.raises(ApplicationError) as refused:
        services.application_withdraw(helper=approved, actor=approved.user)

    assert withdrawing.approval_status == ApprovalStatus.WITHDRAWN
    assert refused.value.code == "illegal_transition"
    assert snapshot(approved) == before


def test_offboarding_takes_the_helper_out_of_matching_for_good(clock):
    manager = ManagerFactory.create()
    helper = vet(applicant(), manager=manager)
    assert MatchEntry.objects.filter(helper=helper).count() == 1

    helper = services.helper_offboard(helper=helper, actor=manager, note="Moved to Geneva.")

    assert MatchEntry.objects.filter(helper=helper).count() == 0
    with pytest.raises(ApplicationError) as refused:
        services.helper_approve(helper=helper, actor=manager)
    assert refused.value.code == "illegal_transition"
