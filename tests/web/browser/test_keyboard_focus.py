"""Someone who uses the keyboard alone (or a screen reader) keeps their place while a page
brings its news: a live part redrawn around the focused button gives the focus back to the same
button in the redrawn part, or, when the button went with the news, to the part's status words,
so that the next Tab goes on from there instead of from the top of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bookings import services
from bookings.models import BookingStatus
from tests.factories import UserFactory, make_booking, make_helper, pending_offer, post_request
from tests.web.browser.conftest import DESKTOP, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FOCUSED = (
    "() => { const e = document.activeElement;"
    " return [e.tagName, e.className, (e.textContent || '').trim()]; }"
)


def _count_swaps(page: Page) -> None:
    page.evaluate(
        "() => { window.swaps = 0;"
        " document.body.addEventListener('htmx:afterSettle', () => { window.swaps += 1; }); }"
    )


def _until_swapped(page: Page, times: int) -> None:
    # The page asks the server again 3 seconds after it opened (then 6, 12...).
    page.wait_for_function(f"() => window.swaps >= {times}", timeout=20_000)


def test_the_page_asking_again_keeps_the_focus_on_the_button_it_was_on(browser, live_url):
    helper = make_helper(email="focus-helper@example.ch", display_name="Marco Rossi")
    customer = UserFactory.create(email="focus-customer@example.ch", preferred_language="en")
    booking = make_booking(BookingStatus.AWAITING_PROPOSAL, helper=helper, customer=customer)
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    path = f"/requests/{booking.help_request.public_id}/"
    log_in(page, live_url, customer.email, path)
    _count_swaps(page)
    block = page.get_by_role("button", name="Do not offer my requests to this helper again")
    block.focus()

    _until_swapped(page, 1)

    assert page.evaluate(FOCUSED) == [
        "BUTTON",
        "button",
        "Do not offer my requests to this helper again",
    ]
    expect(block).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("textbox", name="Why?")).to_be_focused()
    page.context.close()


def test_news_that_takes_the_focused_button_away_gives_the_focus_to_the_status_words(
    browser, live_url
):
    helper = make_helper(email="focus-marco@example.ch", display_name="Marco Rossi")
    customer = UserFactory.create(email="focus-vreni@example.ch", preferred_language="en")
    help_request = post_request(customer, description="The TV box shows no channels.")
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    path = f"/requests/{help_request.public_id}/"
    log_in(page, live_url, customer.email, path)
    _count_swaps(page)
    page.get_by_role("button", name="Withdraw").focus()

    # Marco accepts: the request can no longer be withdrawn, its button goes
    services.offer_accept(offer=pending_offer(help_request, helper), actor=helper.user)
    _until_swapped(page, 1)

    status = page.locator("#request-status")
    expect(status).to_have_text(
        "Marco accepted your request and will propose times for the visit soon."
    )
    expect(status).to_be_focused()
    # Tab goes on from the news: to the first control after it, not the page's skip link
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("button", name="Do not offer my requests to this helper again")
    ).to_be_focused()
    page.context.close()
