"""The card step of a paid visit arriving by a live redraw, in a real browser against the Stripe
emulator: the customer keeps the request's page open while a helper is looked for; the helper
accepts and proposes times; the page is redrawn live with the card step, whose Stripe.js card
element works there without reloading (the page's policy lets it in, no violation), takes the
card and the visit is confirmed.

The relay runs in the test process and the page's socket is held by daphne in its child
process: the channel layer between them is a real Redis (`redis` marker).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from bookings import services
from bookings.models import Booking, BookingStatus
from payments.models import Payment
from tests.factories import UserFactory, accept_current_waivers, pending_offer, post_request
from tests.payments.conftest import _stripe_at_the_emulator  # noqa: F401
from tests.payments.money import GOOD_CARD, connected_helper
from tests.web.browser.conftest import DESKTOP, log_in
from tests.web.browser.test_live_connection import POLICY_WATCH
from tests.web.browser.test_live_offers import relay
from tests.web.browser.test_paid_loop import _enter_card, paid_url  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Set once at the page's first load: still set later means the page was never loaded again.
SAME_PAGE = "() => { window.stillTheSamePage = true; }"


def test_the_card_step_brought_by_a_live_redraw_takes_the_card_without_reloading(
    browser,
    paid_url,  # noqa: F811
    axe,
):
    helper = connected_helper(display_name="Marco Rossi", email="marco@example.ch")
    customer = UserFactory.create(email="vreni@example.ch", preferred_language="en")
    accept_current_waivers(customer)
    help_request = post_request(customer, description="The router drops the line.", hours=3)
    relay()  # the offer to Marco
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    page.add_init_script(POLICY_WATCH)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    path = f"/requests/{help_request.public_id}/"
    log_in(page, paid_url, customer.email, path)
    page.evaluate(SAME_PAGE)
    expect(page.locator("#card")).to_have_count(0)

    # Marco accepts and proposes a time, through the services; the page is redrawn live
    booking = services.offer_accept(offer=pending_offer(help_request, helper), actor=helper.user)
    relay()
    start = help_request.windows.order_by("starts_at")[0].starts_at
    services.booking_propose(
        booking=booking,
        actor=helper.user,
        slots=[services.SlotInput(start, start + timedelta(hours=1))],
    )
    relay()
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    expect(page.locator("[data-card-element] input").first).to_be_visible()
    assert page.evaluate("() => window.stillTheSamePage === true")
    assert axe(page) == []

    # The card, on the emulator's Stripe.js, with nothing the page's policy blocked
    _enter_card(page, GOOD_CARD)
    assert page.evaluate("() => window.stillTheSamePage === true")
    assert page.evaluate("() => window.policyViolations") == []
    assert [error for error in errors if "Content Security Policy" in error] == []
    page.get_by_role("button", name="Use this card").click()
    expect(page.get_by_text("Your card is ready. It is held only once")).to_be_visible()
    assert Payment.objects.get(booking=booking).payment_method_id.startswith("pm_")
    page.get_by_role("button", name=re.compile("^Confirm ")).click()
    expect(page.get_by_text("The visit is confirmed for")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    page.context.close()
