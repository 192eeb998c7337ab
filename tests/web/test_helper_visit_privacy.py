"""What the helper's visit page shows of the customer: the street, the map links and the phone
numbers while the helper needs them (from winning the request until the customer signs the
visit off); once signed off, settled, cancelled or missed, the postcode and town, and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from bookings.models import Booking, BookingStatus, HelpRequest
from tests.factories import UserFactory, make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

STREET = "Bahnhofstrasse 1"
CUSTOMER_PHONE = "+41 79 555 66 77"
RELATIVE_PHONE = "+41 44 123 45 67"
SIGNED_OFF_WORDS = (
    "The visit is signed off, so the street and phone numbers are no longer shown: only the "
    "postcode and town."
)
BROKEN_WORDS = (
    "The visit will not take place, so the street and phone numbers are no longer shown: only "
    "the postcode and town."
)
# A no-show, or a cancelled visit whose time has passed: past, as the status says it.
MISSED_WORDS = (
    "The visit did not take place, so the street and phone numbers are no longer shown: only "
    "the postcode and town."
)


def _visit(status: str, *, relative: bool = False) -> Booking:
    customer = UserFactory.create(phone=CUSTOMER_PHONE, display_name="Anna Keller")
    booking = make_booking(status, customer=customer, helper=make_helper())
    if relative:
        HelpRequest.objects.filter(pk=booking.help_request_id).update(
            on_behalf_name="Rosa", on_behalf_phone=RELATIVE_PHONE
        )
    return booking


def _page(client, booking: Booking, language: str = "en") -> str:
    _logged_in(client, booking.helper.user, language)
    response = client.get(f"/helper/visits/{booking.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "status",
    [
        BookingStatus.CONFIRMED,
        BookingStatus.ON_THE_WAY,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
        BookingStatus.DISPUTED,
    ],
)
def test_until_the_sign_off_the_helper_sees_the_street_the_map_and_the_phone(client, status):
    html = _page(client, _visit(status))

    assert f"<p>{STREET}, 8001 Zürich</p>" in html
    assert f'<a href="tel:{CUSTOMER_PHONE}">{CUSTOMER_PHONE}</a>' in html
    assert 'href="geo:' in html
    assert "openstreetmap.org" in html
    assert 'id="contact-gone"' not in html


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (BookingStatus.SIGNED_OFF, SIGNED_OFF_WORDS),
        (BookingStatus.SETTLED, SIGNED_OFF_WORDS),
        (BookingStatus.CANCELLED, BROKEN_WORDS),
        (BookingStatus.NO_SHOW, MISSED_WORDS),
    ],
)
def test_once_the_visit_is_over_the_helper_keeps_postcode_and_town_and_reads_why(
    client, status, words
):
    booking = _visit(status, relative=True)

    html = _page(client, booking)

    assert STREET not in html
    assert CUSTOMER_PHONE not in html
    assert RELATIVE_PHONE not in html
    assert "tel:" not in html
    assert 'href="geo:' not in html
    assert "openstreetmap.org" not in html
    assert "<p>8001 Zürich</p>" in html
    assert f'<p class="help" id="contact-gone">{words}</p>' in html
    # What the job was stays
    assert "The Wi-Fi drops every evening." in html
    # and the customer still reads their own request's address.
    _logged_in(client, booking.help_request.customer)
    own = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    assert STREET in own


def test_the_reason_is_said_in_the_helpers_language(client):
    html = _page(client, _visit(BookingStatus.SIGNED_OFF), "de")

    assert (
        "Der Besuch ist abgenommen, daher werden Strasse und Telefonnummern nicht mehr "
        "angezeigt: nur noch Postleitzahl und Ort."
    ) in html
    assert STREET not in html


@pytest.mark.parametrize(
    ("language", "status_words", "reason"),
    [
        (
            "de",
            "Sie waren nicht da.",
            "Der Besuch fand nicht statt, daher werden Strasse und Telefonnummern nicht mehr "
            "angezeigt: nur noch Postleitzahl und Ort.",
        ),
        (
            "fr",
            "Vous n’étiez pas là.",
            "La visite n’a pas eu lieu : la rue et les numéros de téléphone ne sont donc plus "
            "affichés, seulement le NPA et la localité.",
        ),
        (
            "it",
            "Non era presente.",
            "La visita non ha avuto luogo, quindi la via e i numeri di telefono non sono più "
            "mostrati: solo NPA e località.",
        ),
        ("en", "You were not there.", MISSED_WORDS),
    ],
)
def test_a_no_show_says_in_the_past_that_the_visit_did_not_take_place(
    client, language, status_words, reason
):
    # The customer reported that the helper did not come: the status line says so to the helper
    booking = _visit(BookingStatus.NO_SHOW)
    assert booking.starts_at is not None

    with time_machine.travel(booking.starts_at + timedelta(hours=2), tick=False):
        html = _page(client, booking, language)

    assert f'<p class="status-words" id="visit-status-words">{status_words}</p>' in html
    assert f'<p class="help" id="contact-gone">{reason}</p>' in html


def test_a_cancelled_visit_says_it_did_not_take_place_once_its_time_has_passed(client):
    booking = _visit(BookingStatus.CANCELLED)
    assert booking.starts_at is not None

    with time_machine.travel(booking.starts_at + timedelta(days=1), tick=False):
        html = _page(client, booking, "de")

    assert (
        '<p class="help" id="contact-gone">Der Besuch fand nicht statt, daher werden Strasse '
        "und Telefonnummern nicht mehr angezeigt: nur noch Postleitzahl und Ort.</p>"
    ) in html
