"""The names in the API's reviews: the customer is named by their first name to the visit's
helper, as the booking's `customer_name` names them; by the whole name to the customer and the
manager. The helper's name is as before. The schema says so."""

from __future__ import annotations

import pytest

from bookings.models import Booking, BookingStatus, Review
from bookings.services import review_submit
from tests.api.api_assertions import API, client_for, openapi_schema
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper

pytestmark = pytest.mark.django_db


def _signed_off() -> Booking:
    customer = UserFactory.create(display_name="Ruth Anna Keller")
    helper = make_helper()
    helper.user.display_name = "Marco Rossi"
    helper.user.save(update_fields=["display_name"])
    return make_booking(BookingStatus.SIGNED_OFF, customer=customer, helper=helper)


def _names(answer: dict) -> dict[str, tuple[str, str]]:
    return {row["author_role"]: (row["author"], row["subject"]) for row in answer["results"]}


def test_the_helper_reads_the_customers_first_name_in_the_reviews():
    booking = _signed_off()
    customer, helper = booking.help_request.customer, booking.helper.user
    review_submit(booking=booking, actor=customer, rating=5, text="Very kind.")
    url = f"{API}/bookings/{booking.public_id}/reviews"

    written = client_for(helper).post(url, {"rating": 4, "text": "Friendly."})
    as_helper = client_for(helper).get(url).json()
    as_customer = client_for(customer).get(url).json()
    as_manager = client_for(ManagerFactory.create()).get(url).json()

    assert written.status_code == 201
    assert (written.json()["author"], written.json()["subject"]) == ("Marco Rossi", "Ruth")
    assert _names(as_helper) == {
        "customer": ("Ruth", "Marco Rossi"),
        "helper": ("Marco Rossi", "Ruth"),
    }
    assert "Keller" not in str(as_helper)
    whole = {
        "customer": ("Ruth Anna Keller", "Marco Rossi"),
        "helper": ("Marco Rossi", "Ruth Anna Keller"),
    }
    assert _names(as_customer) == whole
    assert _names(as_manager) == whole
    # Named when read: the reviews themselves are as written
    assert Review.objects.filter(booking=booking).count() == 2


def test_the_customer_posting_a_review_reads_the_helpers_name_and_their_own():
    booking = _signed_off()
    customer = booking.help_request.customer

    answer = client_for(customer).post(
        f"{API}/bookings/{booking.public_id}/reviews", {"rating": 5, "text": "Very kind."}
    )

    assert answer.status_code == 201
    assert (answer.json()["author"], answer.json()["subject"]) == (
        "Ruth Anna Keller",
        "Marco Rossi",
    )


def test_the_schema_says_how_reviews_name_the_customer():
    fields = openapi_schema()["components"]["schemas"]["Review"]["properties"]
    rule = (
        " The customer is named by their first name to the visit's helper, as in the booking's "
        "`customer_name`; by the whole name to the customer and the manager."
    )

    assert fields["author"]["type"] == "string"
    assert fields["author"]["readOnly"] is True
    assert fields["author"]["description"] == "Who wrote the review." + rule
    assert fields["subject"]["type"] == "string"
    assert fields["subject"]["description"] == "Who the review is about." + rule
