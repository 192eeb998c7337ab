"""A helper cancels the confirmed visit while one of the customer's times is left: the request
is offered to other helpers again, and the customer's request page no longer presents that
helper as "Your helper" (their rating, rate and languages, as if they were still coming) but
says, as the e-mail does, that they cancelled the visit; nothing is charged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from backend.formats import written
from bookings.models import BookingStatus, HelpRequestStatus
from bookings.services import booking_cancel
from tests.factories import make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def test_the_request_page_says_the_helper_cancelled_and_no_longer_names_them_yours(client):
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    helper = make_helper(display_name="Nicole Hofmann")
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper, start=start)
    customer = booking.help_request.customer
    page = f"/requests/{booking.help_request.public_id}/"
    _logged_in(client, customer, "de")
    assert "Ihre Helferin oder Ihr Helfer" in client.get(page).content.decode()

    booking_cancel(booking=booking, actor=helper.user, reason="Ich bin krank.")
    booking.help_request.refresh_from_db()
    assert booking.help_request.status == HelpRequestStatus.OPEN

    html = client.get(page).content.decode()
    local = timezone.localtime(start)
    with translation.override("de"):
        when = written.moment_in_sentence(local)
    assert (
        f'<p class="card" id="visit-cancelled">Nicole hat den Besuch vom {when} '
        "(Internet &amp; WLAN) abgesagt.</p>"
    ) in html
    assert "Ihre Helferin oder Ihr Helfer" not in html
    assert "Für diesen Besuch wird nichts belastet" in html


def test_the_helper_stays_the_customers_while_their_visit_stands(client):
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper(display_name="Nicole"))
    _logged_in(client, booking.help_request.customer, "de")
    html = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    assert "Ihre Helferin oder Ihr Helfer" in html
    assert 'id="visit-cancelled"' not in html
