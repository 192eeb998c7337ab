"""A helper's training events as an iCalendar (RFC 5545) feed, with the `icalendar` library:
Europe/Zurich times, one VEVENT per event they are registered or waiting for, a cancelled one
marked CANCELLED so calendars drop it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from academy.models import RegistrationStatus
from academy.selectors import feed_events
from helpers.models import HelperProfile

SWISS_TIME = ZoneInfo("Europe/Zurich")


def calendar_of(helper: HelperProfile) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Quartier//Training academy//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Quartier")
    calendar.add("x-wr-timezone", "Europe/Zurich")
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
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
