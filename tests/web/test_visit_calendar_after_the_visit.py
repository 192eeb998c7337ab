"""Once a visit is over for its helper (signed off, settled, cancelled, missed), their calendar
feed's entry for it no longer names the relative they met, nor carries a phone or the street,
as the visit's page and the API hide them (`contact_visible_to`); while the visit is alive, it
does name the relative."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from academy.services import calendar_feed_for
from bookings.helper_emails import visit_link
from bookings.models import Booking, BookingStatus, HelpRequest
from tests.api.api_assertions import API, client_for
from tests.factories import UserFactory, make_booking, make_helper

pytestmark = pytest.mark.django_db

OVER = [
    BookingStatus.SIGNED_OFF,
    BookingStatus.SETTLED,
    BookingStatus.CANCELLED,
    BookingStatus.NO_SHOW,
]


def _booked_for_rosa(status: str) -> Booking:
    helper = make_helper(preferred_language="en")
    anna = UserFactory.create(display_name="Anna Keller", phone="+41 79 555 66 77")
    booking = make_booking(status, customer=anna, helper=helper)
    HelpRequest.objects.filter(pk=booking.help_request_id).update(
        on_behalf_name="Rosa Keller", on_behalf_phone="+41 44 333 22 11"
    )
    return booking


def _feed(client, booking: Booking) -> bytes:
    helper = booking.helper
    token = calendar_feed_for(helper=helper, actor=helper.user).token
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("status", OVER)
def test_an_ended_visit_names_neither_the_relative_nor_a_phone_nor_the_street(client, status):
    booking = _booked_for_rosa(status)

    content = _feed(client, booking)

    (visit,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(visit["description"]) == (
        f"The Wi-Fi drops every evening.\n\nThe visit's page: {visit_link(booking)}"
    )
    assert str(visit["location"]) == "8001 Zürich"
    for private in (b"Rosa", b"333 22 11", b"555 66 77", b"Bahnhofstrasse"):
        assert private not in content
    # The API's answer about the same visit hides the same
    request = client_for(booking.helper.user).get(f"{API}/bookings/{booking.public_id}")
    assert {
        key: request.json()["request"][key] for key in ("on_behalf_name", "on_behalf_phone")
    } == {
        "on_behalf_name": None,
        "on_behalf_phone": None,
    }


def test_a_confirmed_visit_names_the_relative_met_but_no_phone(client):
    booking = _booked_for_rosa(BookingStatus.CONFIRMED)

    content = _feed(client, booking)

    (visit,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(visit["description"]) == (
        "The Wi-Fi drops every evening.\n\n"
        "You meet Rosa Keller; Anna booked the visit for them.\n\n"
        f"The visit's page: {visit_link(booking)}"
    )
    assert str(visit["location"]) == "Bahnhofstrasse 1, 8001 Zürich"
    assert b"333 22 11" not in content
    assert b"555 66 77" not in content
    answer = client_for(booking.helper.user).get(f"{API}/bookings/{booking.public_id}").json()
    assert answer["request"]["on_behalf_name"] == "Rosa Keller"
