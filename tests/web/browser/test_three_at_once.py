"""The loop with its three people at once, each in a browser context of their own: a customer on
a desktop, a helper on a 390×844 phone and the community manager on a desktop, all logged in
side by side. Each sees the others' moves on their own pages.

The visit itself (on the way, arrived, done) happens on the day, so it is made through the
services at that moment in the test process; everything before and after it is clicked.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from backend.models import User
from bookings import services
from bookings.models import Booking, BookingStatus, HelpRequest, Review
from tests.factories import ManagerFactory, UserFactory, make_helper
from tests.web.browser.conftest import DESKTOP, PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_customer_a_helper_and_the_manager_at_once(browser, live_url, axe, screenshot):
    helper = make_helper(
        email="marco@example.ch", display_name="Marco Rossi", languages=("de", "en")
    )
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    UserFactory.create(
        email="vreni@example.ch", display_name="Vreni Keller", preferred_language="en"
    )
    ManagerFactory.create(email="manager@quartier.test", preferred_language="en")

    contexts = {
        "customer": browser.new_context(locale="en", **DESKTOP),
        "helper": browser.new_context(locale="en", **PHONE),
        "manager": browser.new_context(locale="en", **DESKTOP),
    }
    customer = contexts["customer"].new_page()
    phone = contexts["helper"].new_page()
    manager = contexts["manager"].new_page()
    log_in(customer, live_url, "vreni@example.ch", "/requests/")
    log_in(phone, live_url, "marco@example.ch", "/helper/")
    log_in(manager, live_url, "manager@quartier.test", "/manage/")

    # The customer asks for help, tomorrow morning
    customer.get_by_role("link", name="Ask for help").first.click()
    customer.get_by_text("Internet & Wi-Fi").click()
    customer.get_by_label("Describe the problem").fill("The Wi-Fi drops every evening.")
    customer.locator("#id_day_1").select_option(index=1)
    customer.locator("#id_slot_1").select_option("morning")
    customer.get_by_role("button", name="Send my request").click()
    expect(customer.get_by_text("We asked 1 helper near you.")).to_be_visible()
    help_request = HelpRequest.objects.get(customer__email="vreni@example.ch")

    # The helper's phone shows the offer, without the street; Marco takes it and proposes a time
    phone.goto(f"{live_url}/helper/")
    offer = phone.locator("#offers .offer")
    expect(offer).to_have_count(1)
    expect(offer.get_by_text("The Wi-Fi drops every evening.")).to_be_visible()
    expect(offer.get_by_text("Bahnhofplatz")).to_have_count(0)
    assert axe(phone) == []
    phone.get_by_role("button", name="Accept").click()
    expect(phone.get_by_text("The job is yours.")).to_be_visible()
    expect(phone.get_by_text("Bahnhofplatz 1")).to_be_visible()
    window = help_request.windows.get()
    phone.locator("#id_propose-start_1").fill(
        timezone.localtime(window.starts_at).strftime("%Y-%m-%dT%H:%M")
    )
    phone.locator("#id_propose-length_1").select_option("60")
    phone.get_by_role("button", name="Send these times").click()
    expect(
        phone.get_by_text("Waiting for the customer to choose one of your times.")
    ).to_be_visible()

    # The customer's page learns of it by itself, and she confirms
    expect(customer.get_by_text("proposes these times")).to_be_visible(timeout=30_000)
    customer.get_by_role("button", name=re.compile("^Confirm ")).first.click()
    expect(customer.get_by_text("The visit is confirmed for")).to_be_visible()
    assert axe(customer) == []
    booking = Booking.objects.get(help_request=help_request)
    assert booking.status == BookingStatus.CONFIRMED

    # Meanwhile the manager sees the visit among the confirmed ones, and why Marco was asked
    manager.goto(f"{live_url}/manage/bookings/?state=confirmed")
    expect(manager.get_by_text("Marco Rossi").first).to_be_visible()
    assert axe(manager) == []
    manager.goto(f"{live_url}/manage/requests/{help_request.public_id}/")
    expect(
        manager.get_by_role("heading", name="Why these helpers, and why nobody else")
    ).to_be_visible()
    expect(manager.get_by_role("row", name=re.compile("Marco Rossi")).first).to_be_visible()
    screenshot(manager, "three-at-once-manager")

    # On the day: on the way, arrived, done
    with time_machine.travel(booking.starts_at - timedelta(minutes=20), tick=False):
        services.booking_start_journey(booking=booking, actor=helper.user, eta_minutes=15)
        services.booking_check_in(booking=booking, actor=helper.user)
        services.booking_check_out(
            booking=booking,
            actor=helper.user,
            work_summary="Moved the router to the hall and renamed the network.",
            leave_behind_note="If it drops again: unplug the router for ten seconds.",
        )

    # The helper's phone says the customer has to confirm; she does, and reviews
    phone.goto(f"{live_url}/helper/visits/{booking.public_id}/")
    expect(phone.get_by_text("Waiting for the customer to sign off the visit.")).to_be_visible()
    screenshot(phone, "three-at-once-helper-phone")
    customer.reload()
    expect(customer.get_by_text("unplug the router for ten seconds")).to_be_visible()
    customer.get_by_role("button", name="Yes, sign off the visit").click()
    expect(customer.get_by_text("Thank you! The visit is signed off.")).to_be_visible()
    customer.get_by_text("5 stars: excellent").click()
    customer.get_by_role("button", name="Send my review").click()
    expect(customer.get_by_text("Thank you for your review.")).to_be_visible()
    screenshot(customer, "three-at-once-customer")

    # And the manager's console has the visit signed off
    manager.goto(f"{live_url}/manage/bookings/?state=signed_off")
    expect(manager.get_by_text("Marco Rossi").first).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SIGNED_OFF
    assert Review.objects.get(booking=booking).rating == 5
    for context in contexts.values():
        context.close()
