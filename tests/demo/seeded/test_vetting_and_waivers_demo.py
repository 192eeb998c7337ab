"""The demo shows the community manager's desk: applicants at every step, their documents,
and terms and waivers signed by both sides."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.models import User
from bookings.models import Booking, BookingStatus, HelperBlock, SafetyReport
from catalogue.models import LegalAcceptance, LegalDocumentKind
from catalogue.selectors import waivers_missing
from helpers.conduct_test_selectors import ConductTestState, conduct_test_standing
from helpers.conduct_test_services import conduct_test_attempt_start
from helpers.models import (
    ApprovalStatus,
    ConductTestAttempt,
    ConductTestVersion,
    HelperApprovalEvent,
    HelperDocument,
    HelperProfile,
)
from helpers.selectors import vetting_queue

pytestmark = pytest.mark.django_db


def test_the_demo_holds_applicants_at_every_step_signed_waivers_and_a_conduct_test(
    seeded_demo,
):
    statuses = set(HelperProfile.objects.values_list("approval_status", flat=True))
    assert statuses == set(ApprovalStatus.values) - {ApprovalStatus.OFFBOARDED}
    # Open applications past "applied" have both documents in force.
    waiting = HelperProfile.objects.filter(approval_status=ApprovalStatus.DOCUMENTS_SUBMITTED)
    assert waiting.exists()
    for helper in waiting:
        assert helper.documents.filter(deleted_at__isnull=True).count() == 2
    assert HelperDocument.objects.exists()
    # Every helper accepted the code of conduct; every confirmed visit's customer the waivers.
    code_acceptances = LegalAcceptance.objects.filter(
        version__document__kind=LegalDocumentKind.HELPER_CODE_OF_CONDUCT
    )
    assert set(code_acceptances.values_list("user_id", flat=True)) == set(
        HelperProfile.objects.values_list("user_id", flat=True)
    )
    confirmed = (
        Booking.objects.filter(events__to_status=BookingStatus.CONFIRMED)
        .distinct()
        .select_related("help_request__customer", "help_request__category")
    )
    assert confirmed.exists()
    for booking in confirmed:
        request = booking.help_request
        assert waivers_missing(user=request.customer, category=request.category) == []
    # The code-of-conduct test: twelve questions in four languages, eight drawn, seven to pass
    version = ConductTestVersion.objects.get()
    assert (version.number, version.questions_per_attempt, version.pass_mark) == (1, 8, 7)
    questions = list(version.questions.prefetch_related("options"))
    assert len(questions) == 12
    for question in questions:
        assert all(question.text_in(language) for language in ("de", "fr", "it", "en"))
        assert [option.is_correct for option in question.options.all()].count(True) == 1
    # And an applicant whose documents are checked can take it
    helper = (
        HelperProfile.objects.filter(approval_status=ApprovalStatus.DOCUMENTS_CHECKED)
        .order_by("pk")
        .first()
    )
    assert helper is not None
    assert conduct_test_standing(helper).state == ConductTestState.CAN_START
    assert f"  applicant          {helper.user.email}  (code-of-conduct test" in seeded_demo.output
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
    assert len(attempt.question_ids) == 8
    # And applicants past that step passed it, some online (an attempt, recorded by Quartier)
    online = HelperApprovalEvent.objects.filter(
        to_status=ApprovalStatus.CONDUCT_TEST_PASSED, role="system", actor=None
    )
    assert online.exists()
    assert set(online.values_list("helper_id", flat=True)) == set(
        ConductTestAttempt.objects.filter(passed=True).values_list("helper_id", flat=True)
    )
    assert HelperApprovalEvent.objects.filter(
        to_status=ApprovalStatus.CONDUCT_TEST_PASSED, role="manager"
    ).exists()
    # And the triage queue holds a report decided with a warning and an open one; the customer
    # who reported keeps that helper from their requests
    reports = list(
        SafetyReport.objects.order_by("pk").values_list("reporter_role", "category", "outcome")
    )
    assert reports == [("customer", "harassment", "warning"), ("helper", "damage", "")]
    decided = SafetyReport.objects.order_by("pk").first()
    assert decided is not None
    assert list(HelperBlock.objects.values_list("customer_id", "helper__user_id")) == [
        (decided.reporter_id, decided.reported_id)
    ]


def test_the_demo_vetting_queue_looks_like_a_desk_kept_up_to_date(seeded_demo):
    """Open applications were made in the last weeks: some wait within the answer target, some
    beyond it, none for months (each waited 100 to 270 days before)."""
    manager = User.objects.get(email="manager@quartier.test")
    queue = vetting_queue(manager)
    assert len(queue) >= 5
    assert all(entry.waited < timedelta(days=31) for entry in queue)
    overdue = [entry for entry in queue if entry.overdue]
    assert 0 < len(overdue) < len(queue)
