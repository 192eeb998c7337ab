"""The helper's app live, in a real browser on a phone: two helpers' offers pages are open, a
customer's request is offered to both and appears in both without a reload; one accepts and
the other sees the offer go, with a kind word. A lost connection shows a banner and, once back,
resumes after the last event the page had: nothing is lost. The customer's request page follows
the helper's answer live as well.

The relay runs in the test process (`relay_pending`) and the pages' sockets are held by daphne
in its child process: the channel layer between them is a real Redis (`redis` marker).
"""

from __future__ import annotations

import re
from datetime import timedelta
from threading import Thread
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Page, expect

from backend.models import User
from backend.relay import relay_pending
from bookings import services
from bookings.models import Offer, OfferStatus, WithdrawalCause
from bookings.services import booking_cancel
from realtime.chat import chat_message_send
from realtime.stream import stream_last_seq
from tests.factories import (
    UserFactory,
    make_booking,
    make_helper,
    pending_offer,
    post_request,
)
from tests.web.browser.conftest import DESKTOP, PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TAKEN = "Another helper was a little quicker: this job is taken. Thank you for answering so fast!"


def relay() -> None:
    """The relay's pass, in a thread of its own: Playwright's loop runs in this one, where the
    channel layer's synchronous calls cannot."""

    def run() -> None:
        try:
            relay_pending()
        finally:
            connections.close_all()

    thread = Thread(target=run)
    thread.start()
    thread.join()


def _log_in(page: Page, live_url: str, email: str) -> None:
    log_in(page, live_url, email, "/helper/")
    # Set on this document only: still there at the end means the page was never reloaded.
    page.evaluate("() => { window.stillTheSamePage = true; }")


def _events_heard(page: Page) -> list[str]:
    """The names of the events the page's socket receives, as they arrive."""
    heard: list[str] = []

    def watch(socket: Any) -> None:
        def frame(payload: Any) -> None:
            if isinstance(payload, str) and '"type": "event"' in payload:
                heard.append(re.search(r'"event": "([a-z_.]+)"', payload).group(1))  # type: ignore[union-attr]

        socket.on("framereceived", frame)

    page.on("websocket", watch)
    return heard


def test_an_offer_appears_on_two_phones_live_and_leaves_the_slower_one(
    browser, live_url, axe, screenshot
):
    marco = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    lea = make_helper(email="lea@example.ch", display_name="Lea Meier")
    User.objects.filter(pk__in=[marco.user_id, lea.user_id]).update(preferred_language="en")
    customer = UserFactory.create(email="vreni@example.ch", display_name="Vreni Keller")

    phones = {}
    heard = {}
    for name, email in (("marco", "marco@example.ch"), ("lea", "lea@example.ch")):
        page = browser.new_context(locale="en", **PHONE).new_page()
        heard[name] = _events_heard(page)
        _log_in(page, live_url, email)
        expect(page.get_by_text("No offers right now.")).to_be_visible()
        phones[name] = page

    # The customer asks; the relay hands the offers to both sockets
    help_request = post_request(customer, description="The TV box shows no channels.")
    relay()
    assert Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING).count() == 2
    for page in phones.values():
        offer = page.locator("#offers .offer")
        expect(offer).to_have_count(1)
        expect(offer.get_by_text("The TV box shows no channels.")).to_be_visible()
        # The time left in words, not "(18:40)", which reads like a time of day; hidden from
        # screen readers, which read the sentence before it once instead of every second.
        countdown = offer.locator(".countdown")
        expect(countdown).to_have_text(re.compile(r"^\d+ min \d+ s left\.$"))
        expect(countdown).to_have_attribute("aria-hidden", "true")
    assert heard["marco"] == ["offer.made"]
    assert heard["lea"] == ["offer.made"]
    screenshot(phones["lea"], "live-offer-phone")
    assert axe(phones["lea"]) == []

    # Marco is faster
    phones["marco"].get_by_role("button", name="Accept").click()
    expect(phones["marco"].get_by_text("The job is yours.")).to_be_visible()
    relay()

    # Lea's page drops the offer by itself, and says why, kindly
    lea_page = phones["lea"]
    expect(lea_page.locator("#offers .offer")).to_have_count(0)
    expect(lea_page.get_by_text(TAKEN)).to_be_visible()
    assert lea_page.evaluate("() => window.stillTheSamePage === true")
    assert heard["lea"] == ["offer.made", "offer.withdrawn"]
    lost = Offer.objects.get(help_request=help_request, helper=lea)
    assert (lost.status, lost.withdrawal_cause) == (OfferStatus.WITHDRAWN, WithdrawalCause.TAKEN)
    assert Offer.objects.get(help_request=help_request, helper=marco).status == "accepted"
    assert axe(lea_page) == []
    screenshot(lea_page, "live-offer-taken-phone")


def test_a_lost_connection_shows_a_banner_and_resumes_without_losing_the_offer(
    browser, live_url, axe
):
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    customer = UserFactory.create(email="vreni@example.ch")
    page = browser.new_context(locale="en", **PHONE).new_page()
    heard = _events_heard(page)

    # Every socket the page opens passes through here: the first reaches daphne, then the
    # line is cut, and while `down` the page's attempt waits unanswered until the test cuts it
    # (from the test, not from here: a handler that waits on Playwright deadlocks its loop).
    urls: list[str] = []
    state: dict[str, Any] = {"down": False, "first": None, "waiting": []}

    def route(socket: Any) -> None:
        urls.append(socket.url)
        if state["down"]:
            state["waiting"].append(socket)
            return
        socket.connect_to_server()
        if state["first"] is None:
            state["first"] = socket

    page.route_web_socket(re.compile(r"/ws/v1/"), route)
    _log_in(page, live_url, "marco@example.ch")
    banner = page.locator("#live-banner")
    expect(banner).to_be_hidden()
    expect(page.get_by_text("No offers right now.")).to_be_visible()
    seen_before = stream_last_seq(helper.user_id)
    assert urls == [f"{live_url.replace('http', 'ws')}/ws/v1/?after={seen_before}"]

    # The line goes down: the banner says so, in words
    state["down"] = True
    state["first"].close(code=4000)
    expect(banner).to_be_visible()
    expect(banner).to_have_text("Reconnecting…")
    assert axe(page) == []

    # Meanwhile an offer is made and relayed to nobody listening
    post_request(customer)
    relay()
    assert stream_last_seq(helper.user_id) == seen_before + 1
    assert heard == []

    # Back up: the attempt that waited is cut, the phone says it is online again; the page
    # resumes after the last event it had and gets the offer
    for _ in range(100):
        if state["waiting"]:
            break
        page.wait_for_timeout(100)
    state["down"] = False
    state["waiting"][0].close(code=4000)
    page.wait_for_timeout(200)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(banner).to_be_hidden()
    expect(page.locator("#offers .offer")).to_have_count(1)
    assert urls[-1].endswith(f"/ws/v1/?after={seen_before}")
    page.wait_for_function("() => true")
    assert heard == ["offer.made"]
    assert page.evaluate("() => window.stillTheSamePage === true")


def test_a_visits_chat_and_status_update_in_place_on_the_helpers_phone(browser, live_url, axe):
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    booking = make_booking(helper=helper)
    customer = booking.help_request.customer
    page = browser.new_context(locale="en", **PHONE).new_page()
    heard = _events_heard(page)
    _log_in(page, live_url, "marco@example.ch")
    page.goto(f"{live_url}/helper/visits/{booking.public_id}/")
    page.evaluate("() => { window.stillTheSamePage = true; }")
    expect(page.get_by_text("No messages yet.")).to_be_visible()

    # The helper writes; the customer answers (from her phone): both show up in place
    page.get_by_label("Your message").fill("I can come on Tuesday.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#chat-messages").get_by_text("I can come on Tuesday.")).to_be_visible()
    page.evaluate("() => { window.stillTheSamePage = true; }")
    chat_message_send(booking=booking, author=customer, text="Tuesday is fine, ring twice.")
    relay()
    expect(
        page.locator("#chat-messages").get_by_text("Tuesday is fine, ring twice.")
    ).to_be_visible()

    # The customer cancels: the visit's state changes in place
    words = page.locator("#visit-status .status-words")
    before = words.inner_text()
    booking_cancel(booking=booking, actor=customer, reason="My son fixed it.")
    relay()
    expect(words).not_to_have_text(before)
    expect(page.get_by_role("heading", name="Propose times")).to_have_count(0)
    assert page.evaluate("() => window.stillTheSamePage === true")
    assert "chat.message" in heard
    assert "booking.status" in heard
    assert axe(page) == []


def _until_heard(page: Page, heard: list[str], names: set[str]) -> None:
    """Wait (up to 10 s) until the page's socket has received events of all these names (one
    change sends several: which comes first is the relay's affair)."""
    for _ in range(100):
        if names <= set(heard):
            return
        page.wait_for_timeout(100)
    assert names <= set(heard), heard


def test_the_customers_request_page_hears_the_helper_accept_and_propose_live(
    browser, live_url, axe, screenshot
):
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    customer = UserFactory.create(email="vreni@example.ch", preferred_language="en")
    help_request = post_request(customer, description="The TV box shows no channels.")
    relay()  # the offer to Marco
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    heard = _events_heard(page)
    path = f"/requests/{help_request.public_id}/"
    log_in(page, live_url, "vreni@example.ch", path)
    # As the page is after half a minute of waiting: its next poll is a minute away, so what
    # comes sooner came over the socket.
    page.goto(f"{live_url}{path}?wait=30")
    page.evaluate("() => { window.stillTheSamePage = true; }")
    part = page.locator("#request-main")
    expect(part).to_have_attribute("data-live-request", str(help_request.public_id))
    expect(part).to_have_attribute("hx-trigger", "load delay:60s")
    expect(page.get_by_text("We asked 1 helper near you.")).to_be_visible()

    # Marco accepts: the page says so within seconds, without a reload
    booking = services.offer_accept(offer=pending_offer(help_request, helper), actor=helper.user)
    relay()
    words = "Marco accepted your request and will propose times for the visit soon."
    expect(page.get_by_text(words)).to_be_visible(timeout=10_000)
    expect(part).to_have_attribute("data-live-booking", str(booking.public_id))
    _until_heard(page, heard, {"help_request.status", "booking.status"})

    # Marco proposes a time: the customer's choice appears, and the page stops listening
    window = help_request.windows.get()
    services.booking_propose(
        booking=booking,
        actor=helper.user,
        slots=[services.SlotInput(window.starts_at, window.starts_at + timedelta(hours=1))],
    )
    relay()
    expect(page.get_by_text("proposes these times")).to_be_visible(timeout=10_000)
    _until_heard(page, heard, {"booking.proposals_made"})
    expect(part).not_to_have_attribute("data-live-url", re.compile(".*"))
    assert page.evaluate("() => window.stillTheSamePage === true")
    assert axe(page) == []
    screenshot(page, "request-proposed-live-desktop")
