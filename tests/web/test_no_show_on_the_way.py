"""A helper on the way to a visit that has not begun cannot say the customer was not there: the
visit page offers "The customer was not there" only from the start time and its grace period
on, and the service, behind the page and the API alike, refuses it before (`too_early`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingStatus
from tests.api.api_assertions import API, assert_error, client_for, row_counts
from tests.factories import make_booking
from tests.web.refusals import shown_once
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

NO_SHOW_SUMMARY = "<summary>The customer was not there</summary>"


def _on_the_way() -> Booking:
    """A visit starting in two hours, the helper already on the way."""
    start = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    booking = make_booking(BookingStatus.CONFIRMED, start=start)
    return services.booking_start_journey(
        booking=booking, actor=booking.helper.user, eta_minutes=20
    )


def _state(booking: Booking) -> tuple[object, ...]:
    booking.refresh_from_db()
    return (booking.status, booking.caused_by, booking.closed_at, booking.events.count())


def test_the_no_show_button_shows_only_once_it_may_be_used(client):
    # Given a helper on the way to a visit that starts in two hours
    booking = _on_the_way()
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"
    action = f'action="/helper/visits/{booking.public_id}/no-show"'

    # When they open the visit's page before the start: there is no such button
    html = client.get(page).content.decode()
    assert (NO_SHOW_SUMMARY in html, action in html) == (False, False)

    # Nor one minute before the grace period is over
    with time_machine.travel(booking.starts_at + timedelta(minutes=29), tick=False):
        html = client.get(page).content.decode()
    assert (NO_SHOW_SUMMARY in html, action in html) == (False, False)

    # When the grace period after the start is over, it is there
    with time_machine.travel(booking.starts_at + timedelta(minutes=30), tick=False):
        html = client.get(page).content.decode()
    assert (NO_SHOW_SUMMARY in html, action in html) == (True, True)


def test_a_no_show_sent_from_the_page_before_the_start_is_refused(client):
    # Given a helper on the way to a visit that starts in two hours
    booking = _on_the_way()
    before = _state(booking)
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"

    # When they report that the customer was not there
    response = client.post(f"{page}no-show", {"no_show-note": "Nobody opened."})

    # Then they are told from when they may, and nothing changed
    html = shown_once(client, response, page)
    assert '<details class="card" open>' + "\n    " + NO_SHOW_SUMMARY in html
    assert "A no-show can be reported 30 minutes after the start time." in html
    assert _state(booking) == before == (BookingStatus.ON_THE_WAY, "", None, before[3])


def test_a_no_show_sent_through_the_api_before_the_start_is_refused():
    # Given a helper on the way to a visit that starts in two hours
    booking = _on_the_way()
    before, state = row_counts(), _state(booking)

    # When the app reports that the customer was not there
    response = client_for(booking.helper.user).post(
        f"{API}/bookings/{booking.public_id}/no-show", {"note": "Nobody opened."}
    )

    # Then it is refused as too early, and nothing changed
    assert_error(
        response,
        409,
        "too_early",
        documented_in=("post", "/api/v1/bookings/{booking_id}/no-show"),
    )
    assert response.json()["message"] == (
        "A no-show can be reported 30 minutes after the start time."
    )
    assert row_counts() == before
    assert _state(booking) == state
