"""The messages a visit's chat shows follow the rule on contacts as the visit's state changes,
without a reload: a phone number masked for both sides until the visit is agreed is shown once
it is confirmed, and masked again once the visit is cancelled. The words change in
place, in a log that announces additions only, so screen readers do not read it all again.

The relay runs in the test process and the pages' sockets are held by daphne in its child
process: the channel layer between them is a real Redis (`redis` marker).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from backend.models import User
from bookings import services
from bookings.models import Booking, BookingStatus
from realtime.chat import chat_message_send
from realtime.models import ChatMessage
from tests.factories import UserFactory, make_booking, make_helper
from tests.web.browser.conftest import DESKTOP, PHONE, log_in
from tests.web.browser.test_live_offers import relay

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WRITTEN = "Call me on 079 123 45 67 or write to vreni@example.ch."
MASKED = "Call me on ••• or write to •••."


def _message(page: Page) -> Locator:
    return page.locator("#chat-messages .chat-text")


def _open(page: Page, live_url: str, email: str, path: str) -> None:
    log_in(page, live_url, email, path)
    # Set on this document only: still there at the end means the page was never reloaded.
    page.evaluate("() => { window.stillTheSamePage = true; }")


def test_the_chat_on_screen_shows_the_number_once_confirmed_and_masks_it_after_the_visit(
    browser, live_url, axe
):
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    customer = UserFactory.create(email="vreni@example.ch")
    User.objects.filter(pk__in=[helper.user_id, customer.pk]).update(preferred_language="en")
    booking: Booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    chat_message_send(booking=booking, author=customer, text=WRITTEN)
    helper_page = browser.new_context(locale="en", **PHONE).new_page()
    _open(helper_page, live_url, "marco@example.ch", f"/helper/visits/{booking.public_id}/")
    expect(_message(helper_page)).to_have_text(MASKED)
    log = helper_page.locator("#chat-messages")
    expect(log).to_have_attribute("aria-relevant", "additions")

    # The customer confirms the time: the helper's screen shows the number, without a reload
    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relay()
    expect(_message(helper_page)).to_have_text(WRITTEN)
    customer_page = browser.new_context(locale="en", **DESKTOP).new_page()
    _open(
        customer_page, live_url, "vreni@example.ch", f"/requests/{booking.help_request.public_id}/"
    )
    expect(_message(customer_page)).to_have_text(WRITTEN)

    # The visit is over (cancelled, so never agreed any more): masked again on both screens
    services.booking_cancel(booking=booking, actor=customer, reason="My son fixed it.")
    relay()
    expect(_message(helper_page)).to_have_text(MASKED)
    expect(_message(customer_page)).to_have_text(MASKED)
    assert helper_page.evaluate("() => window.stillTheSamePage === true")
    assert customer_page.evaluate("() => window.stillTheSamePage === true")
    # One message, shown once on each page; the stored text is as written
    expect(helper_page.locator("#chat-messages [data-message]")).to_have_count(1)
    expect(customer_page.locator("#chat-messages [data-message]")).to_have_count(1)
    assert list(ChatMessage.objects.values_list("text", flat=True)) == [WRITTEN]
    assert axe(helper_page) == []
