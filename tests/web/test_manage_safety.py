"""The manager's safety-report queue: managers only, open reports first, a decision with the
services' rules, and a bounded number of queries however long the queue."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings import services
from bookings.models import BookingStatus, SafetyReport
from helpers.models import ApprovalStatus
from tests.factories import ManagerFactory, UserFactory, make_booking
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


def _report(text: str = "He shouted at me.", *, by_helper: bool = False) -> SafetyReport:
    booking = make_booking(BookingStatus.IN_PROGRESS)
    actor = booking.helper.user if by_helper else booking.help_request.customer
    return services.safety_report_file(
        booking=booking, actor=actor, category="harassment", text=text
    )


def _decide_url(report: SafetyReport) -> str:
    return f"/manage/reports/{report.public_id}/decide"


def _post(report: SafetyReport, **fields: str) -> dict[str, str]:
    return {f"r{report.public_id.hex}-{name}": value for name, value in fields.items()}


@pytest.mark.parametrize("who", ["customer", "helper", "stranger"])
def test_nobody_but_a_manager_sees_or_decides_reports(client, who):
    report = _report()
    user = {
        "customer": report.booking.help_request.customer,
        "helper": report.booking.helper.user,  # the reported person
        "stranger": UserFactory.create(),
    }[who]
    _logged_in(client, user)

    assert client.get("/manage/reports/").status_code == 404
    refused = client.post(_decide_url(report), _post(report, outcome="warning", note="x"))
    assert refused.status_code == 404
    assert SafetyReport.objects.get().outcome == ""


def test_anonymous_is_sent_to_log_in(client):
    assert client.get("/manage/reports/").status_code == 302


def test_the_queue_lists_open_reports_first_newest_first_in_bounded_queries(client):
    _logged_in(client, ManagerFactory.create())
    decided = _report("Old and decided")
    services.safety_report_triage(
        report=decided, actor=ManagerFactory.create(), outcome="no_action", note="Nothing"
    )
    with time_machine.travel(timezone.now(), tick=False):
        _report("First open")
    with CaptureQueriesContext(connection) as one:
        html = client.get("/manage/reports/").content.decode()
    for index in range(3):
        _report(f"Open {index}")
    with CaptureQueriesContext(connection) as four:
        html = client.get("/manage/reports/").content.decode()

    assert len(four) == len(one) <= 8
    positions = [html.index(text) for text in ("Open 2", "Open 1", "Open 0", "First open")]
    assert positions == sorted(positions)
    assert html.index("First open") < html.index("Old and decided")


def test_a_decision_with_a_suspension_suspends_the_helper(client):
    report = _report()
    _logged_in(client, ManagerFactory.create())

    refused = client.post(_decide_url(report), _post(report, outcome="suspension", note=""))
    # Back on the queue at its own address: a reload resends nothing
    assert "This field is required." in shown_once(client, refused, "/manage/reports/")
    assert SafetyReport.objects.get().outcome == ""

    done = client.post(_decide_url(report), _post(report, outcome="suspension", note="Threats"))
    assert done.status_code == 302
    report.refresh_from_db()
    report.booking.helper.refresh_from_db()
    assert (report.outcome, report.triage_note) == ("suspension", "Threats")
    assert report.booking.helper.approval_status == ApprovalStatus.SUSPENDED


def test_a_customer_cannot_be_suspended_the_error_shows_next_to_the_field(client):
    report = _report(by_helper=True)
    _logged_in(client, ManagerFactory.create())

    refused = client.post(_decide_url(report), _post(report, outcome="suspension", note="Rude"))

    shown = shown_once(client, refused, "/manage/reports/")
    assert "\nRude</textarea>" in shown
    assert _errors_of(shown, f"id_r{report.public_id.hex}-outcome") == [
        "Select a valid choice. suspension is not one of the available choices."
    ]
    assert SafetyReport.objects.get().outcome == ""


def test_a_report_about_a_customer_offers_no_suspension_of_a_helper(client):
    about_customer = _report(by_helper=True)
    about_helper = _report()
    _logged_in(client, ManagerFactory.create())

    html = client.get("/manage/reports/").content.decode()

    def choices(report: SafetyReport) -> list[str]:
        form = html[html.index(_decide_url(report)) :].split("</form>")[0]
        return re.findall(r'name="r\w+-outcome" value="(\w+)"', form)

    assert choices(about_customer) == ["warning", "no_action"]
    assert choices(about_helper) == ["warning", "suspension", "no_action"]


def _message_after(client, report: SafetyReport, outcome: str) -> str:
    response = client.post(
        _decide_url(report), _post(report, outcome=outcome, note="Spoke to them."), follow=True
    )
    html = response.content.decode()
    return re.findall(r'<p class="message message-success">(.*?)</p>', html)[0]


@pytest.mark.parametrize(
    ("outcome", "said"),
    [
        (
            "suspension",
            "{name} is suspended until you lift it: no more offers, their coming visits are "
            "cancelled and those customers told. They read your reason. The person who reported "
            "is e-mailed that their report is decided.",
        ),
        (
            "warning",
            "{name} is warned: the warning stays on their record, and they are e-mailed your "
            "reason and read it on their pages. The person who reported is e-mailed that their "
            "report is decided.",
        ),
        (
            "no_action",
            "No action: nothing changes for {name}. The person who reported is e-mailed that "
            "their report is decided.",
        ),
    ],
)
def test_the_page_says_what_a_decision_changed_and_who_is_told(client, outcome, said):
    report = _report()
    _logged_in(client, ManagerFactory.create())

    shown = _message_after(client, report, outcome)

    assert shown == said.format(name=report.reported.display_name)


def test_the_note_warns_that_a_warned_or_suspended_person_reads_it(client):
    report = _report()
    _logged_in(client, ManagerFactory.create())

    html = client.get("/manage/reports/").content.decode()

    assert (
        f'<p class="help" id="id_r{report.public_id.hex}-note_helptext">A warned or suspended '
        "person reads this as the reason for the measure: do not name who reported them.</p>"
    ) in html


def _links_of(html: str, report: SafetyReport) -> dict[str, str]:
    """The links of the report's card, by their words."""
    card = html.split(f'id="report-{report.public_id}"', 1)[1].split("</section>", 1)[0]
    return {words: href for href, words in re.findall(r'<a href="([^"]+)">([^<]+)</a>', card)}


@pytest.mark.parametrize("decided", [False, True])
def test_a_report_links_the_visit_and_the_reported_helpers_page(client, decided):
    report = _report()
    manager = ManagerFactory.create()
    if decided:
        services.safety_report_triage(report=report, actor=manager, outcome="no_action", note="-")
    _logged_in(client, manager)

    links = _links_of(client.get("/manage/reports/").content.decode(), report)

    assert links == {
        "The report's page": f"/manage/reports/{report.public_id}/",
        "The visit's request": (
            f"/manage/requests/{report.booking.help_request.public_id}/"
            f"#visit-{report.booking.public_id}"
        ),
        "The reported person's file": f"/manage/helpers/{report.booking.helper.public_id}/",
    }
    for href in links.values():
        assert client.get(href).status_code == 200


@pytest.mark.parametrize("allowed_accounts", [True, False])
def test_a_report_on_a_customer_links_their_file_in_the_console(client, allowed_accounts):
    """Every manager opens the reported customer's file, whether or not the admin lets them
    read accounts there."""
    report = _report(by_helper=True)
    manager = ManagerFactory.create() if allowed_accounts else UserFactory.create(is_staff=True)
    _logged_in(client, manager)

    links = _links_of(client.get("/manage/reports/").content.decode(), report)

    customer = report.booking.help_request.customer
    assert links == {
        "The report's page": f"/manage/reports/{report.public_id}/",
        "The visit's request": (
            f"/manage/requests/{report.booking.help_request.public_id}/"
            f"#visit-{report.booking.public_id}"
        ),
        "The reported person's file": f"/manage/customers/{customer.public_id}/",
    }
    for href in links.values():
        assert client.get(href).status_code == 200
