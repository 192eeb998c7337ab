"""What each side sees of a booking once it is over."""

import pytest

from bookings.models import Booking, BookingStatus, HelpRequest, ProposalStatus
from bookings.services import booking_cancel
from tests.api.api_assertions import API, client_for
from tests.factories import UserFactory, make_booking, make_helper

pytestmark = pytest.mark.django_db


def test_a_helper_whose_visit_was_cancelled_no_longer_sees_address_or_phones():
    # Given a confirmed booking, booked by a relative for someone else
    customer = UserFactory.create(phone="+41 79 555 66 77")
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=make_helper())
    booking.help_request.on_behalf_name = "Grossmutter Anna"
    booking.help_request.on_behalf_phone = "+41 44 123 45 67"
    booking.help_request.save(update_fields=["on_behalf_name", "on_behalf_phone"])
    url = f"{API}/bookings/{booking.public_id}"
    before = client_for(booking.helper.user).get(url).json()["request"]
    assert before["street"] == "Bahnhofstrasse 1"
    assert before["customer_phone"] == "+41 79 555 66 77"
    assert before["on_behalf_phone"] == "+41 44 123 45 67"
    assert before["location"]["type"] == "Point"

    # When the customer cancels
    booking_cancel(booking=booking, actor=customer, reason="My grandson came by.")

    # Then the helper keeps what the job was, but not where or whom to call (null: hidden)
    after = client_for(booking.helper.user).get(url).json()["request"]
    assert after["street"] is None
    assert after["location"] is None
    assert after["customer_phone"] is None
    assert after["on_behalf_phone"] is None
    assert after["description"] == before["description"]
    assert after["postal_code"] == before["postal_code"]
    assert after["locality"] == before["locality"]
    # and the customer still sees their own request in full
    own = client_for(customer).get(url).json()["request"]
    assert own["street"] == "Bahnhofstrasse 1"
    assert own["on_behalf_phone"] == "+41 44 123 45 67"


def test_a_cancelled_booking_has_no_times_left_to_choose():
    # Given a booking with a proposed time
    booking = make_booking(BookingStatus.PROPOSED)
    customer = booking.help_request.customer

    # When the customer cancels it
    booking_cancel(booking=booking, actor=customer, reason="Solved it by phone.")

    # Then no proposal is still open, and the API lists none
    assert list(booking.proposals.values_list("status", flat=True)) == [ProposalStatus.SUPERSEDED]
    body = client_for(customer).get(f"{API}/bookings/{booking.public_id}").json()
    assert body["status"] == BookingStatus.CANCELLED
    assert body["proposals"] == []
    assert body["next_statuses"] == []


CUSTOMER_PHONE = "+41 79 555 66 77"
RELATIVE_PHONE = "+41 44 123 45 67"


def _visit_booked_by_a_relative(status: str) -> Booking:
    customer = UserFactory.create(phone=CUSTOMER_PHONE)
    booking = make_booking(status, customer=customer, helper=make_helper())
    HelpRequest.objects.filter(pk=booking.help_request_id).update(
        on_behalf_name="Grossmutter Anna", on_behalf_phone=RELATIVE_PHONE
    )
    return booking


@pytest.mark.parametrize(
    "status",
    [
        BookingStatus.AWAITING_PROPOSAL,
        BookingStatus.CONFIRMED,
        BookingStatus.ON_THE_WAY,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
        BookingStatus.DISPUTED,
    ],
)
def test_until_the_sign_off_the_helper_gets_the_address_and_the_phones(status):
    booking = _visit_booked_by_a_relative(status)

    answer = client_for(booking.helper.user).get(f"{API}/bookings/{booking.public_id}").json()

    assert answer["request"]["street"] == "Bahnhofstrasse 1"
    assert answer["request"]["customer_phone"] == CUSTOMER_PHONE
    assert answer["request"]["on_behalf_phone"] == RELATIVE_PHONE
    assert answer["request"]["location"]["type"] == "Point"


@pytest.mark.parametrize(
    "status",
    [
        BookingStatus.SIGNED_OFF,
        BookingStatus.SETTLED,
        BookingStatus.CANCELLED,
        BookingStatus.NO_SHOW,
    ],
)
def test_once_the_visit_is_over_the_helper_gets_postcode_and_town_only(status):
    booking = _visit_booked_by_a_relative(status)
    url = f"{API}/bookings/{booking.public_id}"

    response = client_for(booking.helper.user).get(url)
    listed = client_for(booking.helper.user).get(f"{API}/bookings")

    request = response.json()["request"]
    assert (request["street"], request["location"]) == (None, None)
    assert (request["customer_phone"], request["on_behalf_phone"]) == (None, None)
    assert (request["postal_code"], request["locality"]) == ("8001", "Zürich")
    for body in (response.content.decode(), listed.content.decode()):
        assert "Bahnhofstrasse" not in body
        assert CUSTOMER_PHONE not in body
        assert RELATIVE_PHONE not in body
    # The customer still reads their own request in full
    own = client_for(booking.help_request.customer).get(url).json()["request"]
    assert own["street"] == "Bahnhofstrasse 1"
    assert own["customer_phone"] == CUSTOMER_PHONE
    assert own["on_behalf_phone"] == RELATIVE_PHONE
