"""Visits in calendars: the helper's secret feed holds their visits beside their training
events, in their language; the customer adds their confirmed visit from its request's page.
Both files are read back with `icalendar` and checked to be RFC 5545 (CRLF lines folded at 75
octets, DTSTAMP in UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from academy.models import EventKind
from academy.services import calendar_feed_for, event_register, training_event_create
from backend.models import User
from bookings.customer_emails import request_link
from bookings.helper_emails import visit_link
from bookings.models import Booking, BookingStatus, HelpRequest
from bookings.services import booking_cancel, booking_report_no_show
from helpers.services import helper_offboard
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper

pytestmark = pytest.mark.django_db

SWISS = ZoneInfo("Europe/Zurich")


def _start(days: int, hour: int = 10) -> datetime:
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _read(content: bytes) -> Calendar:
    """The file as a calendar app reads it, after checking it keeps to RFC 5545's lines."""
    assert content.endswith(b"\r\n")
    lines = content.split(b"\r\n")
    assert b"\n" not in content.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    calendar = Calendar.from_ical(content)
    for event in calendar.walk("VEVENT"):
        assert event.decoded("dtstamp").utcoffset() == timedelta(0)
        assert str(event["dtstart"].params["TZID"]) == "Europe/Zurich"
    return calendar


def _visit_in_the_past(helper, days: int) -> Booking:
    """A visit done and settled `days` ago."""
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        return make_booking(BookingStatus.SETTLED, helper=helper)


def _feed(client, helper) -> bytes:
    feed = calendar_feed_for(helper=helper, actor=helper.user)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=900"
    return response.content


def test_the_helpers_feed_holds_their_visits_beside_their_training_events(client):
    helper = make_helper(display_name="Nathalie Weber", preferred_language="en")
    anna = UserFactory.create(display_name="Anna Keller")
    confirmed = make_booking(BookingStatus.CONFIRMED, customer=anna, helper=helper, start=_start(3))
    HelpRequest.objects.filter(pk=confirmed.help_request_id).update(on_behalf_name="Rosa")
    cancelled = make_booking(BookingStatus.CANCELLED, helper=helper, start=_start(4))
    done = _visit_in_the_past(helper, 80)
    too_old = _visit_in_the_past(helper, 100)
    someone_elses = make_booking(BookingStatus.CONFIRMED, start=_start(3, hour=14))
    manager = ManagerFactory.create()
    event = training_event_create(
        actor=manager,
        kind=EventKind.TRAINING,
        titles={lang: f"Router evening ({lang})" for lang in ("de", "fr", "it", "en")},
        descriptions={},
        starts_at=_start(5, hour=18),
        ends_at=_start(5, hour=20),
        capacity=5,
        place="GZ Wipkingen, Zürich",
    )
    event_register(helper=helper, actor=helper.user, event=event)

    calendar = _read(_feed(client, helper))

    # The feed says what it is: the helper's visits and training events
    assert str(calendar["prodid"]) == "-//Quartier//Helper visits and training//EN"
    events = {str(entry["uid"]): entry for entry in calendar.walk("VEVENT")}
    assert sorted(events) == sorted(
        [
            f"{event.public_id}@quartier",
            f"visit-{confirmed.public_id}@quartier",
            f"visit-{cancelled.public_id}@quartier",
            f"visit-{done.public_id}@quartier",
        ]
    )
    assert f"visit-{too_old.public_id}@quartier" not in events
    assert f"visit-{someone_elses.public_id}@quartier" not in events
    visit = events[f"visit-{confirmed.public_id}@quartier"]
    assert str(visit["summary"]) == "Quartier visit: Internet & Wi-Fi with Anna"
    assert visit.decoded("dtstart") == confirmed.starts_at
    assert visit.decoded("dtstart").tzinfo == SWISS
    assert visit.decoded("dtend") == confirmed.ends_at
    assert str(visit["location"]) == "Bahnhofstrasse 1, 8001 Zürich"
    assert str(visit["description"]) == (
        "The Wi-Fi drops every evening.\n\n"
        "You meet Rosa; Anna booked the visit for them.\n\n"
        f"The visit's page: {visit_link(confirmed)}"
    )
    assert str(visit["url"]) == visit_link(confirmed)
    assert visit["status"] == "CONFIRMED"
    assert events[f"visit-{cancelled.public_id}@quartier"]["status"] == "CANCELLED"
    assert events[f"visit-{done.public_id}@quartier"]["status"] == "CONFIRMED"
    # A visit signed off keeps its postcode and town, as its page does
    assert str(events[f"visit-{done.public_id}@quartier"]["location"]) == "8001 Zürich"
    assert str(events[f"{event.public_id}@quartier"]["summary"]) == "Router evening (en)"


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.NO_SHOW])
def test_a_visit_that_will_not_happen_keeps_postcode_and_town_but_not_the_street(client, status):
    helper = make_helper(preferred_language="en")
    broken = make_booking(status, helper=helper, start=_start(4))
    confirmed = make_booking(BookingStatus.CONFIRMED, helper=helper, start=_start(5))
    api = APIClient()
    api.force_authenticate(helper.user)

    content = _feed(client, helper)

    events = {str(entry["uid"]): entry for entry in _read(content).walk("VEVENT")}
    gone = events[f"visit-{broken.public_id}@quartier"]
    assert gone["status"] == "CANCELLED"
    assert str(gone["location"]) == "8001 Zürich"
    assert str(events[f"visit-{confirmed.public_id}@quartier"]["location"]) == (
        "Bahnhofstrasse 1, 8001 Zürich"
    )
    assert content.count(b"Bahnhofstrasse 1") == 1
    # The same rule as the API's answer about the same visit.
    answer = api.get(f"/api/v1/bookings/{broken.public_id}").json()
    assert answer["request"]["street"] is None
    assert answer["request"]["postal_code"] == "8001"


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (BookingStatus.SIGNED_OFF, "Quartier visit: Internet & Wi-Fi with Anna"),
        (BookingStatus.SETTLED, "Quartier visit: Internet & Wi-Fi with Anna"),
    ],
)
def test_a_visit_signed_off_keeps_postcode_and_town_in_the_feed(client, status, said):
    helper = make_helper(preferred_language="en")
    customer = UserFactory.create(display_name="Anna Keller", phone="+41 79 555 66 77")
    booking = make_booking(status, customer=customer, helper=helper)

    content = _feed(client, helper)

    (visit,) = _read(content).walk("VEVENT")
    assert str(visit["uid"]) == f"visit-{booking.public_id}@quartier"
    assert str(visit["summary"]) == said
    assert str(visit["location"]) == "8001 Zürich"
    assert b"Bahnhofstrasse" not in content
    assert b"555 66 77" not in content


@pytest.mark.parametrize(
    ("end", "title"),
    [
        ("cancelled", "Cancelled: Quartier visit: Internet & Wi-Fi with Anna"),
        ("no-show", "Did not take place: Quartier visit: Internet & Wi-Fi with Anna"),
    ],
)
def test_a_visit_that_will_not_happen_is_not_shown_as_standing(client, end, title):
    # Given a confirmed visit the helper's calendar app already holds
    helper = make_helper(preferred_language="en")
    customer = UserFactory.create(display_name="Anna Keller", phone="+41 79 555 66 77")
    start = _start(2)
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=helper, start=start)
    (standing,) = _read(_feed(client, helper)).walk("VEVENT")
    assert str(standing["summary"]) == "Quartier visit: Internet & Wi-Fi with Anna"
    assert (standing["status"], standing["transp"]) == ("CONFIRMED", "OPAQUE")
    assert str(standing["location"]) == "Bahnhofstrasse 1, 8001 Zürich"

    # When the customer cancels it, or does not open the door
    if end == "cancelled":
        with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
            booking_cancel(booking=booking, actor=customer, reason="My grandson came by.")
    else:
        with time_machine.travel(start + timedelta(minutes=45), tick=False):
            booking_report_no_show(booking=booking, actor=helper.user, note="Nobody opened.")

    # Then the same event (its UID) says it will not happen, in every way a calendar may read,
    # and names neither the street nor the phone
    content = _feed(client, helper)
    (gone,) = _read(content).walk("VEVENT")
    assert str(gone["uid"]) == str(standing["uid"])
    assert gone["status"] == "CANCELLED"
    assert gone["transp"] == "TRANSPARENT"
    assert str(gone["summary"]) == title
    assert str(gone["location"]) == "8001 Zürich"
    assert gone.decoded("dtstamp") > standing.decoded("dtstamp")
    assert b"CONFIRMED" not in content
    assert b"Bahnhofstrasse" not in content
    assert b"555 66 77" not in content


def test_a_cancelled_visit_says_so_in_the_helpers_language(client):
    helper = make_helper(preferred_language="de")
    customer = UserFactory.create(display_name="Anna Keller")
    make_booking(BookingStatus.CANCELLED, customer=customer, helper=helper)

    (visit,) = _read(_feed(client, helper)).walk("VEVENT")

    assert str(visit["summary"]) == "Abgesagt: Quartier-Besuch: Internet & WLAN bei Anna"


def test_the_feed_speaks_the_helpers_language(client):
    helper = make_helper(preferred_language="it")
    make_booking(
        BookingStatus.CONFIRMED,
        customer=UserFactory.create(display_name="Anna Keller"),
        helper=helper,
    )

    (visit,) = _read(_feed(client, helper)).walk("VEVENT")

    assert str(visit["summary"]) == "Visita Quartier: Internet & Wi-Fi da Anna"
    assert str(visit["description"]).endswith(
        f"La pagina della visita: {visit_link(Booking.objects.get())}"
    )


def test_the_feed_reads_its_visits_in_a_bounded_number_of_queries(client):
    helper = make_helper(preferred_language="en")
    make_booking(BookingStatus.CONFIRMED, helper=helper, start=_start(3))
    token = calendar_feed_for(helper=helper, actor=helper.user).token

    with CaptureQueriesContext(connection) as one_visit:
        assert client.get(f"/calendar/{token}.ics").status_code == 200
    make_booking(BookingStatus.CONFIRMED, helper=helper, start=_start(4))
    make_booking(BookingStatus.IN_PROGRESS, helper=helper)
    with CaptureQueriesContext(connection) as three_visits:
        content = client.get(f"/calendar/{token}.ics").content

    assert len(_read(content).walk("VEVENT")) == 3
    assert len(three_visits) == len(one_visit) <= 4


def _logged_in(client, user: User, language: str = "en"):
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    client.force_login(user)
    return client


def test_the_customer_adds_the_confirmed_visit_to_their_calendar(client):
    helper = make_helper(display_name="Nathalie Weber")
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper, start=_start(3))
    help_request = booking.help_request
    _logged_in(client, help_request.customer)

    page = client.get(f"/requests/{help_request.public_id}/").content.decode()
    response = client.get(f"/requests/{help_request.public_id}/visit.ics")

    link = f"/requests/{help_request.public_id}/visit.ics"
    assert f'<a class="button" href="{link}" download>Add to my calendar</a>' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="quartier-visit.ics"'
    calendar = _read(response.content)
    # One visit's file, not the training academy's calendar
    assert str(calendar["prodid"]) == "-//Quartier//Visit//EN"
    (visit,) = calendar.walk("VEVENT")
    assert str(visit["uid"]) == f"visit-{booking.public_id}@quartier"
    assert str(visit["summary"]) == "Quartier: Nathalie helps with Internet & Wi-Fi"
    assert visit.decoded("dtstart") == booking.starts_at
    assert visit.decoded("dtend") == booking.ends_at
    assert str(visit["location"]) == "Bahnhofstrasse 1, 8001 Zürich"
    assert str(visit["description"]) == (
        f"The Wi-Fi drops every evening.\n\nThe request's page: {request_link(help_request)}"
    )
    assert str(visit["url"]) == request_link(help_request)
    assert visit["status"] == "CONFIRMED"


def test_the_customers_file_is_in_their_language(client):
    booking = make_booking(
        BookingStatus.ON_THE_WAY, helper=make_helper(display_name="Nathalie Weber")
    )
    _logged_in(client, booking.help_request.customer, "fr")

    response = client.get(f"/requests/{booking.help_request.public_id}/visit.ics")

    (visit,) = _read(response.content).walk("VEVENT")
    assert str(visit["summary"]) == "Quartier : Nathalie vous aide pour Internet & Wi-Fi"


@pytest.mark.parametrize("leaves", ["offboarded", "account closed"])
def test_the_feed_stops_once_the_helper_left_or_their_account_is_closed(client, leaves):
    # Given a helper whose calendar app reads their feed, with a visit's address in it
    booking = make_booking(BookingStatus.CONFIRMED)
    helper = booking.helper
    token = calendar_feed_for(helper=helper, actor=helper.user).token
    assert booking.help_request.street.encode() in client.get(f"/calendar/{token}.ics").content

    # When the helper leaves Quartier for good, or their account is closed
    if leaves == "offboarded":
        helper_offboard(helper=helper, actor=ManagerFactory.create(), note="Leaves for good.")
    else:
        User.objects.filter(pk=helper.user_id).update(is_active=False)

    # Then the feed's address opens nothing: no visit, no customer's address
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert response.content == b""


def test_nobody_else_gets_the_customers_file(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    address = f"/requests/{booking.help_request.public_id}/visit.ics"

    assert client.get(address).status_code == 302  # to the log-in
    for someone in (UserFactory.create(), booking.helper.user, ManagerFactory.create()):
        _logged_in(client, someone)
        assert client.get(address).status_code == 404


@pytest.mark.parametrize("status", [BookingStatus.PROPOSED, BookingStatus.CANCELLED])
def test_no_calendar_file_before_the_visit_is_confirmed_or_once_it_is_cancelled(client, status):
    booking = make_booking(status)
    help_request = booking.help_request
    _logged_in(client, help_request.customer)

    page = client.get(f"/requests/{help_request.public_id}/").content.decode()

    assert "visit.ics" not in page
    assert "Add to my calendar" not in page
    assert client.get(f"/requests/{help_request.public_id}/visit.ics").status_code == 404
