"""A refused cancel form on the request's page, in a real browser: the page comes back at its
own address (not at the form's POST address, which a reload would send again), with the form's
problem above it taking the focus, and nothing for axe to find; a reload only reloads the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus, Review
from tests.factories import make_booking
from tests.web.browser.refused_forms import (
    back_with_the_problem_focused,
    phone_on_the_page,
    reload_sends_nothing,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_refused_cancellation_comes_back_on_the_requests_own_page(browser, live_url, axe):
    booking = make_booking(BookingStatus.CONFIRMED)
    page_path = f"/requests/{booking.help_request.public_id}/"
    page = phone_on_the_page(browser, live_url, booking.help_request.customer, "fr", page_path)

    # When the customer sends the cancel form without a reason
    page.locator("#id_cancel-reason").fill("   ")
    page.locator("#id_cancel-reason").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()

    # Then the request's page is back at its own address, the problem above the form focused
    back_with_the_problem_focused(page, live_url, page_path, "id_cancel-reason", axe)
    # And a reload sends nothing again: the page as it stands, the visit still confirmed
    reload_sends_nothing(page, live_url, page_path)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("language", ["de", "it"])
def test_a_refused_review_comes_back_once_and_a_reload_sends_nothing(
    browser, live_url, axe, language
):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    page_path = f"/requests/{booking.help_request.public_id}/"
    page = phone_on_the_page(browser, live_url, booking.help_request.customer, language, page_path)
    posted: list[str] = []
    page.on("request", lambda sent: posted.append(sent.url) if sent.method == "POST" else None)

    # When the customer sends the review with words but without stars
    page.locator("#id_review-text").fill("Sehr geduldig / molto paziente")
    page.locator("#id_review-text").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()

    # Then the request's page is back at its own address, the problem above the form focused,
    # the words typed kept, in the customer's language
    back_with_the_problem_focused(page, live_url, page_path, "id_review-rating_0", axe)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#id_review-text")).to_have_value("Sehr geduldig / molto paziente")
    # And a reload sends nothing again: one POST in all, the page as it stands, no review
    reload_sends_nothing(page, live_url, page_path)
    assert posted == [f"{live_url}{page_path}review"]
    assert not Review.objects.exists()
    page.context.close()
