"""Text people type (a link pasted into a note or a complaint) may hold a word longer than a
phone's screen: the manager's pages break it instead of growing wider than the screen."""

from __future__ import annotations

import pytest

from bookings import services
from bookings.models import BookingStatus
from tests.factories import ManagerFactory, make_booking
from tests.web.browser.conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MANAGER = "longwords@quartier.test"
LINK = "https://photos.example.ch/" + "a1b2c3d4e5" * 15


def test_a_long_link_in_a_report_or_a_complaint_stays_within_a_phone_screen(browser, live_url):
    manager = ManagerFactory.create(email=MANAGER)
    reported = make_booking(BookingStatus.IN_PROGRESS)
    report = services.safety_report_file(
        booking=reported, actor=reported.help_request.customer, category="harassment", text=LINK
    )
    services.safety_report_triage(report=report, actor=manager, outcome="warning", note=LINK)
    done = make_booking(BookingStatus.COMPLETED)
    disputed = services.booking_dispute(booking=done, actor=done.help_request.customer, reason=LINK)
    page = browser.new_context(**PHONE).new_page()
    log_in(page, live_url, MANAGER, "/manage/reports/")

    widths = {}
    for path in ("/manage/reports/", f"/manage/disputes/{disputed.public_id}/"):
        page.goto(live_url + path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")

    assert widths == {
        "/manage/reports/": 390,
        f"/manage/disputes/{disputed.public_id}/": 390,
    }
