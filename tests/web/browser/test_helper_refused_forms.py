"""A refused cancel form or message on the helper's visit page, in a real browser (a phone): the
page comes back at its own address (not at the form's POST address, which a reload would send
again), with the form's problem above it taking the focus, and nothing for axe to find; a reload
only reloads the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from realtime.models import ChatMessage
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


def test_a_helpers_refused_cancellation_comes_back_on_the_visits_own_page(browser, live_url, axe):
    booking = make_booking(BookingStatus.CONFIRMED)
    page_path = f"/helper/visits/{booking.public_id}/"
    page = phone_on_the_page(browser, live_url, booking.helper.user, "it", page_path)

    # When the helper sends the cancel form without a reason
    page.locator("#cancel summary").click()
    page.locator("#id_cancel-reason").fill("   ")
    page.locator("#cancel button[type=submit]").click()

    # Then the visit's page is back at its own address, the problem above the form focused
    back_with_the_problem_focused(page, live_url, page_path, "id_cancel-reason", axe)
    # And a reload sends nothing again: the page as it stands, the visit still confirmed
    reload_sends_nothing(page, live_url, page_path)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_a_helpers_refused_message_comes_back_in_the_box_on_the_visits_page(browser, live_url, axe):
    booking = make_booking(BookingStatus.CONFIRMED)
    page_path = f"/helper/visits/{booking.public_id}/"
    page = phone_on_the_page(browser, live_url, booking.helper.user, "fr", page_path)
    text = "Je sonne\u202e deux fois."

    # When the helper sends a message with a character that cannot be shown
    page.locator("#id_chat-text").fill(text)
    page.locator("#chat button[type=submit]").click()

    # Then the visit's page is back at its own address, the problem above the box focused, the
    # text in the box as typed
    back_with_the_problem_focused(page, live_url, page_path, "id_chat-text", axe)
    expect(page.locator("#id_chat-text")).to_have_value(text)
    # And a reload sends nothing again: the page as it stands, no message
    reload_sends_nothing(page, live_url, page_path)
    assert not ChatMessage.objects.exists()
    page.context.close()
