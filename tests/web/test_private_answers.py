"""What is answered to a logged-in user is kept by no shared cache, and a page of theirs is not
stored by the browser either (the back button after logging out must not show it); the API's
answers are checked again each time, so that the phones' conditional GETs keep working. Public
pages keep their own caching."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bookings.models import BookingStatus
from tests.factories import ManagerFactory, device_token, make_booking, paid_on_paper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

PAGE = "private, no-store"


def test_the_customers_helpers_and_managers_pages_are_private_and_not_stored(client):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    paid_on_paper(booking)
    customer, helper = booking.help_request.customer, booking.helper.user
    receipt = f"/receipts/{booking.public_id}/"

    _logged_in(client, customer)
    customer_pages = {path: client.get(path) for path in ("/requests/", receipt, "/")}
    receipt_pdf = client.get(f"{receipt}pdf")
    _logged_in(client, helper)
    helper_page = client.get("/helper/")
    _logged_in(client, ManagerFactory.create())
    console = client.get("/manage/")

    assert {path: r.status_code for path, r in customer_pages.items()} == dict.fromkeys(
        ("/requests/", receipt, "/"), 200
    )
    assert {path: r["Cache-Control"] for path, r in customer_pages.items()} == dict.fromkeys(
        ("/requests/", receipt, "/"), PAGE
    )
    assert (receipt_pdf.status_code, receipt_pdf["Cache-Control"]) == (200, PAGE)
    assert (helper_page.status_code, helper_page["Cache-Control"]) == (200, PAGE)
    assert (console.status_code, console["Cache-Control"]) == (200, PAGE)


def test_a_redirect_to_a_logged_in_user_is_private_too(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    _logged_in(client, booking.help_request.customer)

    response = client.get("/helper/")

    assert response.status_code == 302
    assert response["Cache-Control"] == PAGE


def test_the_apis_answers_to_a_device_are_private_and_still_conditional():
    booking = make_booking(BookingStatus.CONFIRMED)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {device_token(booking.helper.user)}")

    first = api.get("/api/v1/bookings")
    again = api.get("/api/v1/bookings", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.status_code, first["Cache-Control"]) == (200, "private, no-cache")
    assert (again.status_code, again["Cache-Control"]) == (304, "private, no-cache")


def test_public_pages_and_public_api_answers_keep_their_caching(client):
    home = client.get("/")
    categories = APIClient().get("/api/v1/categories")
    worker = client.get("/sw.js")

    assert (home.status_code, home.has_header("Cache-Control")) == (200, False)
    assert (categories.status_code, categories.has_header("Cache-Control")) == (200, False)
    assert categories.has_header("ETag")
    assert (worker.status_code, worker["Cache-Control"]) == (200, "no-cache")


def test_after_logging_out_the_answers_are_public_again(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    _logged_in(client, booking.help_request.customer)
    client.logout()

    home = client.get("/")

    assert (home.status_code, home.has_header("Cache-Control")) == (200, False)
