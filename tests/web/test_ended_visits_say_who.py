"""A visit that ended without taking place says who ended it, on every page that says so: the
helper's visit page in its status line ("Die Kundin oder der Kunde hat den Besuch abgesagt.", not a bare
"Der Besuch wurde abgesagt."), the customer's status line, and the no-show step of each
timeline ("Lena did not come", "You were not there", not "The visit did not take place"). The
cancelling step's role says who cancelled; the cause the no-show recorded says who was missing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from bookings import services
from bookings.models import Booking, BookingStatus
from tests.factories import ManagerFactory, make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _confirmed() -> Booking:
    return make_booking(BookingStatus.CONFIRMED, helper=make_helper(display_name="Lena Brunner"))


def _customer_missed() -> Booking:
    booking = _confirmed()
    assert booking.starts_at is not None
    with time_machine.travel(booking.starts_at + timedelta(minutes=45), tick=False):
        return services.booking_report_no_show(booking=booking, actor=booking.helper.user)


def _helper_missed() -> Booking:
    booking = _confirmed()
    assert booking.starts_at is not None
    with time_machine.travel(booking.starts_at + timedelta(minutes=45), tick=False):
        return services.booking_report_no_show(booking=booking, actor=booking.help_request.customer)


def _customer_cancelled() -> Booking:
    booking = _confirmed()
    customer = booking.help_request.customer
    return services.booking_cancel(booking=booking, actor=customer, reason="Not needed")


def _helper_cancelled() -> Booking:
    booking = _confirmed()
    return services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Ill")


def _manager_cancelled() -> Booking:
    booking = _confirmed()
    return services.booking_cancel(
        booking=booking, actor=ManagerFactory.create(), reason="Storm", caused_by="nobody"
    )


def _customer_asked_manager() -> Booking:
    # Cancelled by the community manager for the customer (the customer's request ends there)
    booking = _confirmed()
    return services.booking_cancel(
        booking=booking,
        actor=ManagerFactory.create(),
        reason="Asked by phone",
        caused_by="customer",
    )


def _helper_page(client, booking: Booking, language: str) -> str:
    _logged_in(client, booking.helper.user, language)
    return client.get(f"/helper/visits/{booking.public_id}/").content.decode()


def _customer_page(client, booking: Booking, language: str) -> str:
    _logged_in(client, booking.help_request.customer, language)
    return client.get(f"/requests/{booking.help_request.public_id}/").content.decode()


def _status_line(html: str) -> list[str]:
    return re.findall(r'<p class="status-words" id="[a-z-]+">(.*?)</p>', html)


def _last_step(html: str) -> str:
    timeline = html[html.index('<ol class="timeline">') :].split("</ol>")[0]
    lines = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li>(.*?)</li>", timeline, re.S)]
    return re.split(r"\s?: ", lines[-1], maxsplit=1)[1]


@pytest.mark.parametrize(
    ("visit", "language", "said"),
    [
        (_customer_cancelled, "de", "Die Kundin oder der Kunde hat den Besuch abgesagt."),
        (_customer_cancelled, "fr", "La cliente ou le client a annulé la visite."),
        (_customer_cancelled, "it", "La cliente o il cliente ha annullato la visita."),
        (_customer_cancelled, "en", "The customer cancelled the visit."),
        (_helper_cancelled, "de", "Sie haben den Besuch abgesagt."),
        (_helper_cancelled, "it", "Ha annullato la visita."),
        (_manager_cancelled, "de", "Das Community-Management hat den Besuch abgesagt."),
        (_manager_cancelled, "fr", "La gestion de la communauté a annulé la visite."),
        (_manager_cancelled, "en", "The community manager cancelled the visit."),
        (_customer_missed, "de", "Die Kundin oder der Kunde war nicht da."),
        (_customer_missed, "it", "La cliente o il cliente non c’era."),
        (_helper_missed, "fr", "Vous n’étiez pas là."),
        (_helper_missed, "en", "You were not there."),
    ],
)
def test_the_helpers_visit_page_says_who_cancelled_or_was_not_there(client, visit, language, said):
    assert _status_line(_helper_page(client, visit(), language)) == [said]


@pytest.mark.parametrize(
    ("visit", "language", "said"),
    [
        (_customer_cancelled, "de", "Sie haben den Besuch abgesagt."),
        (_customer_cancelled, "en", "You cancelled the visit."),
        (_customer_asked_manager, "it", "La gestione della comunità ha annullato la visita."),
        (_customer_asked_manager, "en", "The community manager cancelled the visit."),
        (_customer_missed, "fr", "Vous n’étiez pas là."),
        (_customer_missed, "en", "You were not there."),
    ],
)
def test_the_customers_status_line_says_who_cancelled_or_was_not_there(
    client, visit, language, said
):
    assert _status_line(_customer_page(client, visit(), language)) == [said]


@pytest.mark.parametrize(
    ("visit", "language", "said"),
    [
        (_helper_missed, "de", "Lena ist nicht gekommen"),
        (_helper_missed, "fr", "Lena n’était pas là"),
        (_helper_missed, "it", "Lena non c’era"),
        (_helper_missed, "en", "Lena did not come"),
        (_customer_missed, "de", "Sie waren nicht da"),
        (_customer_missed, "en", "You were not there"),
    ],
)
def test_the_customers_timeline_says_who_was_not_there(client, visit, language, said):
    assert _last_step(_customer_page(client, visit(), language)) == said


@pytest.mark.parametrize(
    ("visit", "language", "said"),
    [
        (_customer_missed, "de", "Die Kundin oder der Kunde war nicht da"),
        (_customer_missed, "fr", "La cliente ou le client n’était pas là"),
        (_helper_missed, "it", "Non era presente"),
        (_helper_missed, "en", "You were not there"),
    ],
)
def test_the_helpers_timeline_says_who_was_not_there(client, visit, language, said):
    assert _last_step(_helper_page(client, visit(), language)) == said
