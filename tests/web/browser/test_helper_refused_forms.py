"""A refused cancel form or message on the helper's visit page, in a real browser (a phone): the
page comes back at its own address (not at the form's POST address, which a reload would send
again), with the form's problem above it taking the focus, and nothing for axe to find; a reload
only reloads the page. A refused decline of an offer, or a refused step of a visit, stays with
its problem and what was typed when the live part around it is drawn again (its news or its
polling).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from realtime.models import ChatMessage
from tests.factories import (
    UserFactory,
    make_booking,
    make_helper,
    pending_offer,
    post_request,
)
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


# The live part drawn again, as news over the socket or its polling draws it (the same request),
# once the page has settled; the part of the page that was there before is gone.
REDRAW = """async (id) => {
  const part = document.getElementById(id);
  part.dataset.before = "yes";
  await window.htmx.ajax("GET", part.dataset.liveUrl, { source: part, target: part, swap: "outerHTML" });
  await new Promise((done) => window.setTimeout(done, 300));
  return document.querySelectorAll("[data-before]").length;
}"""


def test_a_refused_decline_stays_with_its_problem_when_the_offers_are_drawn_again(
    browser, live_url, axe
):
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)
    page = phone_on_the_page(browser, live_url, helper.user, "de", "/helper/")
    card = f"#offer-{offer.public_id}"
    field = f"id_decline_{offer.public_id.hex}_reason_0"

    # When the helper sends the decline with no reason chosen
    page.locator(f"{card} summary").click()
    page.locator(f"{card} input[type=radio]").evaluate_all(
        "(radios) => radios.forEach((radio) => { radio.checked = false; })"
    )
    page.locator(f"{card} form.form button[type=submit]").click()
    back_with_the_problem_focused(page, live_url, "/helper/", field, axe)

    # And the offers are drawn again (an offer came, or the page looked for new ones)
    assert page.evaluate(REDRAW, "helper-main") == 0

    # Then the decline is still open with its problem, the offer still open
    expect(page.locator(f"{card} details")).to_have_attribute("open", "")
    expect(page.locator(f"{card} [data-error-summary]")).to_have_count(1)
    expect(page.locator(f'{card} [data-error-summary] a[href="#{field}"]')).to_have_count(1)
    assert page.locator(f"{card} input[type=radio]:checked").count() == 0
    page.context.close()


def test_a_refused_step_stays_with_what_was_typed_when_the_visit_is_drawn_again(
    browser, live_url, axe
):
    booking = make_booking(BookingStatus.AWAITING_PROPOSAL)
    page_path = f"/helper/visits/{booking.public_id}/"
    page = phone_on_the_page(browser, live_url, booking.helper.user, "fr", page_path)

    # When the helper sends the cancel form with a blank reason
    page.locator("#cancel summary").click()
    page.locator("#id_cancel-reason").fill("   ")
    page.locator("#cancel button[type=submit]").click()
    back_with_the_problem_focused(page, live_url, page_path, "id_cancel-reason", axe)

    # And the visit's part is drawn again
    assert page.evaluate(REDRAW, "visit-main") == 0

    # Then the cancel form is still open with its problem and what was typed
    expect(page.locator("#cancel")).to_have_attribute("open", "")
    expect(page.locator("#cancel [data-error-summary]")).to_have_count(1)
    expect(page.locator("#id_cancel-reason")).to_have_value("   ")
    assert axe(page) == []
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.AWAITING_PROPOSAL
    page.context.close()
