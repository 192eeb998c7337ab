"""The helper's visit page: reporting the customer once the visit has started."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus, SafetyReport
from tests.factories import make_booking, make_helper
from tests.web.refusals import shown_once
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def test_the_helper_reports_the_customer_from_the_visit_page(client, django_assert_max_num_queries):
    booking = make_booking(BookingStatus.COMPLETED)
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"
    # 14: the visit's payment read once (its receipt, whether extra may be asked for)
    with django_assert_max_num_queries(14):
        assert "Report a problem to the community manager" in client.get(page).content.decode()

    done = client.post(
        page + "safety-report", {"safety-category": "damage", "safety-text": "The dog bit me."}
    )

    assert done.status_code == 302
    assert list(SafetyReport.objects.values_list("reporter_id", "reported_id", "category")) == [
        (booking.helper.user_id, booking.help_request.customer_id, "damage")
    ]
    assert "Your report is with the community manager." in client.get(page).content.decode()


def test_before_the_visit_there_is_no_form_and_a_forced_post_stores_nothing(client):
    booking = make_booking(BookingStatus.PROPOSED)
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"
    assert "Report a problem to the community manager" not in client.get(page).content.decode()

    refused = client.post(page + "safety-report", {"safety-category": "other", "safety-text": "X"})

    html = shown_once(client, refused, page)
    assert "A visit can be reported once it has started." in html
    assert "\nX</textarea>" in html
    assert SafetyReport.objects.count() == 0


def test_another_helper_cannot_report_on_the_visit(client):
    booking = make_booking(BookingStatus.COMPLETED)
    _logged_in(client, make_helper().user)

    refused = client.post(
        f"/helper/visits/{booking.public_id}/safety-report",
        {"safety-category": "other", "safety-text": "X"},
    )

    assert refused.status_code == 404
    assert SafetyReport.objects.count() == 0
