"""The person the community manager warned reads the warning and its reason where they look
first: the helper on their offers page, the customer on their requests. Nobody else reads it,
and it leaves their pages after `WARNING_SHOWN_DAYS` (it stays on their record)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.utils import formats, timezone, translation

from bookings import services
from bookings.models import Booking, BookingStatus, SafetyReport
from bookings.selectors import WARNING_SHOWN_DAYS
from tests.bookings.services.state import T0
from tests.factories import ManagerFactory, make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

REPORT_TEXT = "He shouted at the neighbours."


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _decided(booking: Booking, *, reported: str, outcome: str = "warning") -> SafetyReport:
    customer, helper_user = booking.help_request.customer, booking.helper.user
    reporter = helper_user if reported == "customer" else customer
    report = services.safety_report_file(
        booking=booking, actor=reporter, category="harassment", text=REPORT_TEXT
    )
    return services.safety_report_triage(
        report=report, actor=ManagerFactory.create(), outcome=outcome, note="Keep your voice down."
    )


def _day(booking: Booking, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(booking.starts_at), "DATE_FORMAT")


@pytest.mark.parametrize(("reported", "page"), [("helper", "/helper/"), ("customer", "/requests/")])
def test_the_warned_person_reads_the_warning_and_its_reason_on_their_page(
    client, clock, reported, page
):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    _decided(booking, reported=reported)
    warned = booking.helper.user if reported == "helper" else booking.help_request.customer
    _logged_in(client, warned, "it")

    html = client.get(page).content.decode()

    assert '<h2 id="warnings-heading">Un ammonimento dalla gestione della comunità</h2>' in html
    assert (
        f"<p>Dopo la visita in data {_day(booking, 'it')}, la gestione della comunità ha "
        "esaminato quanto accaduto e le ha rivolto un ammonimento. Il motivo:</p>"
    ) in html
    assert "<blockquote>Keep your voice down.</blockquote>" in html
    assert REPORT_TEXT not in html


@pytest.mark.parametrize("outcome", ["no_action", "warning"])
def test_the_reporter_and_a_person_not_warned_read_no_warning(client, clock, outcome):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    _decided(booking, reported="helper", outcome=outcome)
    # The reporter (the customer) was not warned; after "no action" neither was the helper.
    _logged_in(client, booking.help_request.customer)
    assert 'id="warnings"' not in client.get("/requests/").content.decode()
    if outcome == "no_action":
        _logged_in(client, booking.helper.user)
        assert 'id="warnings"' not in client.get("/helper/").content.decode()


def test_a_warning_leaves_the_page_after_its_days_and_stays_on_the_record(client, clock):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    report = _decided(booking, reported="customer")
    customer = booking.help_request.customer

    # (logged in afresh each time: a session does not last that long)
    clock.move_to(report.triaged_at + timedelta(days=WARNING_SHOWN_DAYS, seconds=-1))
    _logged_in(client, customer)
    assert 'id="warnings"' in client.get("/requests/").content.decode()
    clock.move_to(report.triaged_at + timedelta(days=WARNING_SHOWN_DAYS, seconds=1))
    _logged_in(client, customer)
    assert 'id="warnings"' not in client.get("/requests/").content.decode()
    assert list(SafetyReport.objects.filter(reported=customer).values_list("outcome")) == [
        ("warning",)
    ]
