"""What happened to a visit, line by line on the customer's and the helper's pages: each moment
(Swiss time, in a <time> element) then what happened, joined as the page's language writes it:
French puts a space before the colon."""

from __future__ import annotations

import re

import pytest
from django.utils import formats, timezone, translation

from bookings.models import BookingEvent, BookingStatus
from tests.factories import make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _lines(html: str) -> list[str]:
    timeline = html[html.index('<ol class="timeline">') :].split("</ol>")[0]
    return [line.strip() for line in re.findall(r"<li>(.*?)</li>", timeline, re.S)]


def _accepted_at(booking) -> tuple[str, str]:
    """The moment the offer was accepted: as `datetime` and as the page writes it in French."""
    event = BookingEvent.objects.get(booking=booking, to_status=BookingStatus.AWAITING_PROPOSAL)
    local = timezone.localtime(event.created_at)
    with translation.override("fr"):
        words = (
            f"{formats.date_format(local, 'DATE_FORMAT')}, "
            f"{formats.time_format(local, 'TIME_FORMAT')}"
        )
    return local.isoformat(), words


def test_the_customers_timeline_in_french_puts_a_space_before_the_colon(client):
    booking = make_booking(BookingStatus.PROPOSED, helper=make_helper(display_name="Lena Brunner"))
    _logged_in(client, booking.help_request.customer, "fr")

    lines = _lines(client.get(f"/requests/{booking.help_request.public_id}/").content.decode())

    stamp, words = _accepted_at(booking)
    assert lines[0] == (f'<time datetime="{stamp}">{words}</time> : Lena a accepté votre demande')


@pytest.mark.parametrize(
    ("language", "said"), [("it", "Ha accettato l’offerta"), ("en", "You accepted the offer")]
)
def test_the_helpers_timeline_joins_with_a_colon_elsewhere(client, language, said):
    booking = make_booking(BookingStatus.PROPOSED)
    _logged_in(client, booking.helper.user, language)

    lines = _lines(client.get(f"/helper/visits/{booking.public_id}/").content.decode())

    assert re.fullmatch(rf'<time datetime="[^"]+">[^<]+</time>: {said}', lines[0])
