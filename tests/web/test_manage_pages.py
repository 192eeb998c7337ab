"""The community manager's console through Django's test client: every route refuses anyone
but a manager, the figures, vetting helpers, the matching's explanation and disputes."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from academy.models import Course, CourseVersion, EventRegistration, TrainingEvent
from bookings import services
from bookings.models import BookingStatus, HelpRequestStatus
from catalogue.models import LegalDocument, LegalDocumentKind, LegalDocumentVersion
from helpers.models import ApprovalStatus, HelperApprovalEvent
from tests.academy.builders import publish_course
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    post_request,
    publish,
    vet,
)
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

NO_SUCH = uuid.uuid4()
GETS = (
    "/manage/",
    "/manage/helpers/",
    f"/manage/helpers/{NO_SUCH}/",
    "/manage/requests/",
    f"/manage/requests/{NO_SUCH}/",
    "/manage/disputes/",
    f"/manage/disputes/{NO_SUCH}/",
    "/manage/conduct-test/",
)
POSTS = (
    f"/manage/helpers/{NO_SUCH}/approve",
    f"/manage/helpers/{NO_SUCH}/suspend",
    f"/manage/disputes/{NO_SUCH}/resolve",
)


def _routes(helper_id: uuid.UUID, request_id: uuid.UUID, booking_id: uuid.UUID) -> list[tuple]:
    return [
        ("get", "/manage/"),
        ("get", "/manage/helpers/"),
        ("get", f"/manage/helpers/{helper_id}/"),
        ("get", "/manage/requests/"),
        ("get", f"/manage/requests/{request_id}/"),
        ("get", "/manage/disputes/"),
        ("get", f"/manage/disputes/{booking_id}/"),
        ("get", "/manage/conduct-test/"),
        ("get", "/manage/payments/"),
        ("get", "/manage/vetting/"),
        ("get", "/manage/vetting/funnel"),
        ("get", f"/manage/vetting/{helper_id}/"),
        ("post", f"/manage/vetting/{helper_id}/reject"),
        ("post", f"/manage/helpers/{helper_id}/approve"),
        ("post", f"/manage/helpers/{helper_id}/suspend"),
        ("post", f"/manage/disputes/{booking_id}/resolve"),
        ("get", f"/manage/bookings/{booking_id}/acceptances.json"),
        ("get", f"/manage/bookings/{booking_id}/acceptances.pdf"),
    ]


def _console_routes(event_id: uuid.UUID) -> list[tuple]:
    """The academy's and the terms' pages: a course `matrix`, an event, the document `terms`."""
    course = "/manage/courses/matrix"
    return [
        ("get", "/manage/courses/"),
        ("post", "/manage/courses/"),
        ("get", f"{course}/"),
        ("post", f"{course}/requirements"),
        ("post", f"{course}/draft"),
        ("get", f"{course}/versions/1/"),
        ("post", f"{course}/versions/1/write"),
        ("post", f"{course}/versions/1/publish"),
        ("get", "/manage/events/"),
        ("post", "/manage/events/"),
        ("get", f"/manage/events/{event_id}/"),
        ("post", f"/manage/events/{event_id}/cancel"),
        ("post", f"/manage/events/{event_id}/attendance"),
        ("get", "/manage/certification-gaps/"),
        ("get", "/manage/waivers/"),
        ("get", "/manage/waivers/terms/"),
        ("post", "/manage/waivers/terms/"),
    ]


def _console_state() -> list:
    return [
        sorted(Course.objects.values_list("slug", "validity_months", "required_for_all")),
        sorted(CourseVersion.objects.values_list("pk", "status", "title_en")),
        sorted(TrainingEvent.objects.values_list("pk", "cancelled_at")),
        sorted(EventRegistration.objects.values_list("pk", "status", "attended")),
        sorted(LegalDocumentVersion.objects.values_list("pk", "number")),
    ]


@pytest.fixture
def world():
    applicant = make_helper(approval=ApprovalStatus.APPLIED)
    booking = make_booking(BookingStatus.DISPUTED)
    return applicant, booking


@pytest.fixture
def console_world(world):
    """A course with a draft, an event with the applicant registered, and the terms."""
    applicant, _booking = world
    publish_course("matrix", publish=False)
    start = timezone.now() + timedelta(days=2)
    event = TrainingEvent.objects.create(
        kind="meetup",
        title_en="Meet-up",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=3,
        place="Zürich",
    )
    EventRegistration.objects.create(event=event, helper=applicant, status="registered")
    terms = LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS)
    publish(terms, ManagerFactory.create())
    return event


@pytest.mark.parametrize("who", ["anonymous", "customer", "helper", "manager"])
def test_every_route_refuses_anyone_but_a_manager(client, world, console_world, who):
    applicant, booking = world
    routes = _routes(applicant.public_id, booking.help_request.public_id, booking.public_id)
    routes += _console_routes(console_world.public_id)
    before = _console_state()
    if who == "customer":
        _logged_in(client, booking.help_request.customer)
    elif who == "helper":
        _logged_in(client, booking.helper.user)
    elif who == "manager":
        _logged_in(client, ManagerFactory.create())
    for method, path in routes:
        response = getattr(client, method)(path, {"note": "x"} if method == "post" else None)
        if who == "anonymous":
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/log-in?next="), path
        elif who in ("customer", "helper"):
            assert response.status_code == 404, path
        elif method == "get":
            assert response.status_code == 200, path
    applicant.refresh_from_db()
    booking.refresh_from_db()
    if who != "manager":
        assert applicant.approval_status == ApprovalStatus.APPLIED
        assert booking.status == BookingStatus.DISPUTED
        assert not HelperApprovalEvent.objects.exists()
        assert _console_state() == before


def test_a_manager_meets_404_for_what_does_not_exist(client):
    _logged_in(client, ManagerFactory.create())
    for path in GETS[2::2]:
        assert client.get(path).status_code == 404, path
    for path in POSTS:
        assert client.post(path).status_code == 404, path


def test_the_dashboard_counts_what_waits(client, world):
    _applicant, booking = world
    post_request(UserFactory.create(), slug="smart-home")  # nobody has the skill: unmatched
    services.safety_report_file(
        booking=booking,
        actor=booking.help_request.customer,
        category="damage",
        text="The router's power supply was left broken.",
    )
    _logged_in(client, ManagerFactory.create())
    response = client.get("/manage/")
    figures = response.context["figures"]
    # The applicant still has documents to upload: they wait for nobody but themselves
    assert figures["helpers_waiting"] == {
        "documents_submitted": 0,
        "conduct_test_passed": 0,
        "interview": 0,
    }
    assert figures["disputes"] == 1
    assert figures["unmatched_requests"] == 1
    assert figures["open_reports"] == 1
    page = response.content.decode()
    # One of a kind reads in the singular, none or several in the plural (English, German)
    assert '<span class="figure">1</span> request nobody matched</a>' in page
    assert '<span class="figure">1</span> dispute to decide</a>' in page
    assert (
        'href="/manage/reports/"><span class="figure">1</span> safety report to decide</a>' in page
    )
    assert (
        '<span class="figure" id="open-appeals">0</span> appeals against a suspension to decide'
    ) in page
    manager = response.wsgi_request.user
    manager.preferred_language = "de"
    manager.save(update_fields=["preferred_language"])
    german = client.get("/manage/").content.decode()
    assert '<span class="figure">1</span> Sicherheitsmeldung zu entscheiden</a>' in german
    assert '<span class="figure">1</span> Beanstandung zu entscheiden</a>' in german
    assert '<span class="figure" id="open-appeals">0</span> Einsprüche gegen' in german


def test_helpers_are_filtered_by_approval_name_and_skill(client, world):
    applicant, booking = world
    _logged_in(client, ManagerFactory.create())
    listed = client.get("/manage/helpers/", {"status": "applied"}).context["helpers"]
    assert [helper.pk for helper in listed] == [applicant.pk]
    named = client.get("/manage/helpers/", {"q": booking.helper.user.display_name})
    assert [helper.pk for helper in named.context["helpers"]] == [booking.helper.pk]
    skilled = client.get("/manage/helpers/", {"skill": "smart-home"}).context["helpers"]
    assert list(skilled) == []


def test_helpers_can_be_filtered_by_every_step_of_the_vetting(client):
    rejected = make_helper(approval=ApprovalStatus.REJECTED)
    make_helper(approval=ApprovalStatus.APPROVED)
    _logged_in(client, ManagerFactory.create(), "it")

    response = client.get("/manage/helpers/", {"status": "rejected"})

    assert [helper.pk for helper in response.context["helpers"]] == [rejected.pk]
    offered = re.findall(
        r'<option value="(\w*)"',
        response.content.decode().split('id="id_status"')[1].split("</select>")[0],
    )
    assert offered[0] == ""
    assert sorted(offered[1:]) == sorted(ApprovalStatus.values)
    assert '<option value="needs_information">Servono altre informazioni</option>' in (
        response.content.decode()
    )


def test_approving_and_suspending_go_through_the_services(client, world):
    applicant, _booking = world
    manager = ManagerFactory.create()
    _logged_in(client, manager)
    url = f"/manage/helpers/{applicant.public_id}/"
    # An applicant who has not been through vetting cannot be approved: nothing changes
    shown_once(client, client.post(url + "approve", {"approve-note": "Met her."}), url)
    applicant.refresh_from_db()
    assert applicant.approval_status == ApprovalStatus.APPLIED
    vet(applicant, to=ApprovalStatus.CONDUCT_TEST_PASSED, manager=manager)
    assert client.post(url + "approve", {"approve-note": "Met her."}).status_code == 302
    applicant.refresh_from_db()
    assert applicant.approval_status == ApprovalStatus.APPROVED
    refused = client.post(url + "suspend", {"suspend-note": ""})
    assert _errors_of(shown_once(client, refused, url), "id_suspend-note") == [
        "Tell us why, in a few words."
    ]
    applicant.refresh_from_db()
    assert applicant.approval_status == ApprovalStatus.APPROVED
    assert client.post(url + "suspend", {"suspend-note": "Complaints."}).status_code == 302
    applicant.refresh_from_db()
    assert applicant.approval_status == ApprovalStatus.SUSPENDED
    events = list(
        HelperApprovalEvent.objects.filter(
            to_status__in=[ApprovalStatus.APPROVED, ApprovalStatus.SUSPENDED]
        ).values_list("to_status", "note", "actor")
    )
    assert events == [
        ("approved", "Met her.", manager.pk),
        ("suspended", "Complaints.", manager.pk),
    ]
    assert "Complaints." in client.get(url).content.decode()


def test_the_matching_explanation_says_why_each_helper_was_or_was_not_offered(client):
    offered = make_helper(languages=("de",))
    french = make_helper(languages=("fr",))
    help_request = post_request(UserFactory.create(), languages=["de"])
    _logged_in(client, ManagerFactory.create())
    response = client.get(f"/manage/requests/{help_request.public_id}/")
    rows = {
        row["helper"].pk: row["reason"]
        for _run, considered in response.context["runs"]
        for row in considered
    }
    assert rows[offered.pk] == "Offered"
    assert rows[french.pk] == "Speaks none of the customer's languages"


def test_the_explanation_of_nobody_within_reach(client):
    help_request = post_request(UserFactory.create(), slug="smart-home")
    assert help_request.status == HelpRequestStatus.UNMATCHED
    _logged_in(client, ManagerFactory.create(), "de")
    html = client.get(f"/manage/requests/{help_request.public_id}/").content.decode()
    assert "Quartier braucht hier Helfer" in html


def test_a_disputes_steps_say_no_reason_in_english_but_the_customers_own(client, world):
    _applicant, booking = world
    _logged_in(client, ManagerFactory.create(), "it")

    html = client.get(f"/manage/disputes/{booking.public_id}/").content.decode()

    timeline = html[html.index('<ol class="timeline">') :].split("</ol>")[0]
    reasons = re.findall(r"\(([^)]*)\)</li>", timeline)
    assert reasons == [booking.dispute_reason]
    for english in ("offer accepted", "times proposed", "checked in", "checked out"):
        assert english not in timeline


def test_a_dispute_is_decided_with_the_services_rules(client, world):
    _applicant, booking = world
    _logged_in(client, ManagerFactory.create())
    url = f"/manage/disputes/{booking.public_id}/resolve"
    refused = client.post(url, {"outcome": "visit_void", "note": "No Wi-Fi."})
    # Back on the dispute's page at its own address, with the note typed: a reload resends nothing
    shown = shown_once(client, refused, f"/manage/disputes/{booking.public_id}/")
    assert "Say who caused it." in shown
    assert "\nNo Wi-Fi.</textarea>" in shown
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DISPUTED
    done = client.post(url, {"outcome": "visit_void", "caused_by": "helper", "note": "No Wi-Fi."})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.caused_by) == (BookingStatus.CANCELLED, "helper")


def _queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200, path
    return len(captured)


def test_the_consoles_lists_do_not_query_per_row(client):
    """Each list costs the same number of queries with one row or with three."""
    _logged_in(client, ManagerFactory.create())
    make_helper(approval=ApprovalStatus.APPLIED)
    make_booking(BookingStatus.DISPUTED)
    make_helper(languages=("fr",))
    unmatched = post_request(UserFactory.create(), languages=["it"])
    paths = (
        "/manage/",
        "/manage/helpers/",
        "/manage/requests/?status=assigned",
        "/manage/disputes/",
        f"/manage/requests/{unmatched.public_id}/",
    )
    before = {path: _queries(client, path) for path in paths}
    for _ in range(2):
        make_helper(approval=ApprovalStatus.APPLIED, languages=("fr",))
        make_booking(BookingStatus.DISPUTED)
    more = post_request(UserFactory.create(), languages=["it"])
    after = {path.replace(str(unmatched.public_id), str(more.public_id)): 0 for path in paths}
    after = {path: _queries(client, path) for path in after}
    assert list(after.values()) == list(before.values())
    assert max(after.values()) <= 12


def test_the_helpers_pages_do_not_query_per_row(client):
    from django.utils import timezone

    helper = make_helper()
    _logged_in(client, helper.user)
    base = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)

    def one_of_each(hours: int) -> None:
        post_request(UserFactory.create())
        make_booking(BookingStatus.CONFIRMED, helper=helper, start=base + timedelta(hours=hours))
        start = base + timedelta(hours=hours + 2)
        with time_machine.travel(start - timedelta(minutes=30), tick=False):
            make_booking(BookingStatus.SIGNED_OFF, helper=helper, start=start)

    one_of_each(0)
    paths = ("/helper/", "/helper/visits/", "/helper/hours", "/helper/profile")
    before = [_queries(client, path) for path in paths]
    one_of_each(4)
    one_of_each(8)
    assert [_queries(client, path) for path in paths] == before
    # The start page's 13 include the community manager's warnings shown to the helper
    assert max(before) <= 13


def test_a_helpers_latest_visits_are_listed_by_their_time_newest_first(client):
    # Given visits made in another order than their times, and one whose time is not agreed
    helper = make_helper()
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    second = make_booking(BookingStatus.CONFIRMED, helper=helper, start=soon + timedelta(days=2))
    third = make_booking(BookingStatus.CONFIRMED, helper=helper, start=soon + timedelta(days=3))
    first = make_booking(BookingStatus.CONFIRMED, helper=helper, start=soon + timedelta(days=1))
    arranging = make_booking(BookingStatus.AWAITING_PROPOSAL, helper=helper)
    assert arranging.starts_at is None
    _logged_in(client, ManagerFactory.create(), "en")

    # When the manager opens the helper's record
    html = client.get(f"/manage/helpers/{helper.public_id}/").content.decode()

    # Then the visit being arranged comes first, then the others, the latest time first
    listed = html[html.index("Latest visits") :]
    when = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<tr><td>(.*?)</td>", listed)]
    local = [timezone.localtime(booking.starts_at) for booking in (third, second, first)]
    assert when == ["–", *(f"{t.day} {t:%B} {t.year}, {t:%H:%M}" for t in local)]


def test_the_request_page_says_when_it_was_asked_with_no_article_before_the_eighth(client):
    # Given a request asked on the 8th of December, read by an Italian-speaking manager
    with time_machine.travel(
        datetime(2026, 12, 8, 9, 30, tzinfo=ZoneInfo("Europe/Zurich")), tick=False
    ):
        make_helper(languages=("de",))
        help_request = post_request(UserFactory.create(), languages=["de"])
    _logged_in(client, ManagerFactory.create(), "it")

    html = client.get(f"/manage/requests/{help_request.public_id}/").content.decode()

    # Then the day stands after a colon, never after an article ("il 8 dicembre" is wrong, "l’8")
    assert (
        'Lingue: tedesco · Richiesta: <time datetime="2026-12-08T09:30:00+01:00">'
        "8 dicembre 2026 alle 09:30</time></p>"
    ) in html


@pytest.mark.parametrize(
    ("step", "forms", "to_vetting"),
    [
        (ApprovalStatus.APPLIED, [], True),
        (ApprovalStatus.DOCUMENTS_SUBMITTED, [], True),
        (ApprovalStatus.CONDUCT_TEST_PASSED, ["approve"], True),
        (ApprovalStatus.APPROVED, ["suspend"], False),
        (ApprovalStatus.SUSPENDED, ["approve"], False),
        (ApprovalStatus.REJECTED, [], False),
    ],
)
def test_a_helpers_page_offers_only_the_moves_their_step_allows(client, step, forms, to_vetting):
    """An applicant who has not even uploaded documents was offered "Approve this helper" and
    "Suspend this helper", which answered that the page was out of date: the manager is sent
    to the vetting desk instead."""
    helper = make_helper(display_name="Bruno Suter", approval=step)
    _logged_in(client, ManagerFactory.create(), "it")

    response = client.get(f"/manage/helpers/{helper.public_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(rf"/manage/helpers/{helper.public_id}/(approve|suspend)", html) == forms
    vetting = f'href="/manage/vetting/{helper.public_id}/">Decidi sulla candidatura nella verifica<'
    assert (vetting in html) is to_vetting


def test_a_refused_approval_stays_on_the_helpers_page_with_its_reason(client):
    helper = make_helper(approval=ApprovalStatus.APPLIED)
    _logged_in(client, ManagerFactory.create())

    response = client.post(f"/manage/helpers/{helper.public_id}/approve", {"approve-note": ""})

    page = shown_once(client, response, f"/manage/helpers/{helper.public_id}/")
    assert f"/manage/helpers/{helper.public_id}/approve" in page
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.APPLIED
    assert not HelperApprovalEvent.objects.filter(helper=helper).exists()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("it", "1 profilo di aiuto esaminato; offerte fatte: 1 su {wanted}."),
        ("fr", "1 profil de personne aidante examiné ; offres faites : 1 sur {wanted}."),
    ],
)
def test_a_matching_pass_counts_its_offers_as_the_language_writes_it(client, language, said):
    """One offer made read "1 offerte fatte su 3" and "1 offres faites sur 3"."""
    make_helper(languages=("de",))
    help_request = post_request(UserFactory.create(), languages=["de"])
    _logged_in(client, ManagerFactory.create(), language)

    response = client.get(f"/manage/requests/{help_request.public_id}/")

    [(run, _considered)] = response.context["runs"]
    assert run.offered == 1
    html = response.content.decode()
    assert said.format(wanted=run.wanted) in html
