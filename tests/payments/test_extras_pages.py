"""Extra time or material in the web app: the helper asks on the visit's page, the customer
agrees or declines on the request's page, and the receipt page lists what was agreed."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.models import User
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking
from payments.models import ExtraCharge, LedgerEntry
from tests.payments.money import assert_books_balance, held_booking, payment_of
from tests.web.refusals import shown_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _helper_bears_fee(settings):
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_fee_paid_by="helper")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _in_progress() -> Booking:
    booking = held_booking()
    User.objects.filter(pk__in=[booking.helper.user_id, booking.help_request.customer_id]).update(
        preferred_language="en"
    )
    helper = booking.helper.user
    booking = bookings.booking_start_journey(booking=booking, actor=helper, eta_minutes=10)
    return bookings.booking_check_in(booking=booking, actor=helper)


def _ask(booking: Booking, helper: Client | None = None, **fields: str):
    helper = helper or _logged_in(booking.helper.user)
    data = {"extra-minutes": "20", "extra-material": "15.50", "extra-note": "A new cable."}
    data.update(fields)
    return helper.post(f"/helper/visits/{booking.public_id}/extra", data)


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_the_helper_asks_and_the_customer_answers_on_the_pages(answer):
    booking = _in_progress()
    visit_page = _logged_in(booking.helper.user).get(f"/helper/visits/{booking.public_id}/")
    assert "Extra time in minutes" in visit_page.content.decode()

    asked = _ask(booking)
    assert asked.status_code == 302
    extra = ExtraCharge.objects.get(booking=booking)
    assert (extra.minutes, extra.material_minor, extra.amount_minor) == (20, 1550, 3550)

    customer = _logged_in(booking.help_request.customer)
    request_url = f"/requests/{booking.help_request.public_id}/"
    shown = customer.get(request_url).content.decode()
    assert "20 extra minutes and CHF 15.50 of material: CHF 35.50." in shown
    assert "Agree to the extra" in shown
    answered = customer.post(f"{request_url}extra", {"consent": answer})
    assert answered.status_code == 302
    extra.refresh_from_db()
    assert extra.status == ("authorised" if answer == "yes" else "declined")
    assert extra.authorised_minor == (3550 if answer == "yes" else 0)
    assert "Agree to the extra" not in customer.get(request_url).content.decode()

    booking = bookings.booking_check_out(
        booking=Booking.objects.get(pk=booking.pk),
        actor=booking.helper.user,
        work_summary="Set up the router.",
        leave_behind_note="",
    )
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    assert_books_balance(booking)
    receipt = customer.get(f"/receipts/{booking.public_id}/").content.decode()
    assert ("Extra time (20 min) and material (CHF 15.50), agreed" in receipt) == (answer == "yes")
    assert payment_of(booking).captured_minor == 4000


def test_a_refused_ask_shows_the_form_again_and_changes_nothing():
    booking = _in_progress()
    before = LedgerEntry.objects.count()
    helper = _logged_in(booking.helper.user)
    refused = _ask(booking, helper, **{"extra-minutes": "0", "extra-material": "0"})
    # Back on the visit's page at its own address, the problem and the values sent on it once
    page = f"/helper/visits/{booking.public_id}/"
    html = shown_once(helper, refused, page)
    assert "Give the extra minutes or the cost of the material." in html
    assert 'name="extra-note" value="A new cable."' in html
    assert not ExtraCharge.objects.exists()
    assert LedgerEntry.objects.count() == before
    not_started = held_booking()
    User.objects.filter(pk=not_started.helper.user_id).update(preferred_language="en")
    helper = _logged_in(not_started.helper.user)
    too_early = _ask(not_started, helper)
    page = f"/helper/visits/{not_started.public_id}/"
    html = shown_once(helper, too_early, page)
    assert "until the customer signs it off" in html
    other_helper = _logged_in(not_started.helper.user)
    assert other_helper.post(f"/helper/visits/{booking.public_id}/extra", {}).status_code == 404
    assert not ExtraCharge.objects.exists()
