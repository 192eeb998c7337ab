"""The status of a confirmed visit in German names its day as German does: "Der Besuch am
8. Dezember 2026 um 18:30 ist bestätigt.", not the English order "bestätigt für 8. Dezember",
which lacks its article; on the customer's request page and the helper's visit page alike."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, timezone, translation

from bookings.models import BookingStatus
from tests.factories import make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def test_the_confirmed_visit_is_named_by_its_day_in_german_word_order(client):
    local = (timezone.localtime() + timedelta(days=3)).date()
    start = datetime(local.year, local.month, local.day, 18, 30, tzinfo=ZoneInfo("Europe/Zurich"))
    booking = make_booking(BookingStatus.CONFIRMED, start=start)
    with translation.override("de"):
        day = formats.date_format(start, "DATE_FORMAT")
    said = f"Der Besuch am {day} um 18:30 ist bestätigt."

    _logged_in(client, booking.help_request.customer, "de")
    customer_page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    _logged_in(client, booking.helper.user, "de")
    helper_page = client.get(f"/helper/visits/{booking.public_id}/").content.decode()

    for html in (customer_page, helper_page):
        assert '<p class="status-words"' in html
        assert said in html
        assert "bestätigt für" not in html
