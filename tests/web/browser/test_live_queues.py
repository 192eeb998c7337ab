"""A live part of a page asks the server again for every piece of news, even when several come
in the same instant: each part has a queue of its own, where a refresh waiting behind another
is never dropped for a later one (htmx's shared queue on <body> kept only the latest).

The relay runs in the test process and the page's socket is held by daphne in its child
process: the channel layer between them is a real Redis (`redis` marker).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backend.models import User
from bookings import services
from bookings.models import Offer, OfferStatus, WithdrawalCause
from tests.factories import UserFactory, make_helper, pending_offer, post_request
from tests.web.browser.conftest import PHONE, log_in
from tests.web.browser.test_live_offers import TAKEN, _events_heard, _until_heard, relay

# A phone on a slow mobile network: each request the page makes leaves after 2 s, so that
# the news of one instant all arrives while the first refresh is still under way.
SLOW_NETWORK = """() => {
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...body) {
    window.setTimeout(() => send.apply(this, body), 800);
  };
}"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_offer_taken_between_two_new_ones_is_still_said_to_be_taken(browser, live_url):
    lea = make_helper(email="lea@example.ch", display_name="Lea Meier")
    marco = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    User.objects.filter(pk__in=[lea.user_id, marco.user_id]).update(preferred_language="en")
    customer = UserFactory.create(email="vreni@example.ch")
    printer = post_request(customer, description="The printer prints blank pages.")
    relay()
    page = browser.new_context(locale="en", **PHONE).new_page()
    heard = _events_heard(page)
    log_in(page, live_url, "lea@example.ch", "/helper/")
    # As the page is after half a minute: its next poll is a minute away, so what comes
    # sooner came over the socket.
    page.goto(f"{live_url}/helper/?wait=30")
    expect(page.locator("#offers .offer")).to_have_count(1)
    page.evaluate(SLOW_NETWORK)

    # Three pieces of news reach Lea's page in the same instant: a new offer, the printer
    # taken by Marco, another new offer
    post_request(customer, description="The TV box shows no channels.")
    services.offer_accept(offer=pending_offer(printer, marco), actor=marco.user)
    post_request(customer, description="The phone does not ring.")
    relay()
    _until_heard(page, heard, {"offer.made", "offer.withdrawn"})

    # Both new offers are shown, the printer is not, and the page says kindly why it went
    offers = page.locator("#offers .offer")
    expect(offers).to_have_count(2)
    expect(offers.get_by_text("The TV box shows no channels.")).to_be_visible()
    expect(offers.get_by_text("The phone does not ring.")).to_be_visible()
    expect(page.locator("#offers-taken")).to_have_text(TAKEN)
    assert heard == ["offer.made", "offer.withdrawn", "offer.made"]
    taken = Offer.objects.get(help_request=printer, helper=lea)
    assert (taken.status, taken.withdrawal_cause) == (OfferStatus.WITHDRAWN, WithdrawalCause.TAKEN)
