"""What a screen reader hears while a page brings its news by itself, in a real browser: the live
region that says it is the same element before and after (a region that arrives anew is not
announced), its words change, and words that stay the same are not written again (read twice).
The skip link shows where the focus went; the language switch's button says what it changes."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from bookings import services
from bookings.models import Booking, BookingStatus
from tests.factories import UserFactory, make_booking, make_helper, pending_offer, post_request
from tests.web.browser.conftest import DESKTOP, PHONE, log_in
from web.words import helper_visit_words

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Marks the element (and its words' text node) with a property only these very nodes carry.
MARK = (
    "(id) => { const e = document.getElementById(id); e.markedBefore = true;"
    " const words = e.querySelector('.status-words') || e;"
    " if (words.firstChild) { words.firstChild.markedBefore = true; } }"
)
STILL_MARKED = "(id) => document.getElementById(id).markedBefore === true"
WORDS_STILL_MARKED = (
    "(id) => { const e = document.getElementById(id);"
    " const words = e.querySelector('.status-words') || e;"
    " return words.firstChild !== null && words.firstChild.markedBefore === true; }"
)


def _count_swaps(page: Page) -> None:
    page.evaluate(
        "() => { window.swaps = 0;"
        " document.body.addEventListener('htmx:afterSettle', () => { window.swaps += 1; }); }"
    )


def _until_swapped(page: Page, times: int) -> None:
    # The page asks the server again 3 seconds after it opened, then after 6, 12...
    page.wait_for_function(f"() => window.swaps >= {times}", timeout=20_000)


def _is_a_polite_status(page: Page, element_id: str) -> None:
    region = page.locator(f"#{element_id}")
    expect(region).to_have_attribute("role", "status")
    expect(region).to_have_attribute("aria-live", "polite")
    assert page.evaluate(STILL_MARKED, element_id), "the live region was replaced by a new one"


def test_the_request_pages_status_box_stays_and_its_words_change(browser, live_url, axe):
    helper = make_helper(email="regions-marco@example.ch", display_name="Marco Rossi")
    customer = UserFactory.create(email="regions-vreni@example.ch", preferred_language="en")
    help_request = post_request(customer, description="The TV box shows no channels.")
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    log_in(page, live_url, customer.email, f"/requests/{help_request.public_id}/")
    status = page.locator("#request-status")
    expect(status).to_have_text(
        "We asked 1 helper near you. As soon as one accepts, you will see them here."
    )
    page.evaluate(MARK, "request-status")
    _count_swaps(page)

    # The page asks again with nothing new: the words are left as they were (not read again)
    _until_swapped(page, 1)
    _is_a_polite_status(page, "request-status")
    assert page.evaluate(WORDS_STILL_MARKED, "request-status")

    # Marco accepts: the same box says so
    services.offer_accept(offer=pending_offer(help_request, helper), actor=helper.user)
    _until_swapped(page, 2)
    expect(status).to_have_text(
        "Marco accepted your request and will propose times for the visit soon."
    )
    _is_a_polite_status(page, "request-status")
    assert not page.evaluate(WORDS_STILL_MARKED, "request-status")
    expect(page.get_by_role("heading", name="Your helper")).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(1)
    assert axe(page) == []
    page.context.close()


def test_the_helpers_visit_status_box_stays_and_its_words_change(browser, live_url, axe):
    helper = make_helper(
        email="regions-lea@example.ch", display_name="Lea Meier", preferred_language="en"
    )
    customer = UserFactory.create(email="regions-anna@example.ch", display_name="Anna Keller")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    page = browser.new_context(locale="en", **PHONE).new_page()
    log_in(page, live_url, helper.user.email, f"/helper/visits/{booking.public_id}/")
    page.evaluate(MARK, "visit-status")
    before = page.locator("#visit-status").inner_text()
    _count_swaps(page)

    # Anna confirms one of the times: the same box says so
    services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    _until_swapped(page, 1)
    confirmed = Booking.objects.get(pk=booking.pk)
    assert confirmed.status == BookingStatus.CONFIRMED
    with translation.override("en"):
        words = helper_visit_words(confirmed)
    assert words != before
    expect(page.locator("#visit-status")).to_have_text(words)
    expect(page.get_by_role("heading", name="The visit", exact=True)).to_be_visible()
    _is_a_polite_status(page, "visit-status")
    assert axe(page) == []
    page.context.close()


def test_a_new_offer_is_announced_by_a_region_that_stays(browser, live_url, axe):
    helper = make_helper(
        email="regions-gino@example.ch", display_name="Gino Bianchi", preferred_language="en"
    )
    page = browser.new_context(locale="en", **PHONE).new_page()
    log_in(page, live_url, helper.user.email, "/helper/")
    expect(page.get_by_text("No offers right now.")).to_be_visible()
    news = page.locator("#offers-news")
    expect(news).to_have_text("")
    page.evaluate(MARK, "offers-news")
    _count_swaps(page)

    # A customer asks: the page's next asking brings the offer, and the region counts it
    post_request(UserFactory.create(), description="The printer prints blank pages.")
    _until_swapped(page, 1)
    expect(page.locator("#offers .offer")).to_have_count(1)
    expect(news).to_have_text("1 new offer")
    _is_a_polite_status(page, "offers-news")
    assert axe(page) == []

    # Nothing new at the next asking: the region falls silent, ready for the next offer
    _until_swapped(page, 2)
    expect(news).to_have_text("")
    _is_a_polite_status(page, "offers-news")
    page.context.close()


def test_the_skip_link_leads_to_the_content_and_shows_the_focus_there(browser, live_url):
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    page.goto(f"{live_url}/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    page.keyboard.press("Enter")

    main = page.locator("main")
    expect(main).to_be_focused()
    outline = main.evaluate(
        "(e) => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline == ["solid", "4px"]
    page.context.close()


@pytest.mark.parametrize(
    ("language", "name"),
    [("en", "Change language"), ("de", "Sprache wechseln")],
)
def test_the_language_button_says_what_it_changes(browser, live_url, language, name):
    page = browser.new_context(locale=language, **DESKTOP).new_page()
    page.goto(f"{live_url}/")

    expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    page.context.close()
