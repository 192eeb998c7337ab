"""Visits in calendars, as iCalendar (RFC 5545) events: the helper's secret feed holds their
visits beside their training events (in a calendar made by `academy.calendar`), and the
customer adds their confirmed visit from one file. One event builder serves both, with the
reader's words in the reader's language; times are in Europe/Zurich.

An event names the customer's address, as the confirmed visit's e-mail does: the feed's
address is a secret, which the helper can renew. Once the helper no longer needs it (the visit
signed off, cancelled or missed), the helper's event keeps the postal code and locality only,
and no longer names the relative met, as the visit's page and the API do (`contact_visible_to`);
it never carries a phone number, and the phone numbers and e-mail addresses the customer wrote
in the request's description are then masked (`request_description_for`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Event

from academy.calendar import SWISS_TIME, add_training_events, calendar_bytes, new_calendar
from backend.models import User
from bookings.customer_emails import helper_first_name, request_link
from bookings.helper_emails import customer_first_name, visit_address, visit_link
from bookings.models import BROKEN_STATUSES, Booking, BookingStatus
from bookings.selectors import (
    contact_visible_to,
    helper_calendar_visits,
    request_description_for,
)
from helpers.models import HelperProfile

# Which calendar each file is, in its PRODID: the helper's feed of visits and training events,
# and the customer's file of one visit.
HELPER_FEED_PRODUCT = "Helper visits and training"
VISIT_PRODUCT = "Visit"


def visit_event(
    booking: Booking, *, reader: User, summary: str, lines: Sequence[str], link: str
) -> Event:
    """The visit as one VEVENT for `reader`: its time, the address (the street only while
    `reader` may see it), `summary`, `lines` as its description and `link` as its address.

    A cancelled visit, or one nobody came to, is CANCELLED (RFC 5545), so that calendars which
    kept it drop it or strike it through. Some calendar apps show a subscribed event whatever
    its STATUS (Google Calendar's "From URL" among them): its title says it will not happen,
    and it is TRANSPARENT, so the time shows as free."""
    # Callers read visits with a time only (helper_calendar_visits, CALENDAR_STATUSES).
    assert booking.starts_at is not None  # noqa: S101
    assert booking.ends_at is not None  # noqa: S101
    broken = booking.status in BROKEN_STATUSES
    entry = Event()
    entry.add("uid", f"visit-{booking.public_id}@quartier")
    entry.add("summary", _broken_summary(booking, summary) if broken else summary)
    entry.add("dtstart", booking.starts_at.astimezone(SWISS_TIME))
    entry.add("dtend", booking.ends_at.astimezone(SWISS_TIME))
    # When the visit last changed, so that a calendar takes the newer copy (UTC, as RFC 5545 asks)
    entry.add("dtstamp", booking.updated_at.astimezone(UTC))
    with_street = contact_visible_to(booking, reader)
    entry.add("location", visit_address(booking.help_request, with_street=with_street))
    entry.add("description", "\n\n".join(lines))
    entry.add("url", link)
    entry.add("status", "CANCELLED" if broken else "CONFIRMED")
    entry.add("transp", "TRANSPARENT" if broken else "OPAQUE")
    return entry


def _broken_summary(booking: Booking, summary: str) -> str:
    """The title of a visit that will not happen, saying so first (in the active language)."""
    if booking.status == BookingStatus.NO_SHOW:
        return _("Did not take place: %(summary)s") % {"summary": summary}
    return _("Cancelled: %(summary)s") % {"summary": summary}


def _helper_event(booking: Booking, helper: HelperProfile) -> Event:
    """The visit as its helper reads it (in the active language)."""
    help_request = booking.help_request
    names = {
        "category": help_request.category.name,
        "customer": customer_first_name(booking),
        "person": help_request.on_behalf_name,
    }
    lines = [request_description_for(help_request, helper.user, booking)]
    # Whom they meet goes with the address: not once the visit is over (`contact_visible_to`).
    if help_request.on_behalf_name and contact_visible_to(booking, helper.user):
        lines.append(_("You meet %(person)s; %(customer)s booked the visit for them.") % names)
    link = visit_link(booking)
    lines.append(_("The visit's page: %(link)s") % {"link": link})
    return visit_event(
        booking,
        reader=helper.user,
        summary=_("Quartier visit: %(category)s with %(customer)s") % names,
        lines=lines,
        link=link,
    )


def helper_calendar(helper: HelperProfile) -> bytes:
    """The helper's feed, in their language: their training events and their visits."""
    with translation.override(helper.user.preferred_language):
        calendar = new_calendar(HELPER_FEED_PRODUCT)
        add_training_events(calendar, helper)
        for booking in helper_calendar_visits(helper):
            calendar.add_component(_helper_event(booking, helper))
        return calendar_bytes(calendar)


def customer_visit_calendar(booking: Booking, customer: User) -> bytes:
    """The customer's one visit as a calendar file, in their language."""
    help_request = booking.help_request
    with translation.override(customer.preferred_language):
        names = {
            "category": help_request.category.name,
            "helper": helper_first_name(booking),
            "person": help_request.on_behalf_name,
        }
        link = request_link(help_request)
        lines = [help_request.description]
        if help_request.on_behalf_name:
            lines.append(_("You made this request for %(person)s.") % names)
        lines.append(_("The request's page: %(link)s") % {"link": link})
        calendar = new_calendar(VISIT_PRODUCT)
        calendar.add_component(
            visit_event(
                booking,
                reader=customer,
                summary=_("Quartier: %(helper)s helps with %(category)s") % names,
                lines=lines,
                link=link,
            )
        )
        return calendar_bytes(calendar)
