"""The request's description as its helper reads it: the phone numbers and e-mail addresses
the customer wrote in it are shown while the helper sees the customer's contact (from winning
the request until the visit is signed off, cancelled or missed), masked before and after, on
the visit's page, in the calendar feed, in the API's booking and offer. The customer and the
manager read it as written; the stored text is not changed."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from academy.services import calendar_feed_for
from bookings.helper_emails import visit_link
from bookings.models import Booking, BookingStatus, HelpRequest
from tests.api.api_assertions import API, client_for, openapi_schema
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    pending_offer,
    post_request,
)
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

WRITTEN = "Please call my mother on 079 123 45 67 or write to rosa.keller@example.ch first."
MASKED = "Please call my mother on ••• or write to ••• first."
LIVE = [BookingStatus.AWAITING_PROPOSAL, BookingStatus.CONFIRMED, BookingStatus.COMPLETED]
OVER = [
    BookingStatus.SIGNED_OFF,
    BookingStatus.SETTLED,
    BookingStatus.CANCELLED,
    BookingStatus.NO_SHOW,
]


def _visit(status: str) -> Booking:
    customer = UserFactory.create(display_name="Anna Keller")
    booking = make_booking(status, customer=customer, helper=make_helper(preferred_language="en"))
    HelpRequest.objects.filter(pk=booking.help_request_id).update(description=WRITTEN)
    booking.refresh_from_db()
    return booking


def _helper_page(client, booking: Booking) -> str:
    _logged_in(client, booking.helper.user)
    response = client.get(f"/helper/visits/{booking.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def _feed_description(client, booking: Booking) -> str:
    helper = booking.helper
    token = calendar_feed_for(helper=helper, actor=helper.user).token
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    (visit,) = Calendar.from_ical(response.content).walk("VEVENT")
    return str(visit["description"])


def _api_descriptions(booking: Booking) -> tuple[str, str]:
    """The description in the helper's API booking and in the API's offer it came from."""
    helper_api = client_for(booking.helper.user)
    booked = helper_api.get(f"{API}/bookings/{booking.public_id}").json()
    offer = helper_api.get(f"{API}/offers/{booking.offer.public_id}").json()
    return booked["request"]["description"], offer["request"]["description"]


@pytest.mark.parametrize("status", LIVE)
def test_while_the_visit_is_alive_the_helper_reads_the_description_as_written(client, status):
    booking = _visit(status)

    html = _helper_page(client, booking)
    feed = _feed_description(client, booking) if booking.starts_at else None

    assert f"<p>{WRITTEN}</p>" in html
    if feed is not None:
        assert feed == f"{WRITTEN}\n\nThe visit's page: {visit_link(booking)}"
    assert _api_descriptions(booking) == (WRITTEN, WRITTEN)


@pytest.mark.parametrize("status", OVER)
def test_once_the_visit_is_over_the_helper_reads_it_with_contacts_masked(client, status):
    booking = _visit(status)

    html = _helper_page(client, booking)
    feed = _feed_description(client, booking)

    assert f"<p>{MASKED}</p>" in html
    assert "123 45 67" not in html
    assert "rosa.keller@example.ch" not in html
    assert feed == f"{MASKED}\n\nThe visit's page: {visit_link(booking)}"
    assert _api_descriptions(booking) == (MASKED, MASKED)
    # Masked when read: the stored text is the customer's, unchanged
    assert HelpRequest.objects.get(pk=booking.help_request_id).description == WRITTEN


@pytest.mark.parametrize("status", [BookingStatus.CONFIRMED, *OVER])
def test_the_customer_and_the_manager_read_the_description_as_written(client, status):
    booking = _visit(status)
    customer = booking.help_request.customer
    url = f"{API}/bookings/{booking.public_id}"

    as_customer = client_for(customer).get(url).json()
    as_manager = client_for(ManagerFactory.create()).get(url).json()
    _logged_in(client, customer)
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()

    assert as_customer["request"]["description"] == WRITTEN
    assert as_manager["request"]["description"] == WRITTEN
    assert f"<p>{WRITTEN}</p>" in page


def test_an_offer_not_won_yet_shows_the_helper_the_description_masked(client):
    customer = UserFactory.create()
    helper = make_helper(preferred_language="en")
    help_request = post_request(customer, description=WRITTEN)
    offer = pending_offer(help_request, helper)

    answer = client_for(helper.user).get(f"{API}/offers/{offer.public_id}").json()
    listed = client_for(helper.user).get(f"{API}/offers?status=pending").json()
    _logged_in(client, helper.user)
    home = client.get("/helper/").content.decode()

    assert answer["request"]["description"] == MASKED
    (first,) = listed["results"] if isinstance(listed, dict) else listed
    assert first["request"]["description"] == MASKED
    assert f"<strong>What:</strong> {MASKED}</p>" in home
    assert "123 45 67" not in home
    assert "rosa.keller@example.ch" not in home


def test_the_schema_says_when_the_description_is_masked():
    schemas = openapi_schema()["components"]["schemas"]

    for name in ("BookingRequest", "OfferRequest"):
        field = schemas[name]["properties"]["description"]
        assert field["type"] == "string"
        assert field["readOnly"] is True
        assert field["description"] == (
            "The problem, in the customer's words. To the visit's helper, phone numbers and "
            "e-mail addresses in it are masked (`•••`) before they win the request and once "
            "the visit is signed off (or settled), cancelled or missed; the customer and the "
            "manager get it as written."
        )
