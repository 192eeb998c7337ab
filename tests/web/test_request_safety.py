"""The customer's request page: reporting the helper once the visit has started, and keeping
the helper from future requests (and lifting that)."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus, HelperBlock, SafetyReport
from tests.factories import UserFactory, make_booking
from tests.web.refusals import refused_page
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _page(booking) -> str:
    return f"/requests/{booking.help_request.public_id}/"


def test_the_report_form_shows_once_the_visit_has_started_and_files_a_report(
    client, django_assert_max_num_queries
):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    _logged_in(client, booking.help_request.customer)
    with django_assert_max_num_queries(14):
        html = client.get(_page(booking)).content.decode()
    assert "Send the report to the community manager" in html

    done = client.post(
        _page(booking) + "safety-report",
        {"safety-category": "harassment", "safety-text": "He shouted at me."},
    )

    assert done.status_code == 302
    assert list(SafetyReport.objects.values_list("reporter_id", "category", "text")) == [
        (booking.help_request.customer_id, "harassment", "He shouted at me.")
    ]
    after = client.get(_page(booking)).content.decode()
    assert "Your report is with the community manager." in after
    assert "Send the report to the community manager" not in after


def test_no_report_form_before_the_visit_and_a_forced_post_stores_nothing(client):
    booking = make_booking(BookingStatus.PROPOSED)
    _logged_in(client, booking.help_request.customer)
    assert (
        "Send the report to the community manager"
        not in client.get(_page(booking)).content.decode()
    )

    client.post(_page(booking) + "safety-report", {"safety-category": "other", "safety-text": "X"})

    assert SafetyReport.objects.count() == 0


def test_a_report_without_text_shows_the_error_next_to_the_field(client):
    booking = make_booking(BookingStatus.COMPLETED)
    _logged_in(client, booking.help_request.customer)

    refused = client.post(_page(booking) + "safety-report", {"safety-category": "damage"})

    assert 'id="id_safety-text_error"' in refused_page(client, refused, _page(booking))
    assert SafetyReport.objects.count() == 0


def test_the_customer_blocks_and_unblocks_the_helper(client):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    _logged_in(client, booking.help_request.customer)

    assert client.post(_page(booking) + "block-helper").status_code == 302
    assert list(HelperBlock.objects.values_list("customer_id", "helper_id")) == [
        (booking.help_request.customer_id, booking.helper_id)
    ]
    assert "Offer my requests to this helper again" in client.get(_page(booking)).content.decode()

    assert client.post(_page(booking) + "unblock-helper").status_code == 302
    assert HelperBlock.objects.count() == 0


def test_someone_else_cannot_report_or_block_through_the_customers_page(client):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    _logged_in(client, UserFactory())

    reported = client.post(
        _page(booking) + "safety-report", {"safety-category": "other", "safety-text": "X"}
    )
    blocked = client.post(_page(booking) + "block-helper")

    assert (reported.status_code, blocked.status_code) == (404, 404)
    assert (SafetyReport.objects.count(), HelperBlock.objects.count()) == (0, 0)
