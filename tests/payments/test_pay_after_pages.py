"""The customer's TWINT payment page: choosing TWINT before the visit, paying right after it
through TWINT's page and coming back to a settled visit; nobody else sees the page."""

from __future__ import annotations

import pytest
import requests
from django.test import Client

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments.models import Payment, PaymentStatus
from tests.factories import UserFactory, make_booking
from tests.payments.money import assert_books_balance, completed, connected_helper

pytestmark = pytest.mark.django_db


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _proposed() -> tuple[Booking, Client]:
    helper = connected_helper()
    customer = UserFactory.create(preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    return booking, _logged_in(customer)


def _signed_off_with_twint(
    proposed: tuple[Booking, Client] | None = None, *, made_due: bool = True
) -> tuple[Booking, Client]:
    """A visit (`proposed`, else a new one) whose customer chose TWINT on the payment page,
    then confirmed it; the helper did it and the customer signed it off. With `made_due` the
    worker has since made the payment due (else the sign-off's side effects still wait)."""
    booking, browser = proposed or _proposed()
    chosen = browser.post(f"/requests/{booking.help_request.public_id}/pay/twint")
    assert chosen.status_code == 302
    assert Payment.objects.get(booking=booking).pay_with == "twint"
    customer = booking.help_request.customer
    bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relay_pending()
    booking = completed(Booking.objects.get(pk=booking.pk))
    bookings.booking_sign_off(booking=booking, actor=customer)
    if made_due:
        relay_pending()
    return booking, browser


def test_the_customer_chooses_twint_then_pays_after_the_visit_and_comes_back_settled():
    booking, browser = _proposed()
    request_id = booking.help_request.public_id
    page = browser.get(f"/requests/{request_id}/pay")
    assert page.status_code == 200
    assert "Pay with TWINT after the visit" in page.content.decode()

    booking, browser = _signed_off_with_twint((booking, browser))
    assert Payment.objects.get(booking=booking).status == PaymentStatus.DUE

    request_page = browser.get(f"/requests/{request_id}/").content.decode()
    assert f'href="/requests/{request_id}/pay"' in request_page
    due = browser.get(f"/requests/{request_id}/pay").content.decode()
    assert "is due for the visit" in due

    sent = browser.post(f"/requests/{request_id}/pay/start")
    assert sent.status_code == 302
    twint_page = sent["Location"]
    assert "/pm-redirects/twint/" in twint_page
    back = requests.post(twint_page, data={"action": "authorize"}, allow_redirects=False, timeout=5)
    assert back.status_code == 303
    assert back.headers["Location"].startswith(
        f"http://testserver/requests/{request_id}/pay/return?"
    )
    returned = browser.get(back.headers["Location"].removeprefix("http://testserver"))
    assert returned.status_code == 302
    assert returned["Location"] == f"/requests/{request_id}/pay"
    payment = Payment.objects.get(booking=booking)
    assert payment.status == PaymentStatus.CAPTURED
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SETTLED
    assert_books_balance(booking)
    assert "Thank you!" in browser.get(f"/requests/{request_id}/pay").content.decode()


def test_a_failed_twint_try_is_shown_and_nothing_moves():
    booking, browser = _signed_off_with_twint()
    request_id = booking.help_request.public_id
    twint_page = browser.post(f"/requests/{request_id}/pay/start")["Location"]
    back = requests.post(twint_page, data={"action": "fail"}, allow_redirects=False, timeout=5)
    browser.get(back.headers["Location"].removeprefix("http://testserver"))
    payment = Payment.objects.get(booking=booking)
    assert (payment.status, payment.captured_minor) == (PaymentStatus.DUE, 0)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SIGNED_OFF
    page = browser.get(f"/requests/{request_id}/pay").content.decode()
    assert "TWINT did not take the last try" in page


def test_nobody_else_sees_or_pays_the_visit():
    booking, _browser = _proposed()
    request_id = booking.help_request.public_id
    stranger = _logged_in(UserFactory.create())
    assert stranger.get(f"/requests/{request_id}/pay").status_code == 404
    assert stranger.post(f"/requests/{request_id}/pay/twint").status_code == 404
    assert not Payment.objects.filter(booking=booking).exists()
    helper = _logged_in(booking.helper.user)
    assert helper.get(f"/requests/{request_id}/pay").status_code == 404


def test_the_pay_page_query_count_is_bounded(django_assert_max_num_queries):
    booking, browser = _proposed()
    # The visit with its helper's payout account, and its payment: whether TWINT may be chosen
    # asks nothing more
    with django_assert_max_num_queries(8):
        assert browser.get(f"/requests/{booking.help_request.public_id}/pay").status_code == 200


@pytest.mark.parametrize("takes_payments", [True, False])
def test_twint_is_offered_only_where_the_helper_takes_payments(takes_payments):
    # Given a visit to choose a time for, its helper with or without an account taking payments
    if takes_payments:
        booking, browser = _proposed()
    else:
        customer = UserFactory.create(preferred_language="en")
        booking = make_booking(BookingStatus.PROPOSED, customer=customer)
        browser = _logged_in(customer)
    request_id = booking.help_request.public_id

    # When the customer reads the request and the payment page
    request_page = browser.get(f"/requests/{request_id}/").content.decode()
    pay_page = browser.get(f"/requests/{request_id}/pay").content.decode()

    # Then TWINT is offered only where choosing it can be taken
    link = (
        f'<a href="/requests/{request_id}/pay">Pay with TWINT after the visit instead of a card</a>'
    )
    assert (link in request_page) is takes_payments
    assert (f'action="/requests/{request_id}/pay/twint"' in pay_page) is takes_payments
    assert ("Nothing to pay here at the moment." in pay_page) is not takes_payments
    assert not Payment.objects.filter(booking=booking).exists()


def test_once_twint_is_chosen_it_is_not_offered_again():
    booking, browser = _proposed()
    request_id = booking.help_request.public_id
    browser.post(f"/requests/{request_id}/pay/twint")

    request_page = browser.get(f"/requests/{request_id}/").content.decode()
    pay_page = browser.get(f"/requests/{request_id}/pay").content.decode()

    assert f'href="/requests/{request_id}/pay"' not in request_page
    assert "You pay with TWINT: nothing is held now." in pay_page
    assert f'action="/requests/{request_id}/pay/twint"' not in pay_page


def _paid_with_twint() -> tuple[Booking, Client]:
    """A visit chosen to be paid with TWINT, signed off and paid at TWINT's page."""
    booking, browser = _signed_off_with_twint()
    request_id = booking.help_request.public_id
    twint_page = browser.post(f"/requests/{request_id}/pay/start")["Location"]
    back = requests.post(twint_page, data={"action": "authorize"}, allow_redirects=False, timeout=5)
    browser.get(back.headers["Location"].removeprefix("http://testserver"))
    assert Payment.objects.get(booking=booking).status == PaymentStatus.CAPTURED
    return Booking.objects.get(pk=booking.pk), browser


def test_a_visit_paid_with_twint_says_so_on_its_receipt_and_is_tipped_with_twint():
    booking, browser = _paid_with_twint()
    request_id = booking.help_request.public_id

    receipt = browser.get(f"/receipts/{booking.public_id}/").content.decode()
    request_page = browser.get(f"/requests/{request_id}/").content.decode()

    # The receipt names how it was paid: no card was charged
    assert "Paid with TWINT" in receipt
    assert "Charged to the card" not in receipt
    # The request page offers the tip with TWINT, on the payment page, never "to the card"
    assert "charged to the card you paid the visit with" not in request_page
    assert f'action="/requests/{request_id}/tip"' not in request_page
    assert f'<a class="button" href="/requests/{request_id}/pay">Tip with TWINT</a>' in request_page


def test_right_after_sign_off_the_page_waits_for_the_twint_button():
    # The worker makes the TWINT payment due after the sign-off: until then the request page
    # asks again by itself, then shows the button and stops asking.
    booking, browser = _signed_off_with_twint(made_due=False)
    request_id = booking.help_request.public_id
    polls = f'hx-get="/requests/{request_id}/?wait='
    pay_link = f'href="/requests/{request_id}/pay"'

    settling = browser.get(f"/requests/{request_id}/").content.decode()
    relay_pending()
    due = browser.get(f"/requests/{request_id}/").content.decode()

    assert Payment.objects.get(booking=booking).status == PaymentStatus.DUE
    assert (polls in settling, pay_link in settling) == (True, False)
    assert (polls in due, pay_link in due) == (False, True)
