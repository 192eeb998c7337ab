"""What a customer reads about their requests: the offers that wait for an answer and the
booking that stands, asked in the same statement as the request itself."""

from __future__ import annotations

import pytest

from backend.models import User
from bookings import services
from bookings.models import Booking, BookingStatus, HelpRequest
from tests.api.api_assertions import API, client_for, results
from tests.factories import (
    ZURICH,
    UserFactory,
    make_booking,
    make_helper,
    offset,
    pending_offer,
    post_request,
)

pytestmark = pytest.mark.django_db


def _world() -> tuple[User, dict[str, HelpRequest], Booking]:
    """A customer with three requests: one offered to three helpers; one booked again after
    its first helper cancelled (the second booking stands); one whose booking the customer
    cancelled."""
    customer = UserFactory.create()
    helpers = [make_helper(point=offset(ZURICH, north_m=200.0 * n)) for n in range(4)]
    offered = post_request(customer)
    first = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=helpers[0])
    services.booking_cancel(booking=first, actor=helpers[0].user, reason="I am ill.")
    # As the worker's task does: the request, open again, is offered to the others.
    services.offers_dispatch(help_request=first.help_request)
    offer = pending_offer(first.help_request)
    second = services.offer_accept(offer=offer, actor=offer.helper.user)
    cancelled = make_booking(BookingStatus.CANCELLED, customer=customer, helper=helpers[0])
    requests = {
        "offered": offered,
        "booked": first.help_request,
        "cancelled": cancelled.help_request,
    }
    return customer, requests, second


def test_a_request_read_shows_its_pending_offers_and_the_booking_that_stands_in_two_statements(
    django_assert_num_queries,
):
    # Given a request offered to three helpers, a booked one and one whose booking was cancelled
    customer, requests, booking = _world()
    client = client_for(customer)

    # When the customer reads each, then each answer is the request and its windows: two
    # statements, whatever its offers and bookings
    answers = {}
    for name, help_request in requests.items():
        with django_assert_num_queries(2):
            response = client.get(f"{API}/help-requests/{help_request.public_id}")
        assert response.status_code == 200, response.content
        answers[name] = response.json()

    # And it shows how many offers wait for an answer and the booking that stands
    shown = {name: (a["status"], a["pending_offers"], a["booking"]) for name, a in answers.items()}
    assert shown == {
        "offered": ("open", 3, None),
        "booked": ("assigned", 0, str(booking.public_id)),
        "cancelled": ("closed", 0, None),
    }


def test_the_list_of_requests_shows_the_same_in_three_statements(django_assert_num_queries):
    # Given the same three requests
    customer, requests, booking = _world()
    client = client_for(customer)

    # When the customer lists them, then the page is counted, read and given its windows
    with django_assert_num_queries(3):
        response = client.get(f"{API}/help-requests")
    assert response.status_code == 200, response.content

    # And each row shows what the request's own read shows
    by_id = {row["id"]: (row["pending_offers"], row["booking"]) for row in results(response)}
    assert by_id == {
        str(requests["offered"].public_id): (3, None),
        str(requests["booked"].public_id): (0, str(booking.public_id)),
        str(requests["cancelled"].public_id): (0, None),
    }
