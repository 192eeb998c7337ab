"""Tips with TWINT on the pay-after page: after a visit paid with TWINT, the customer tips
with TWINT too, through TWINT's page; the tip is booked once, when the charge succeeded (on the
way back or from the webhook), all of it to the helper; a refused try leaves nothing."""

from __future__ import annotations

import pytest
import requests
from django.test import Client

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments import tip_twint
from payments.models import LedgerEntry, LedgerKind, Payment, Tip
from payments.reconciliation import reconcile
from payments.webhooks import webhook_receive
from tests.factories import UserFactory, make_booking
from tests.payments.money import (
    assert_books_balance,
    completed,
    connected_helper,
    event_payload,
    sign,
)

pytestmark = pytest.mark.django_db


def _paid_with_twint() -> tuple[Booking, Client]:
    helper = connected_helper()
    customer = UserFactory.create(preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    browser = Client()
    browser.force_login(customer)
    request_id = booking.help_request.public_id
    browser.post(f"/requests/{request_id}/pay/twint")
    bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relay_pending()
    booking = completed(Booking.objects.get(pk=booking.pk))
    bookings.booking_sign_off(booking=booking, actor=customer)
    relay_pending()
    _through_twint(browser, browser.post(f"/requests/{request_id}/pay/start")["Location"])
    assert Payment.objects.get(booking=booking).status == "captured"
    return Booking.objects.get(pk=booking.pk), browser


def _through_twint(browser: Client, twint_page: str, action: str = "authorize"):
    assert "/pm-redirects/twint/" in twint_page
    back = requests.post(twint_page, data={"action": action}, allow_redirects=False, timeout=5)
    assert back.status_code == 303
    return browser.get(back.headers["Location"].removeprefix("http://testserver"))


def test_a_twint_visit_is_tipped_with_twint_on_the_pay_page():
    booking, browser = _paid_with_twint()
    pay_url = f"/requests/{booking.help_request.public_id}/pay"
    assert "Tip with TWINT" in browser.get(pay_url).content.decode()

    sent = browser.post(f"{pay_url}/tip", {"tip-amount": "5"})
    assert sent.status_code == 302
    assert not Tip.objects.exists()  # not before TWINT took it
    returned = _through_twint(browser, sent["Location"])
    assert returned["Location"] == pay_url

    tip = Tip.objects.get(booking=booking)
    assert tip.amount_minor == 500
    assert tip.stripe_fee_minor > 0
    tipped = LedgerEntry.objects.get(booking=booking, kind=LedgerKind.TIPPED)
    assert (tipped.debit, tipped.credit, tipped.amount_minor) == ("customer", "helper", 500)
    assert_books_balance(booking)
    page = browser.get(pay_url).content.decode()
    assert "You gave a tip of CHF 5.00. Thank you!" in page
    assert "Tip with TWINT" not in page
    again = browser.post(f"{pay_url}/tip", {"tip-amount": "5"})
    assert (again.status_code, again["Location"]) == (302, pay_url)
    assert Tip.objects.count() == 1
    assert reconcile() == []


def test_a_refused_twint_tip_leaves_nothing_and_can_be_tried_again():
    booking, browser = _paid_with_twint()
    pay_url = f"/requests/{booking.help_request.public_id}/pay"
    entries = LedgerEntry.objects.count()
    refused = _through_twint(
        browser, browser.post(f"{pay_url}/tip", {"tip-amount": "5"})["Location"], "fail"
    )
    assert refused["Location"] == pay_url
    assert not Tip.objects.exists()
    assert LedgerEntry.objects.count() == entries
    _through_twint(browser, browser.post(f"{pay_url}/tip", {"tip-amount": "5"})["Location"])
    assert Tip.objects.get(booking=booking).amount_minor == 500
    assert_books_balance(booking)
    assert reconcile() == []


def test_the_webhook_books_a_tip_whose_customer_never_came_back():
    booking, browser = _paid_with_twint()
    pay_url = f"/requests/{booking.help_request.public_id}/pay"
    twint_page = browser.post(f"{pay_url}/tip", {"tip-amount": "7"})["Location"]
    back = requests.post(twint_page, data={"action": "authorize"}, allow_redirects=False, timeout=5)
    assert back.status_code == 303  # the customer closes the app here
    assert not Tip.objects.exists()
    payment = Payment.objects.get(booking=booking)
    intent_id = twint_page.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    obj = {
        "id": intent_id,
        "object": "payment_intent",
        "status": "succeeded",
        "metadata": {"tip": str(payment.public_id)},
    }
    for event_id in ("evt_tip_1", "evt_tip_1", "evt_tip_2"):
        payload = event_payload(
            event_id, "payment_intent.succeeded", obj, payment.stripe_account_id
        )
        webhook_receive(payload=payload, signature=sign(payload))
    assert Tip.objects.get(booking=booking).amount_minor == 700
    assert LedgerEntry.objects.filter(booking=booking, kind=LedgerKind.TIPPED).count() == 1
    assert tip_twint.tip_twint_refresh(payment=payment) == Tip.objects.get()
    assert_books_balance(booking)
    assert reconcile() == []
