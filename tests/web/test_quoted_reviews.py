"""A review's words stand in quotation marks as the page's language writes them: « » with spaces
in French, «» in German and Italian (as Switzerland writes them), “” in English."""

from __future__ import annotations

import pytest

from bookings import services
from bookings.models import BookingStatus
from tests.factories import make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "mine", "theirs"),
    [
        ("fr", "« Très patient. »", " : « Merci pour le café. »"),
        ("de", "«Très patient.»", ": «Merci pour le café.»"),
        ("it", "«Très patient.»", ": «Merci pour le café.»"),
        ("en", "“Très patient.”", ": “Merci pour le café.”"),
    ],
)
def test_the_reviews_on_the_request_page_are_quoted_as_the_language_writes(
    client, language, mine, theirs
):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer = booking.help_request.customer
    services.review_submit(booking=booking, actor=customer, rating=5, text="Très patient.")
    services.review_submit(
        booking=booking, actor=booking.helper.user, rating=4, text="Merci pour le café."
    )
    _logged_in(client, customer, language)

    html = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()

    assert mine in html
    assert theirs in html
