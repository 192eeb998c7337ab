"""The live connection of the helper's app in a real browser: one socket at a time, so that a
lost connection shows its banner once and takes it away once it is back; and the parts of a
page fetched again (by the socket's news or by polling) without a single complaint of the
page's Content-Security-Policy (style-src 'self': no inline style, nor anything else).

The relay runs in the test process and the pages' sockets are held by daphne in its child
process: the channel layer between them is a real Redis (`redis` marker).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from backend.models import User
from bookings.services import booking_cancel
from realtime.chat import chat_message_send
from realtime.stream import stream_last_seq
from tests.factories import UserFactory, make_booking, make_helper, post_request
from tests.web.browser.conftest import PHONE, log_in
from tests.web.browser.test_live_offers import relay

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Counts each time the banner is shown (its `hidden` taken away), from the page's first line.
BANNER_WATCH = """
window.bannerShown = 0;
document.addEventListener("DOMContentLoaded", () => {
  const banner = document.getElementById("live-banner");
  window.bannerShown = banner.hidden ? 0 : 1;
  new MutationObserver(() => { if (!banner.hidden) window.bannerShown += 1; })
    .observe(banner, { attributes: true, attributeFilter: ["hidden"] });
});
"""

# Every violation of the page's Content-Security-Policy, from the page's first line.
POLICY_WATCH = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.policyViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_live_and_polled_refreshes_break_nothing_of_the_pages_policy(browser, live_url):
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    booking = make_booking(helper=helper)
    customer = UserFactory.create(email="vreni@example.ch")
    page = browser.new_context(locale="en", **PHONE).new_page()
    page.add_init_script(POLICY_WATCH)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    log_in(page, live_url, "marco@example.ch", "/helper/")

    # The offers page polls (its first poll after 3 s), and an offer comes over the socket
    with page.expect_response(re.compile(r"/helper/\?wait=3$")):
        pass
    post_request(customer, description="The TV box shows no channels.")
    relay()
    expect(page.locator("#offers .offer")).to_have_count(1)
    page.wait_for_timeout(500)  # the swap settles
    assert page.evaluate("() => window.policyViolations") == []

    # The visit's page: a message and the customer's cancellation come over the socket
    page.goto(f"{live_url}/helper/visits/{booking.public_id}/")
    chat_message_send(booking=booking, author=booking.help_request.customer, text="Ring twice.")
    relay()
    expect(page.locator("#chat-messages").get_by_text("Ring twice.")).to_be_visible()
    words = page.locator("#visit-status .status-words")
    before = words.inner_text()
    booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Fixed it.")
    relay()
    expect(words).not_to_have_text(before)
    page.wait_for_timeout(500)  # the swaps settle

    assert page.evaluate("() => window.policyViolations") == []
    assert errors == []


def test_a_phone_back_online_keeps_one_socket_and_one_banner(browser, live_url):
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    customer = UserFactory.create(email="vreni@example.ch")
    page = browser.new_context(locale="en", **PHONE).new_page()
    page.add_init_script(BANNER_WATCH)

    # Every socket the page opens passes through here: it reaches daphne, or, while `down`,
    # waits unanswered (no greeting) until the test cuts it.
    state: dict[str, Any] = {"down": False, "connected": [], "waiting": []}

    def route(socket: Any) -> None:
        if state["down"]:
            state["waiting"].append(socket)
            return
        socket.connect_to_server()
        state["connected"].append(socket)

    page.route_web_socket(re.compile(r"/ws/v1/"), route)
    log_in(page, live_url, "marco@example.ch", "/helper/")
    banner = page.locator("#live-banner")
    expect(banner).to_be_hidden()
    expect(page.get_by_text("No offers right now.")).to_be_visible()
    assert len(state["connected"]) == 1
    seen_before = stream_last_seq(helper.user_id)

    # The helper sets off: the line drops, the next attempt gets no answer and is cut too;
    # meanwhile an offer is made
    state["down"] = True
    state["connected"][0].close(code=4000)
    expect(banner).to_be_visible()
    post_request(customer)
    relay()
    for _ in range(100):
        if state["waiting"]:
            break
        page.wait_for_timeout(100)
    state["down"] = False
    state["waiting"][0].close(code=4000)

    # While the next attempt waits, the phone says it is online again (the mobile network
    # took over from the home's Wi-Fi): one socket connects and resumes, the banner goes
    page.wait_for_timeout(200)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(banner).to_be_hidden()
    expect(page.locator("#offers .offer")).to_have_count(1)
    page.wait_for_timeout(3000)  # longer than the attempt that was waiting would have waited
    again = f"{live_url.replace('http', 'ws')}/ws/v1/?after={seen_before}"
    assert [socket.url for socket in state["connected"][1:]] == [again]
    assert len(state["waiting"]) == 1
    assert page.locator("#live-banner").count() == 1
    expect(banner).to_be_hidden()
    assert page.evaluate("() => window.bannerShown") == 1
