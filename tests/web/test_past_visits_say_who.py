"""The helper's *Past visits* say who did not show up and who cancelled, in the words of the
visit's timeline and of the button that reports a no-show: "Die Kundin oder der Kunde war nicht da" when
the helper came and the customer was not there (not a bare "No-show" that reads as the helper's
own), and "abgesagt" as every other page says it, never "Storniert"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services
from bookings.models import Booking, BookingStatus
from tests.factories import ManagerFactory, make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _customer_missed() -> Booking:
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper())
    assert booking.starts_at is not None
    with time_machine.travel(booking.starts_at + timedelta(minutes=45), tick=False):
        return services.booking_report_no_show(booking=booking, actor=booking.helper.user)


def _helper_missed() -> Booking:
    # The customer reports that the helper did not come.
    return make_booking(BookingStatus.NO_SHOW, helper=make_helper())


def _customer_cancelled() -> Booking:
    return make_booking(BookingStatus.CANCELLED, helper=make_helper())


def _helper_cancelled() -> Booking:
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper())
    return services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Ill")


def _manager_cancelled() -> Booking:
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper())
    return services.booking_cancel(
        booking=booking, actor=ManagerFactory.create(), reason="Storm", caused_by="nobody"
    )


def _past_visits(client, booking: Booking, language: str) -> list[str]:
    _logged_in(client, booking.helper.user, language)
    html = client.get("/helper/visits/").content.decode()
    return re.findall(r'<p class="status">(.*?)</p>', html)


@pytest.mark.parametrize(
    ("visit", "language", "said"),
    [
        (_customer_missed, "de", "Die Kundin oder der Kunde war nicht da"),
        (_customer_missed, "fr", "La cliente ou le client n’était pas là"),
        (_customer_missed, "it", "La cliente o il cliente non c’era"),
        (_customer_missed, "en", "The customer was not there"),
        (_helper_missed, "de", "Sie waren nicht da"),
        (_helper_missed, "en", "You were not there"),
        (_customer_cancelled, "de", "Die Kundin oder der Kunde hat den Besuch abgesagt"),
        (_customer_cancelled, "fr", "La cliente ou le client a annulé la visite"),
        (_customer_cancelled, "it", "La cliente o il cliente ha annullato la visita"),
        (_customer_cancelled, "en", "The customer cancelled the visit"),
        (_helper_cancelled, "de", "Sie haben den Besuch abgesagt"),
        (_helper_cancelled, "en", "You cancelled the visit"),
        (_manager_cancelled, "de", "Das Community-Management hat den Besuch abgesagt"),
        (_manager_cancelled, "en", "The community manager cancelled the visit"),
    ],
)
def test_past_visits_say_who_did_not_show_up_or_cancelled(client, visit, language, said):
    booking = visit()

    assert _past_visits(client, booking, language) == [said]


def _queries_of_the_list(client) -> int:
    with CaptureQueriesContext(connection) as counted:
        assert client.get("/helper/visits/").status_code == 200
    return len(counted.captured_queries)


def test_the_list_asks_who_cancelled_in_the_same_statement_however_many(client):
    helper = make_helper()
    for _index in range(3):
        booking = make_booking(BookingStatus.CONFIRMED, helper=helper)
        services.booking_cancel(booking=booking, actor=helper.user, reason="Ill")
    _logged_in(client, helper.user, "de")
    three = _queries_of_the_list(client)
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper)
    services.booking_cancel(booking=booking, actor=helper.user, reason="Ill")

    assert _queries_of_the_list(client) == three
    html = client.get("/helper/visits/").content.decode()
    listed = re.findall(r'<p class="status">(.*?)</p>', html)
    assert listed == ["Sie haben den Besuch abgesagt"] * 4
