"""Calendars in iCalendar (RFC 5545), with the `icalendar` library: a calendar of Quartier in
Europe/Zurich time, and a helper's training events in it, one VEVENT per event they are
registered or waiting for, a cancelled one marked CANCELLED so calendars drop it.

The helper's feed holds their visits as well: it is assembled in `bookings.visit_calendar`,
which adds the visits to a calendar made here (academy knows nothing of bookings)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from academy.models import RegistrationStatus
from academy.selectors import feed_events
from helpers.models import HelperProfile

SWISS_TIME = ZoneInfo("Europe/Zurich")


def new_calendar(product: str) -> Calendar:
    """An empty calendar of Quartier, named and set in Swiss time. `product` says which of
    Quartier's calendars it is, in its PRODID ("-//Quartier//<product>//EN", RFC 5545)."""
    calendar = Calendar()
    calendar.add("prodid", f"-//Quartier//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Quartier")
    calendar.add("x-wr-timezone", "Europe/Zurich")
    return calendar


def add_training_events(calendar: Calendar, helper: HelperProfile) -> None:
    """The helper's training events, in the active language (their titles are translated)."""
    for event, status in feed_events(helper):
        entry = Event()
        entry.add("uid", f"{event.public_id}@quartier")
        entry.add("summary", str(event.title))
        entry.add("dtstart", event.starts_at.astimezone(SWISS_TIME))
        entry.add("dtend", event.ends_at.astimezone(SWISS_TIME))
        entry.add("dtstamp", event.starts_at.astimezone(SWISS_TIME))
        if event.description:
            entry.add("description", str(event.description))
        if event.place:
            entry.add("location", event.place)
        if event.online_url:
            entry.add("url", event.online_url)
        cancelled = event.cancelled_at is not None or status == RegistrationStatus.CANCELLED
        if cancelled:
            entry.add("status", "CANCELLED")
        elif status == RegistrationStatus.WAITING:
            entry.add("status", "TENTATIVE")
        else:
            entry.add("status", "CONFIRMED")
        calendar.add_component(entry)


def calendar_bytes(calendar: Calendar) -> bytes:
    """The calendar as a file: its time zones added, CRLF lines folded at 75 octets."""
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
