"""Safety reports and blocks over the API: the reporter files, only managers read and decide,
the reported person never sees a report."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus, HelperBlock, SafetyReport
from helpers.models import ApprovalStatus
from tests.api.api_assertions import API, client_for
from tests.factories import ManagerFactory, UserFactory, make_booking


def _file(booking, user, **body):
    return client_for(user).post(
        f"{API}/bookings/{booking.public_id}/reports",
        {"category": "harassment", "text": "Shouted at me.", **body},
        format="json",
    )


@pytest.mark.django_db
def test_the_customer_files_a_report_and_gets_a_receipt_only():
    booking = make_booking(BookingStatus.IN_PROGRESS)

    response = _file(booking, booking.help_request.customer)

    assert response.status_code == 201, response.content
    report = SafetyReport.objects.get()
    assert response.json() == {
        "id": str(report.public_id),
        "category": "harassment",
        "created_at": response.json()["created_at"],
    }
    assert (report.reporter_id, report.reported_id) == (
        booking.help_request.customer_id,
        booking.helper.user_id,
    )


@pytest.mark.django_db
def test_a_refused_report_over_the_api_stores_nothing():
    booking = make_booking(BookingStatus.CONFIRMED)

    response = _file(booking, booking.help_request.customer)

    assert (response.status_code, response.json()["code"]) == (409, "visit_not_started")
    assert SafetyReport.objects.count() == 0


@pytest.mark.django_db
def test_only_managers_list_read_and_decide_reports(django_assert_max_num_queries):
    # Given a report by the customer on the helper
    booking = make_booking(BookingStatus.IN_PROGRESS)
    customer, helper_user = booking.help_request.customer, booking.helper.user
    _file(booking, customer)
    report = SafetyReport.objects.get()
    detail = f"{API}/manager/reports/{report.public_id}"

    # Then neither the reported helper, the reporter nor a stranger sees or decides it
    for user in (helper_user, customer, UserFactory()):
        client = client_for(user)
        assert client.get(f"{API}/manager/reports").status_code == 404
        assert client.get(detail).status_code == 404
        refused = client.post(
            f"{detail}/decide", {"outcome": "warning", "note": "x"}, format="json"
        )
        assert refused.status_code == 404
    assert SafetyReport.objects.get().outcome == ""

    # And the manager lists it (one page, a bounded number of queries), reads and decides it
    manager = client_for(ManagerFactory())
    with django_assert_max_num_queries(3):
        listed = manager.get(f"{API}/manager/reports")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(report.public_id)]
    assert manager.get(detail).json()["text"] == "Shouted at me."
    decided = manager.post(
        f"{detail}/decide", {"outcome": "suspension", "note": "Second complaint"}, format="json"
    )
    assert decided.status_code == 200, decided.content
    assert (decided.json()["outcome"], decided.json()["triage_note"]) == (
        "suspension",
        "Second complaint",
    )
    booking.helper.refresh_from_db()
    assert booking.helper.approval_status == ApprovalStatus.SUSPENDED


@pytest.mark.django_db
def test_the_customer_blocks_and_unblocks_the_helper_the_helper_cannot():
    booking = make_booking(BookingStatus.SIGNED_OFF)
    url = f"{API}/bookings/{booking.public_id}/helper-block"
    customer = client_for(booking.help_request.customer)

    refused = client_for(booking.helper.user).post(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_allowed_for_role")
    assert HelperBlock.objects.count() == 0

    assert customer.post(url).json() == {"blocked": True}
    assert HelperBlock.objects.count() == 1
    assert customer.delete(url).json() == {"blocked": False}
    assert HelperBlock.objects.count() == 0
