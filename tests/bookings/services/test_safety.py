"""Safety reports and blocks, called directly: who may report when, one open report each, the
manager's decision recorded on the reported user, and a suspension withdrawing offers."""

from __future__ import annotations

import pytest

from backend.exceptions import ApplicationError
from bookings import selectors, services
from bookings.models import (
    ActorRole,
    BookingStatus,
    HelperBlock,
    OfferStatus,
    SafetyOutcome,
    SafetyReport,
)
from helpers.models import ApprovalStatus
from tests.bookings.services.state import T0
from tests.factories import ManagerFactory, UserFactory, make_booking, pending_offer, post_request


def _reports() -> list[tuple]:
    return list(
        SafetyReport.objects.order_by("pk").values_list(
            "reporter_id", "reported_id", "category", "text", "outcome", "triage_note"
        )
    )


@pytest.mark.django_db
def test_the_customer_reports_the_helper_during_the_visit(clock):
    # Given a visit under way
    booking = make_booking(BookingStatus.IN_PROGRESS)
    customer, helper_user = booking.help_request.customer, booking.helper.user

    # When the customer reports the helper
    report = services.safety_report_file(
        booking=booking, actor=customer, category="harassment", text="  He shouted at me.\n"
    )

    # Then the report names both people, normalised, open
    assert (report.reporter_id, report.reporter_role, report.reported_id) == (
        customer.pk,
        ActorRole.CUSTOMER,
        helper_user.pk,
    )
    assert _reports() == [(customer.pk, helper_user.pk, "harassment", "He shouted at me.", "", "")]
    assert report.created_at == T0


@pytest.mark.django_db
def test_the_helper_reports_the_customer_after_the_visit(clock):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer, helper_user = booking.help_request.customer, booking.helper.user

    services.safety_report_file(
        booking=booking, actor=helper_user, category="damage", text="Dog bit me"
    )

    assert _reports() == [(helper_user.pk, customer.pk, "damage", "Dog bit me", "", "")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status", "category", "text", "code"),
    [
        ("stranger", BookingStatus.IN_PROGRESS, "safety", "Bad", "not_found"),
        ("manager", BookingStatus.IN_PROGRESS, "safety", "Bad", "not_allowed_for_role"),
        ("customer", BookingStatus.CONFIRMED, "safety", "Bad", "visit_not_started"),
        ("customer", BookingStatus.IN_PROGRESS, "fire", "Bad", "invalid_choice"),
        ("customer", BookingStatus.IN_PROGRESS, "safety", "\u200b", "nothing_visible"),
        ("customer", BookingStatus.IN_PROGRESS, "safety", "a\u202eb", "forbidden_characters"),
        ("customer", BookingStatus.IN_PROGRESS, "safety", "x" * 2001, "max_length"),
    ],
)
def test_a_refused_report_stores_nothing(clock, who, status, category, text, code):
    booking = make_booking(status)
    actor = {
        "stranger": UserFactory(),
        "manager": ManagerFactory(),
        "customer": booking.help_request.customer,
    }[who]

    with pytest.raises(ApplicationError) as refused:
        services.safety_report_file(booking=booking, actor=actor, category=category, text=text)

    assert refused.value.code == code
    assert _reports() == []


@pytest.mark.django_db
def test_one_open_report_per_reporter_and_booking_a_new_one_once_decided(clock):
    booking = make_booking(BookingStatus.COMPLETED)
    customer = booking.help_request.customer
    first = services.safety_report_file(booking=booking, actor=customer, category="other", text="A")

    with pytest.raises(ApplicationError) as refused:
        services.safety_report_file(booking=booking, actor=customer, category="other", text="B")
    assert refused.value.code == "report_already_open"
    assert [r[3] for r in _reports()] == ["A"]

    services.safety_report_triage(
        report=first, actor=ManagerFactory(), outcome=SafetyOutcome.NO_ACTION, note="Resolved"
    )
    services.safety_report_file(booking=booking, actor=customer, category="other", text="B")
    assert [(r[3], r[4]) for r in _reports()] == [("A", "no_action"), ("B", "")]


@pytest.mark.django_db
def test_a_confirmed_visit_can_be_reported_once_its_start_has_come(clock):
    booking = make_booking(BookingStatus.CONFIRMED)
    assert booking.starts_at is not None
    clock.move_to(booking.starts_at)

    services.safety_report_file(
        booking=booking, actor=booking.help_request.customer, category="no_show", text="Nobody came"
    )

    assert [r[2] for r in _reports()] == ["no_show"]


@pytest.mark.django_db
def test_a_warning_is_recorded_on_the_reported_users_record(clock):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    manager = ManagerFactory()
    report = services.safety_report_file(
        booking=booking, actor=booking.helper.user, category="harassment", text="Insults"
    )

    services.safety_report_triage(report=report, actor=manager, outcome="warning", note="Warned")

    customer = booking.help_request.customer
    assert list(
        selectors.safety_record_of(customer).values_list(
            "outcome", "triage_note", "triaged_by_id", "triaged_at"
        )
    ) == [("warning", "Warned", manager.pk, T0)]
    assert list(selectors.safety_record_of(booking.helper.user)) == []


@pytest.mark.django_db
def test_a_suspension_suspends_the_helper_and_withdraws_their_pending_offers(clock):
    # Given a report on a helper who also holds a pending offer elsewhere
    booking = make_booking(BookingStatus.COMPLETED)
    helper = booking.helper
    other_request = post_request(UserFactory())
    offer = pending_offer(other_request, helper)
    assert offer is not None
    report = services.safety_report_file(
        booking=booking, actor=booking.help_request.customer, category="safety", text="Threats"
    )

    # When the manager decides on a suspension
    services.safety_report_triage(
        report=report, actor=ManagerFactory(), outcome="suspension", note="Threatened a customer"
    )

    # Then the helper is suspended with that note and the offer withdrawn
    helper.refresh_from_db()
    offer.refresh_from_db()
    assert (helper.approval_status, helper.approval_note) == (
        ApprovalStatus.SUSPENDED,
        "Threatened a customer",
    )
    assert offer.status == OfferStatus.WITHDRAWN
    assert [r[4] for r in _reports()] == ["suspension"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("by_helper", "outcome", "note", "code"),
    [
        (False, "warning", "", "reason_required"),
        (False, "ban", "Why", "invalid_choice"),
        (True, "suspension", "Why", "suspension_helpers_only"),
    ],
)
def test_a_refused_decision_changes_nothing(clock, by_helper, outcome, note, code):
    booking = make_booking(BookingStatus.COMPLETED)
    actor = booking.helper.user if by_helper else booking.help_request.customer
    report = services.safety_report_file(booking=booking, actor=actor, category="other", text="X")
    before = _reports()

    with pytest.raises(ApplicationError) as refused:
        services.safety_report_triage(
            report=report, actor=ManagerFactory(), outcome=outcome, note=note
        )

    assert refused.value.code == code
    assert _reports() == before
    booking.helper.refresh_from_db()
    assert booking.helper.approval_status == ApprovalStatus.APPROVED


@pytest.mark.django_db
def test_only_a_manager_decides_and_only_once(clock):
    booking = make_booking(BookingStatus.COMPLETED)
    customer = booking.help_request.customer
    report = services.safety_report_file(
        booking=booking, actor=customer, category="other", text="X"
    )

    with pytest.raises(ApplicationError) as refused:
        services.safety_report_triage(report=report, actor=customer, outcome="warning", note="N")
    assert refused.value.code == "permission_denied"

    services.safety_report_triage(
        report=report, actor=ManagerFactory(), outcome="warning", note="N"
    )
    with pytest.raises(ApplicationError) as again:
        services.safety_report_triage(
            report=report, actor=ManagerFactory(), outcome="no_action", note="M"
        )
    assert again.value.code == "report_already_decided"
    assert [(r[4], r[5]) for r in _reports()] == [("warning", "N")]


@pytest.mark.django_db
def test_only_the_customer_blocks_and_unblocks_the_helper(clock):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer = booking.help_request.customer

    with pytest.raises(ApplicationError) as refused:
        services.helper_block(booking=booking, actor=booking.helper.user)
    assert refused.value.code == "not_allowed_for_role"
    assert HelperBlock.objects.count() == 0

    services.helper_block(booking=booking, actor=customer)
    services.helper_block(booking=booking, actor=customer)
    assert list(HelperBlock.objects.values_list("customer_id", "helper_id")) == [
        (customer.pk, booking.helper_id)
    ]
    assert selectors.helper_is_blocked(customer, booking.helper_id) is True

    assert services.helper_unblock(booking=booking, actor=customer) == 1
    assert HelperBlock.objects.count() == 0
