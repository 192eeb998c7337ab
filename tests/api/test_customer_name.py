"""The customer's name in the API's booking: the first name only to the visit's helper, as the
visit's page shows it to them, the whole name to the customer and the manager; the schema
says so."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus
from tests.api.api_assertions import API, client_for, openapi_schema
from tests.factories import ManagerFactory, UserFactory, make_booking

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [BookingStatus.AWAITING_PROPOSAL, BookingStatus.SETTLED])
def test_the_helper_reads_the_customers_first_name_only(status):
    customer = UserFactory.create(display_name="Ruth Anna Keller")
    booking = make_booking(status, customer=customer)
    url = f"{API}/bookings/{booking.public_id}"

    as_helper = client_for(booking.helper.user).get(url).json()
    as_customer = client_for(customer).get(url).json()
    as_manager = client_for(ManagerFactory.create()).get(url).json()

    assert as_helper["request"]["customer_name"] == "Ruth"
    assert "Keller" not in str(as_helper)
    assert as_customer["request"]["customer_name"] == "Ruth Anna Keller"
    assert as_manager["request"]["customer_name"] == "Ruth Anna Keller"


def test_the_helpers_list_of_visits_names_the_customer_by_first_name():
    customer = UserFactory.create(display_name="Ruth Keller")
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer)

    answer = client_for(booking.helper.user).get(f"{API}/bookings").json()

    (listed,) = answer["results"] if isinstance(answer, dict) else answer
    assert listed["request"]["customer_name"] == "Ruth"


def test_the_schema_says_whose_name_the_helper_reads():
    field = openapi_schema()["components"]["schemas"]["BookingRequest"]["properties"][
        "customer_name"
    ]

    assert field["type"] == "string"
    assert field["readOnly"] is True
    assert field["description"] == (
        "The customer's first name to the visit's helper, as the visit's page shows it; the "
        "whole name to the customer and the manager."
    )
