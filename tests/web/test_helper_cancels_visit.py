"""A helper who cannot come cancels the visit on its page in the helper app, as the API lets
them: told first whether it is late now, the cancellation is theirs (late or not), and the
request goes back to other helpers. A cancellation without a reason, or of another helper's
visit, changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus, HelpRequestStatus
from tests.factories import make_booking, make_helper
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

NOT_LATE_DE = (
    "Weniger als 24 Stunden vor dem Besuch gilt eine Absage als kurzfristig und zählt gegen "
    "Ihre Zuverlässigkeit."
)
LATE_DE = (
    "Der Besuch beginnt in weniger als 24 Stunden: Eine Absage gilt jetzt als kurzfristig und "
    "zählt gegen Ihre Zuverlässigkeit."
)


def _in_two_days() -> Booking:
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    return make_booking(BookingStatus.CONFIRMED, helper=make_helper(), start=start)


def _cancel_section(html: str) -> str:
    match = re.search(r'<details class="card" id="cancel"[^>]*>(.*?)</details>', html, re.S)
    assert match is not None, "the visit's page offers no cancellation"
    return match.group(1)


def test_a_confirmed_visit_days_away_is_cancelled_in_time_by_its_helper(client):
    booking = _in_two_days()
    _logged_in(client, booking.helper.user, "de")
    page = f"/helper/visits/{booking.public_id}/"

    section = _cancel_section(client.get(page).content.decode())
    assert "Ich kann nicht kommen: Besuch absagen" in section
    assert NOT_LATE_DE in section
    assert LATE_DE not in section
    assert f'action="/helper/visits/{booking.public_id}/cancel"' in section

    response = client.post(f"{page}cancel", {"cancel-reason": "Ich bin krank."})
    assert (response.status_code, response["Location"]) == (302, page)
    booking.refresh_from_db()
    assert (booking.status, booking.caused_by, booking.is_late_cancellation, booking.cause) == (
        BookingStatus.CANCELLED,
        "helper",
        False,
        "Ich bin krank.",
    )
    html = client.get(page).content.decode()
    assert "Der Besuch ist abgesagt." in html
    assert 'id="cancel"' not in html


def test_a_visit_starting_soon_says_the_cancellation_is_late_and_records_it_so(client):
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper())
    _logged_in(client, booking.helper.user, "de")
    page = f"/helper/visits/{booking.public_id}/"

    section = _cancel_section(client.get(page).content.decode())
    assert LATE_DE in section
    assert NOT_LATE_DE not in section

    response = client.post(f"{page}cancel", {"cancel-reason": "Das Auto springt nicht an."})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.caused_by, booking.is_late_cancellation) == (
        BookingStatus.CANCELLED,
        "helper",
        True,
    )
    # Another helper is looked for while a time window is left.
    assert booking.help_request.status != HelpRequestStatus.CLOSED


def test_a_cancellation_without_a_reason_says_so_and_changes_nothing(client):
    booking = _in_two_days()
    events = booking.events.count()
    _logged_in(client, booking.helper.user, "de")

    page = f"/helper/visits/{booking.public_id}/"
    response = client.post(f"{page}cancel", {"cancel-reason": ""})
    # Back on the visit's page at its own address: a reload resends nothing
    html = shown_once(client, response, page)
    assert _errors_of(html, "id_cancel-reason") == ["Dieses Feld ist zwingend erforderlich."]
    # The form stays open on the problem.
    assert '<details class="card" id="cancel" open>' in html
    booking.refresh_from_db()
    assert (booking.status, booking.caused_by, booking.events.count()) == (
        BookingStatus.CONFIRMED,
        "",
        events,
    )


def test_another_helpers_visit_cannot_be_cancelled(client):
    booking = _in_two_days()
    events = booking.events.count()
    _logged_in(client, make_helper().user, "de")

    response = client.post(
        f"/helper/visits/{booking.public_id}/cancel", {"cancel-reason": "Keine Zeit."}
    )
    assert response.status_code == 404
    booking.refresh_from_db()
    assert (booking.status, booking.events.count()) == (BookingStatus.CONFIRMED, events)
