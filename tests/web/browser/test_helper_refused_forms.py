"""A refused cancel form on the helper's visit page, in a real browser (a phone): the page comes
back at its own address (not at the form's POST address, which a reload would send again), with
the form's problem above it taking the focus, and nothing for axe to find; a reload only reloads
the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backend.models import User
from bookings.models import Booking, BookingStatus
from tests.factories import make_booking
from tests.web.browser.conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_helpers_refused_cancellation_comes_back_on_the_visits_own_page(browser, live_url, axe):
    booking = make_booking(BookingStatus.CONFIRMED)
    User.objects.update(preferred_language="it")
    page_path = f"/helper/visits/{booking.public_id}/"
    page = browser.new_context(locale="it", **PHONE).new_page()
    log_in(page, live_url, booking.helper.user.email, page_path)

    # When the helper sends the cancel form without a reason
    page.locator("#cancel summary").click()
    page.locator("#id_cancel-reason").fill("   ")
    page.locator("#cancel button[type=submit]").click()

    # Then the visit's page is back at its own address, the problem above the form focused
    page.wait_for_url(f"{live_url}{page_path}")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    expect(summary.locator('a[href="#id_cancel-reason"]')).to_have_count(1)
    assert axe(page) == []
    # And a reload sends nothing again: the page as it stands, the visit still confirmed
    page.reload()
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    assert page.url == f"{live_url}{page_path}"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
