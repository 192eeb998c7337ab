"""The pages that answer the htmx refresh with a part of themselves at the same address say
that their answer depends on `HX-Request`: a browser's cache (or the back button) must never
show the part where the whole page was asked for, nor the other way round."""

from __future__ import annotations

import pytest
from django.utils.cache import has_vary_header

from bookings.models import BookingStatus
from tests.factories import make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _both(client, url: str) -> list[tuple[int, bool]]:
    whole = client.get(url)
    part = client.get(url, HTTP_HX_REQUEST="true")
    assert len(part.content) < len(whole.content)  # the part, not the page
    return [
        (response.status_code, has_vary_header(response, "HX-Request"))
        for response in (whole, part)
    ]


def test_the_customers_request_page_varies_on_the_htmx_header(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    _logged_in(client, booking.help_request.customer)

    assert _both(client, f"/requests/{booking.help_request.public_id}/") == [(200, True)] * 2


def test_the_helpers_start_page_and_visit_page_vary_on_the_htmx_header(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    _logged_in(client, booking.helper.user)

    assert _both(client, "/helper/") == [(200, True)] * 2
    assert _both(client, f"/helper/visits/{booking.public_id}/") == [(200, True)] * 2
