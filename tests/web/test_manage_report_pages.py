"""A safety report's own page and a customer's file in the manager's console: managers only,
what the manager weighs a report against, the decision taken there, nothing a manager may not
read, and a bounded number of queries however long the lists."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services
from bookings.models import BookingStatus, SafetyReport
from helpers.models import ApprovalStatus
from tests.factories import ManagerFactory, UserFactory, make_booking
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db
ZURICH = ZoneInfo("Europe/Zurich")


def _moment(value: datetime) -> str:
    """A moment as the page labels it in English (Swiss time): "6 December 2026, 14:30"."""
    local = value.astimezone(ZURICH)
    return f"{local.day} {local:%B} {local.year}, {local:%H:%M}"


def _report(
    text: str = "He shouted at me.", *, by_helper: bool = False, customer=None, helper=None
) -> SafetyReport:
    booking = make_booking(BookingStatus.IN_PROGRESS, customer=customer, helper=helper)
    actor = booking.helper.user if by_helper else booking.help_request.customer
    return services.safety_report_file(
        booking=booking, actor=actor, category="harassment", text=text
    )


def _page(report: SafetyReport) -> str:
    return f"/manage/reports/{report.public_id}/"


def _file(user) -> str:
    return f"/manage/customers/{user.public_id}/"


def _decision(report: SafetyReport, **fields: str) -> dict[str, str]:
    return {f"r{report.public_id.hex}-{name}": value for name, value in fields.items()}


def _section(html: str, section_id: str) -> str:
    """The markup after the element with this id, to the end of its section."""
    return html.split(f'id="{section_id}"', 1)[1].split(">", 1)[1].split("</section>", 1)[0]


def _text(html: str) -> str:
    """The words of some markup, each run of white space one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.mark.parametrize("who", ["customer", "helper", "stranger"])
def test_nobody_but_a_manager_opens_a_report_or_a_customers_file(client, who):
    report = _report(by_helper=True)
    customer = report.booking.help_request.customer
    user = {
        "customer": customer,  # the reported person
        "helper": report.booking.helper.user,  # the reporter
        "stranger": UserFactory.create(),
    }[who]
    _logged_in(client, user)

    assert client.get(_page(report)).status_code == 404
    assert client.get(_file(customer)).status_code == 404
    refused = client.post(_page(report), _decision(report, outcome="warning", note="Rude"))
    assert refused.status_code == 404
    assert SafetyReport.objects.get().outcome == ""


def test_a_visitor_not_logged_in_is_sent_to_log_in(client):
    report = _report(by_helper=True)
    customer = report.booking.help_request.customer

    for path in (_page(report), _file(customer)):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, f"/log-in?next={path}")
    refused = client.post(_page(report), _decision(report, outcome="warning", note="Rude"))
    assert refused.status_code == 302
    assert SafetyReport.objects.get().outcome == ""


def test_no_file_for_an_unknown_person_or_a_manager(client):
    manager = ManagerFactory.create()
    _logged_in(client, manager)

    assert client.get(_file(manager)).status_code == 404
    assert client.get(f"/manage/customers/{'0' * 8}-0000-4000-8000-{'0' * 12}/").status_code == 404
    assert client.get(f"/manage/reports/{'0' * 8}-0000-4000-8000-{'0' * 12}/").status_code == 404


def test_the_report_page_shows_the_report_the_visit_and_the_persons_record(client):
    manager = ManagerFactory.create(display_name="Mia Manager")
    report = _report("She would not let me leave.", by_helper=True)
    customer = report.booking.help_request.customer
    earlier = _report("Earlier: rude on the phone.", by_helper=True, customer=customer)
    services.safety_report_triage(
        report=earlier, actor=manager, outcome="warning", note="Be polite on the phone."
    )
    pending = _report("Another open one.", by_helper=True, customer=customer)
    _report("About somebody else.", by_helper=True)
    _logged_in(client, manager)

    response = client.get(_page(report))

    assert response.status_code == 200
    html = response.content.decode()
    booking = report.booking
    helper = booking.helper
    reported = _section(html, "reported-heading")
    assert _text(reported) == (
        f"What was reported Category Harassment Filed on "
        f"{_moment(report.created_at)} "
        f"Reported by {helper.user.display_name} (the helper) "
        f"Reported person {customer.display_name} (the customer) She would not let me leave. "
        "Only managers read reports: the reported person never sees them."
    )
    assert re.findall(r'href="([^"]+)"', reported) == [
        f"/manage/helpers/{helper.public_id}/",
        _file(customer),
    ]
    visit = _text(_section(html, "visit-heading"))
    assert (
        f"Day {_moment(booking.starts_at)} "
        f"Where {booking.help_request.postal_code} {booking.help_request.locality} "
        "Category Internet &amp; Wi-Fi State In progress"
    ) in visit
    timeline = _section(html, "visit-timeline").split("</ol>")[0]
    assert [_text(step).split(": ", 1)[1] for step in re.findall(r"<li>(.*?)</li>", timeline)][
        -1
    ] == "The helper arrived"
    warnings = _text(_section(html, "warnings"))
    assert "Be polite on the phone." in warnings
    assert "Mia Manager" in warnings
    others = _section(html, "other-reports")
    assert re.findall(r'href="/manage/reports/([^/]+)/"', others) == [
        str(pending.public_id),
        str(earlier.public_id),
    ]
    assert [_text(cell) for cell in re.findall(r'data-label="Decision">(.*?)</td>', others)] == [
        "Not decided yet",
        "Warned",
    ]
    assert "About somebody else" not in html
    assert "<form" in _section(html, "decision")


def test_a_decision_taken_on_the_report_page_is_recorded_and_shown(client):
    report = _report()
    _logged_in(client, ManagerFactory.create(display_name="Mia Manager"))

    refused = client.post(_page(report), _decision(report, outcome="suspension", note=""))
    # Back on the report's page at its own address: a reload resends nothing
    assert _errors_of(
        shown_once(client, refused, _page(report)), f"id_r{report.public_id.hex}-note"
    ) == ["This field is required."]
    assert SafetyReport.objects.get().outcome == ""

    done = client.post(_page(report), _decision(report, outcome="suspension", note="Threats"))
    assert (done.status_code, done["Location"]) == (302, _page(report))
    report.refresh_from_db()
    report.booking.helper.refresh_from_db()
    assert (report.outcome, report.triage_note) == ("suspension", "Threats")
    assert report.booking.helper.approval_status == ApprovalStatus.SUSPENDED

    html = client.get(_page(report)).content.decode()
    decision = _text(_section(html, "decision"))
    assert decision.startswith("Decision Helper suspended: Threats (Mia Manager, ")
    assert "<form" not in _section(html, "decision")

    again = client.post(_page(report), _decision(report, outcome="warning", note="Again"))
    assert (again.status_code, again["Location"]) == (302, _page(report))
    report.refresh_from_db()
    assert (report.outcome, report.triage_note) == ("suspension", "Threats")


def test_a_customer_reported_cannot_be_suspended_from_the_report_page(client):
    report = _report(by_helper=True)
    _logged_in(client, ManagerFactory.create())

    html = client.get(_page(report)).content.decode()
    choices = re.findall(r'name="r\w+-outcome" value="(\w+)"', html)
    refused = client.post(_page(report), _decision(report, outcome="suspension", note="Rude"))

    assert choices == ["warning", "no_action"]
    assert "\nRude</textarea>" in shown_once(client, refused, _page(report))
    assert SafetyReport.objects.get().outcome == ""


def test_the_customers_file_lists_their_requests_visits_reports_warnings_and_cancellations(
    client,
):
    manager = ManagerFactory.create()
    customer = UserFactory.create(display_name="Clara Kunde", email="clara@example.ch")
    about = _report("She locked me in.", by_helper=True, customer=customer)
    services.safety_report_triage(
        report=about, actor=manager, outcome="warning", note="Never lock a helper in."
    )
    filed = _report("The helper was late.", customer=customer)
    cancelled = make_booking(BookingStatus.CANCELLED, customer=customer)
    make_booking(BookingStatus.AWAITING_PROPOSAL, customer=customer)
    _report("Not about Clara.")
    _logged_in(client, manager)

    response = client.get(_file(customer))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"<dd>(\d+)</dd>", _section(html, "customer-figures"))[:2] == ["4", "4"]
    assert "1 (1 late)" in _text(_section(html, "customer-figures"))
    requests = re.findall(r'href="/manage/requests/([^/]+)/"', _section(html, "requests"))
    assert len(requests) == 4
    assert str(cancelled.help_request.public_id) in requests
    # Each visit opens its story on its request's page
    assert re.findall(
        r'href="/manage/requests/([^/]+)/#visit-([^"]+)"', _section(html, "cancellations")
    ) == [(str(cancelled.help_request.public_id), str(cancelled.public_id))]
    assert "Cancelled (late)" in _text(_section(html, "cancellations"))
    assert "Never lock a helper in." in _text(_section(html, "warnings"))
    assert re.findall(r'href="/manage/reports/([^/]+)/"', _section(html, "reports-about")) == [
        str(about.public_id)
    ]
    assert re.findall(r'href="/manage/reports/([^/]+)/"', _section(html, "reports-filed")) == [
        str(filed.public_id)
    ]
    assert "Not about Clara" not in html


@pytest.mark.parametrize("allowed_accounts", [True, False])
def test_the_customers_file_shows_no_contact_or_address(client, allowed_accounts):
    """Contact details and the home address stay in the admin's account page, behind its own
    permission: the file links it only for a manager the admin lets in."""
    report = _report(by_helper=True)
    customer = report.booking.help_request.customer
    manager = ManagerFactory.create() if allowed_accounts else UserFactory.create(is_staff=True)
    _logged_in(client, manager)

    html = client.get(_file(customer)).content.decode()

    for private in (customer.email, customer.phone, customer.home_street):
        assert private not in html
    account = f'href="/admin/backend/user/{customer.pk}/change/"'
    assert (account in html) is allowed_accounts


def test_the_pages_do_not_query_per_row(client):
    manager = ManagerFactory.create()
    customer = UserFactory.create()
    report = _report(by_helper=True, customer=customer)
    _logged_in(client, manager)

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as run:
            assert client.get(path).status_code == 200
        return len(run)

    few = (queries(_page(report)), queries(_file(customer)))
    for index in range(3):
        other = _report(f"Report {index}", by_helper=True, customer=customer)
        services.safety_report_triage(
            report=other, actor=manager, outcome="warning", note=f"Warning {index}"
        )
        _report(f"Filed {index}", customer=customer)
    make_booking(BookingStatus.CANCELLED, customer=customer)
    many = (queries(_page(report)), queries(_file(customer)))

    assert many == few
    assert few[0] <= 9
    assert few[1] <= 13
