"""Screen-reader users move through a page by its headings: each page has one h1 and no level
is skipped below it (an h3 straight under the h1 reads as a part of a section that is not
there)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bookings.models import BookingStatus
from tests.factories import make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


def _skips(html: str) -> list[str]:
    parser = _Headings()
    parser.feed(html)
    levels = parser.levels
    skipped = [
        f"h{before} -> h{after}"
        for before, after in zip(levels, levels[1:], strict=False)
        if after > before + 1
    ]
    return [f"{levels.count(1)} h1", *skipped]


def test_a_helpers_past_visits_stand_under_the_pages_heading(client):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    _logged_in(client, booking.helper.user)

    response = client.get("/helper/visits/")

    assert response.status_code == 200
    assert response.content.decode().count('<li class="card">') == 1
    assert _skips(response.content.decode()) == ["1 h1"]


def test_the_helpers_start_page_keeps_its_visits_under_their_sections(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    _logged_in(client, booking.helper.user)

    response = client.get("/helper/")

    assert response.status_code == 200
    assert _skips(response.content.decode()) == ["1 h1"]


@pytest.mark.parametrize(
    "status",
    [BookingStatus.PROPOSED, BookingStatus.CONFIRMED, BookingStatus.SIGNED_OFF],
)
def test_the_customers_request_page_skips_no_heading_level(client, status):
    booking = make_booking(status)
    _logged_in(client, booking.help_request.customer)

    response = client.get(f"/requests/{booking.help_request.public_id}/")

    assert response.status_code == 200
    assert _skips(response.content.decode()) == ["1 h1"]
