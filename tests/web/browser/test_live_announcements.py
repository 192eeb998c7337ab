"""What a screen reader hears of the news that comes over the live connection, in a real
browser: a visit's chat is a log that stays in the page and gets each new message added once
(a region that arrives anew is not announced, one redrawn whole is read again); an offer taken
by another helper is said by a region that stays; and the customer's request page, like the
helper's pages, says when its connection is lost, once, and takes it back once it is resumed.

The relay runs in the test process and the pages' sockets are held by daphne in its child
process: the channel layer between them is a real Redis (`redis` marker).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend.models import User
from bookings import services
from realtime.chat import chat_message_send
from realtime.models import ChatMessage
from realtime.stream import stream_last_seq
from tests.factories import UserFactory, make_booking, make_helper, pending_offer, post_request
from tests.web.browser.conftest import DESKTOP, PHONE, log_in
from tests.web.browser.test_live_connection import BANNER_WATCH
from tests.web.browser.test_live_offers import TAKEN, relay

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Marks the element: still marked later means it is the same node, not one put in its place.
MARK = "(id) => { document.getElementById(id).markedBefore = true; }"
STILL_MARKED = "(id) => document.getElementById(id).markedBefore === true"
# Counts the messages added to the chat's list, from the moment it is called.
COUNT_ADDED = """() => {
  window.addedMessages = [];
  new MutationObserver((changes) => changes.forEach((change) => change.addedNodes.forEach(
    (node) => { if (node.dataset && node.dataset.message) window.addedMessages.push(node.innerText); }
  ))).observe(document.getElementById("chat-list"), { childList: true });
}"""


def _heard(page: Page) -> list[str]:
    """The names of the events the page's socket receives, as they arrive."""
    heard: list[str] = []

    def watch(socket: Any) -> None:
        def frame(payload: Any) -> None:
            if isinstance(payload, str) and '"type": "event"' in payload:
                heard.append(re.search(r'"event": "([a-z_.]+)"', payload).group(1))  # type: ignore[union-attr]

        socket.on("framereceived", frame)

    page.on("websocket", watch)
    return heard


def _until(page: Page, heard: list[str], count: int) -> None:
    for _ in range(100):
        if len(heard) >= count:
            return
        page.wait_for_timeout(100)
    assert len(heard) >= count, heard


def test_a_new_message_is_added_once_to_the_chats_log_that_stays(browser, live_url, axe):
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    booking = make_booking(helper=helper)
    customer = booking.help_request.customer
    page = browser.new_context(locale="en", **PHONE).new_page()
    heard = _heard(page)
    log_in(page, live_url, "marco@example.ch", f"/helper/visits/{booking.public_id}/")
    log = page.locator("#chat-messages")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log.get_by_text("No messages yet. Write to the customer here.")).to_be_visible()
    page.evaluate(MARK, "chat-messages")
    page.evaluate(COUNT_ADDED)

    # The customer writes: her message is added to the same log, once; the note goes
    chat_message_send(booking=booking, author=customer, text="Ring twice, please.")
    relay()
    expect(log.locator("li")).to_have_count(1)
    expect(log.locator("li").get_by_text("Ring twice, please.")).to_be_visible()
    expect(page.locator("#chat-empty")).to_have_count(0)
    assert page.evaluate(STILL_MARKED, "chat-messages"), "the log was replaced by a new one"
    assert len(page.evaluate("() => window.addedMessages")) == 1
    assert "Ring twice, please." in page.evaluate("() => window.addedMessages")[0]
    assert axe(page) == []

    # She writes twice more before the page asks: each is added once, in order
    chat_message_send(booking=booking, author=customer, text="The door is on the left.")
    chat_message_send(booking=booking, author=customer, text="Second floor.")
    relay()
    _until(page, heard, 3)
    expect(log.locator("li")).to_have_count(3)
    page.wait_for_timeout(1000)  # a fetch that would add them again has come back by now
    added = page.evaluate("() => window.addedMessages")
    assert [text.splitlines()[-1] for text in added] == [
        "Ring twice, please.",
        "The door is on the left.",
        "Second floor.",
    ]
    assert page.evaluate(STILL_MARKED, "chat-messages")

    # The helper answers (the page is sent and comes back): the answer is shown once, also
    # once its own event has reached the page
    seen = len(heard)
    page.get_by_label("Your message").fill("On my way.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(log.locator("li")).to_have_count(4)
    relay()
    _until(page, heard, seen + 1)
    page.wait_for_timeout(1000)  # a fetch that would add it again has come back by now
    expect(log.locator("li")).to_have_count(4)
    expect(log.locator("li").get_by_text("On my way.")).to_have_count(1)
    assert ChatMessage.objects.filter(booking=booking).count() == 4
    assert axe(page) == []
    page.context.close()


def test_an_offer_taken_by_another_helper_is_said_by_a_region_that_stays(browser, live_url, axe):
    lea = make_helper(email="lea@example.ch", display_name="Lea Meier")
    rival = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    User.objects.filter(pk=lea.user_id).update(preferred_language="en")
    page = browser.new_context(locale="en", **PHONE).new_page()
    log_in(page, live_url, "lea@example.ch", "/helper/")
    expect(page.get_by_text("No offers right now.")).to_be_visible()
    taken = page.locator("#offers-taken")
    expect(taken).to_have_attribute("role", "status")
    expect(taken).to_have_attribute("aria-live", "polite")
    expect(taken).to_have_text("")
    page.evaluate(MARK, "offers-taken")

    help_request = post_request(UserFactory.create(), description="The TV box shows no channels.")
    relay()
    expect(page.locator("#offers .offer")).to_have_count(1)

    # Marco is faster: Lea's offer goes, and the region that was there says why
    services.offer_accept(offer=pending_offer(help_request, rival), actor=rival.user)
    relay()
    expect(page.locator("#offers .offer")).to_have_count(0)
    expect(taken).to_have_text(TAKEN)
    assert page.evaluate(STILL_MARKED, "offers-taken"), "the region was replaced by a new one"
    expect(page.get_by_text(TAKEN)).to_have_count(1)
    assert axe(page) == []
    page.context.close()


def test_the_customers_request_page_shows_the_banner_once_while_reconnecting(
    browser, live_url, axe
):
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    customer = UserFactory.create(email="vreni@example.ch", preferred_language="en")
    help_request = post_request(customer, description="The TV box shows no channels.")
    relay()  # the offer to Marco
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    page.add_init_script(BANNER_WATCH)

    # Every socket the page opens passes through here: it reaches daphne, then the line is
    # cut, and while `down` the page's attempt waits unanswered until the test cuts it (from
    # the test, not from here: a handler that waits on Playwright deadlocks its loop).
    urls: list[str] = []
    state: dict[str, Any] = {"down": False, "current": None, "waiting": []}

    def route(socket: Any) -> None:
        urls.append(socket.url)
        if state["down"]:
            state["waiting"].append(socket)
            return
        socket.connect_to_server()
        state["current"] = socket

    page.route_web_socket(re.compile(r"/ws/v1/"), route)
    path = f"/requests/{help_request.public_id}/"
    log_in(page, live_url, "vreni@example.ch", path)
    # As the page is after half a minute of waiting: its next poll is a minute away, so what
    # comes sooner came over the socket.
    state["current"] = None
    page.goto(f"{live_url}{path}?wait=30")
    page.evaluate("() => { window.stillTheSamePage = true; }")
    banner = page.locator("#live-banner")
    expect(banner).to_have_count(1)
    expect(banner).to_be_hidden()
    for _ in range(100):
        if state["current"] is not None:
            break
        page.wait_for_timeout(100)
    seen_before = stream_last_seq(customer.pk)

    # The line goes down: the banner says so, in words, politely
    state["down"] = True
    state["current"].close(code=4000)
    expect(banner).to_be_visible()
    expect(banner).to_have_text("Reconnecting…")
    expect(banner).to_have_attribute("role", "status")
    assert axe(page) == []

    # Meanwhile Marco accepts
    services.offer_accept(offer=pending_offer(help_request, helper), actor=helper.user)
    relay()
    assert stream_last_seq(customer.pk) > seen_before

    # Back up: the attempt that waited is cut, the phone says it is online again, one socket
    # connects: the banner goes, and the page resumes after the last event it had
    for _ in range(100):
        if state["waiting"]:
            break
        page.wait_for_timeout(100)
    state["down"] = False
    state["waiting"][0].close(code=4000)
    page.wait_for_timeout(200)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(banner).to_be_hidden()
    words = "Marco accepted your request and will propose times for the visit soon."
    expect(page.locator("#request-status")).to_have_text(words)
    assert urls[-1].endswith(f"/ws/v1/?after={seen_before}")
    assert page.evaluate("() => window.bannerShown") == 1
    assert page.evaluate("() => window.stillTheSamePage === true")
    assert page.locator("#live-banner").count() == 1
    page.context.close()
