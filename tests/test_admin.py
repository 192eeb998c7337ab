"""The back office: every page renders, approval moves only through the actions, audit rows stay
untouched, and changelists cost a fixed number of queries whatever the number of rows.

Rows are made with plain ORM creates: these tests are about what the admin shows and which
services it calls, not about how the rows came to be.
"""

from __future__ import annotations

import re
import warnings
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.exceptions import Conflict
from backend.models import LoginFailureCounter, User
from bookings.models import (
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    MatchingRun,
    Offer,
    OfferStatus,
    Review,
    SlotProposal,
    TimeWindow,
)
from catalogue.models import (
    LegalAcceptance,
    LegalDocument,
    LegalDocumentKind,
    LegalDocumentVersion,
    ServiceCategory,
)
from catalogue.services import legal_accept
from helpers import services as helper_services
from helpers.models import (
    ApprovalStatus,
    AvailabilityException,
    DocumentAccess,
    ExceptionKind,
    HelperDocument,
    HelperProfile,
    HelperSkill,
    WeeklyAvailability,
)
from tests.factories import publish, stored_document

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
ZURICH_LAT, ZURICH_LON = 47.3769, 8.5417


# --- Rows -------------------------------------------------------------------------------------


def make_user(name: str, **fields: Any) -> User:
    defaults: dict[str, Any] = {
        "display_name": name.title(),
        "phone": "+41 79 123 45 67",
        "languages": ["de", "en"],
        "home_street": "Bahnhofplatz 1",
        "home_postal_code": "8001",
        "home_locality": "Zürich",
        "home_latitude": ZURICH_LAT,
        "home_longitude": ZURICH_LON,
        "home_location": {"type": "Point", "coordinates": [ZURICH_LON, ZURICH_LAT]},
    }
    return User.objects.create_user(
        email=f"{name}@example.ch", password=PASSWORD, **{**defaults, **fields}
    )


def make_helper(
    name: str, *, status: str = ApprovalStatus.APPLIED, **user_fields: Any
) -> HelperProfile:
    helper = HelperProfile.objects.create(
        user=make_user(name, **user_fields),
        approval_status=status,
        rating_count=4,
        rating_sum=18,
        offers_accepted=3,
        offers_declined=1,
        response_seconds_total=800,
    )
    HelperSkill.objects.create(helper=helper, category=category())
    return helper


def category(slug: str = "internet-wifi") -> ServiceCategory:
    return ServiceCategory.objects.get(slug=slug)


def make_help_request(customer: User, **fields: Any) -> HelpRequest:
    defaults: dict[str, Any] = {
        "category": category(),
        "description": "The Wi-Fi drops every evening.",
        "languages": ["de"],
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "location": {"type": "Point", "coordinates": [ZURICH_LON, ZURICH_LAT]},
        "latitude": ZURICH_LAT,
        "longitude": ZURICH_LON,
    }
    help_request = HelpRequest.objects.create(customer=customer, **{**defaults, **fields})
    start = timezone.now() + timedelta(days=2)
    TimeWindow.objects.create(
        help_request=help_request, starts_at=start, ends_at=start + timedelta(hours=4)
    )
    return help_request


def make_offer(
    help_request: HelpRequest, helper: HelperProfile, *, status: str = OfferStatus.PENDING
) -> Offer:
    return Offer.objects.create(
        help_request=help_request,
        helper=helper,
        status=status,
        round=1,
        rank=1,
        distance_m=2100,
        score=0.87,
        explanation={"summary": "2.1 km, 4.5★ from 4 reviews", "distance_m": 2100},
        expires_at=timezone.now() + timedelta(minutes=15),
    )


def make_matching_run(help_request: HelpRequest, helper: HelperProfile) -> MatchingRun:
    """A pass that offered `helper`, passed over a helper deleted since, and one out of reach."""
    number = MatchingRun.objects.count() + 1
    gone = make_helper(f"gone{number}")
    gone_id = gone.pk
    gone.delete()
    far = make_helper(f"far{number}", status=ApprovalStatus.APPROVED)
    return MatchingRun.objects.create(
        help_request=help_request,
        radius_km=5.0,
        wanted=3,
        offered=1,
        examined_count=4,
        considered=[
            {
                "helper_id": helper.pk,
                "distance_m": 2100,
                "score": 0.87,
                "offered": True,
                "reason": "offered",
            },
            {
                "helper_id": gone_id,
                "distance_m": 2400,
                "score": None,
                "offered": False,
                "reason": "speaks none of the customer's languages",
            },
            {
                "helper_id": far.pk,
                "distance_m": 3050,
                "score": None,
                "offered": False,
                "reason": "their service radius of 2 km does not reach 3.1 km",
            },
        ],
    )


def make_booking(customer: User, helper: HelperProfile) -> Booking:
    help_request = make_help_request(customer)
    offer = make_offer(help_request, helper, status=OfferStatus.ACCEPTED)
    start = timezone.now() - timedelta(days=1)
    booking = Booking.objects.create(
        help_request=help_request,
        offer=offer,
        helper=helper,
        status=BookingStatus.SIGNED_OFF,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        price_minor=8000,
        work_summary="Replaced the router.",
    )
    SlotProposal.objects.create(
        booking=booking, starts_at=start, ends_at=start + timedelta(hours=1), status="chosen"
    )
    BookingEvent.objects.create(
        booking=booking,
        from_status=BookingStatus.COMPLETED,
        to_status=BookingStatus.SIGNED_OFF,
        actor=customer,
        actor_role=ActorRole.CUSTOMER,
        reason="customer signed off",
    )
    return booking


@pytest.fixture
def manager_client(client: Client) -> Client:
    manager = User.objects.create_superuser(
        email="manager@quartier.test", password=PASSWORD, display_name="Mia Manager"
    )
    client.force_login(manager)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    """One of everything, linked the way the product links them."""
    customer = make_user("carla")
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)
    WeeklyAvailability.objects.create(
        helper=helper, weekday=0, start_time="08:00", end_time="12:00"
    )
    AvailabilityException.objects.create(
        helper=helper,
        kind=ExceptionKind.UNAVAILABLE,
        starts_at=timezone.now() + timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=6),
        note="Holiday in Ticino",
    )
    booking = make_booking(customer, helper)
    review = Review.objects.create(
        booking=booking,
        author=customer,
        subject=helper.user,
        author_role=ActorRole.CUSTOMER,
        rating=4,
        text="Quick and patient.",
        published_at=timezone.now(),
    )
    matching_run = make_matching_run(booking.help_request, helper)
    login_failures = LoginFailureCounter.objects.create(
        email="carla@example.ch", client="203.0.113.9", failures=3
    )
    terms = LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS)
    terms_version = publish(terms, make_user("lena", is_staff=True), text="Back up your data.")
    acceptance = legal_accept(
        user=customer,
        version=terms_version,
        language="fr",
        text_sha256=terms_version.sha256_in("fr"),
        ip_address="198.51.100.23",
    )
    document = stored_document(helper)
    document_access = DocumentAccess.objects.create(
        document=document,
        manager=make_user("mira", is_staff=True),
        ip_address="192.0.2.44",
    )
    return {
        "legal_document": terms,
        "legal_version": terms_version,
        "legal_acceptance": acceptance,
        "document": document,
        "document_access": document_access,
        "login_failures": login_failures,
        "customer": customer,
        "helper": helper,
        "matching_run": matching_run,
        "help_request": booking.help_request,
        "offer": booking.offer,
        "booking": booking,
        "event": booking.events.get(),
        "review": review,
        "category": category(),
    }


def admin_url(model: type, view: str, *args: Any) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def messages_of(response: Any) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


# What each page must show; `key` names the row of `world` whose change page is opened.
PAGES: dict[type, tuple[str, str]] = {
    User: ("customer", "carla@example.ch"),
    HelperProfile: ("helper", "hugo@example.ch"),
    ServiceCategory: ("category", "Internet &amp; Wi-Fi"),
    HelpRequest: ("help_request", "carla@example.ch"),
    Offer: ("offer", "2.1 km"),
    Booking: ("booking", "CHF 80.00"),
    BookingEvent: ("event", "carla@example.ch"),
    Review: ("review", "★★★★☆"),
    MatchingRun: ("matching_run", "1 of 3"),
    LoginFailureCounter: ("login_failures", "203.0.113.9"),
    HelperDocument: ("document", "Identity document (passport or ID card)"),
    LegalDocument: ("legal_document", "Customer terms"),
    LegalDocumentVersion: ("legal_version", "terms (en)"),
    LegalAcceptance: ("legal_acceptance", "198.51.100.23"),
    DocumentAccess: ("document_access", "192.0.2.44"),
}


def test_every_model_of_the_project_has_an_admin_page():
    project_apps = {"backend", "catalogue", "helpers", "bookings"}
    registered = {model for model in admin.site._registry if model._meta.app_label in project_apps}
    assert registered == set(PAGES)


@pytest.mark.parametrize("model", list(PAGES), ids=lambda model: model.__name__)
def test_changelist_shows_the_row(manager_client, world, model):
    key, text = PAGES[model]

    response = manager_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert text in response.content.decode()


@pytest.mark.parametrize("model", list(PAGES), ids=lambda model: model.__name__)
def test_change_page_shows_the_row(manager_client, world, model):
    key, text = PAGES[model]

    response = manager_client.get(admin_url(model, "change", world[key].pk))

    assert response.status_code == 200
    assert text in response.content.decode()


def test_helper_page_shows_computed_figures_and_inlines(manager_client, world):
    response = manager_client.get(admin_url(HelperProfile, "change", world["helper"].pk))

    page = response.content.decode()
    assert "4.50" in page  # 18 / 4
    assert "3 min 20 s" in page  # 800 s over 4 answered offers
    assert "47.37690, 8.54170" in page
    assert "Holiday in Ticino" in page
    assert "Monday" in page
    assert 'name="skill_rows-0-category"' in page
    assert 'name="approval_status"' not in page


def test_location_fields_are_text_and_never_a_geojson_form_field(manager_client, world):
    pages = [
        admin_url(User, "change", world["customer"].pk),
        admin_url(HelpRequest, "change", world["help_request"].pk),
        admin_url(HelperProfile, "change", world["helper"].pk),
        admin_url(User, "add"),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        responses = [manager_client.get(url) for url in pages]

    assert [response.status_code for response in responses] == [200, 200, 200, 200]
    assert [str(w.message) for w in caught if "leaflet" in str(w.message)] == []
    assert "47.37690, 8.54170" in responses[0].content.decode()
    assert "47.37690, 8.54170" in responses[1].content.decode()
    assert 'name="home_location"' not in responses[0].content.decode()


def test_offer_page_shows_the_explanation_pretty_printed(manager_client, world):
    response = manager_client.get(admin_url(Offer, "change", world["offer"].pk))

    page = response.content.decode()
    assert (
        "<pre>{\n"
        "  &quot;distance_m&quot;: 2100,\n"
        "  &quot;summary&quot;: &quot;2.1 km, 4.5★ from 4 reviews&quot;\n"
        "}</pre>"
    ) in page


def test_help_request_page_lists_windows_and_offers_read_only(manager_client, world):
    help_request = world["help_request"]

    response = manager_client.get(admin_url(HelpRequest, "change", help_request.pk))

    page = response.content.decode()
    assert "2.1 km, 4.5★ from 4 reviews" in page
    assert "0.87" in page
    assert 'name="status"' not in page
    assert 'name="windows-0-starts_at' not in page


def considered_rows(page: str) -> list[list[str]]:
    """The cells of every row of the considered-helpers tables on a page, tags stripped."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", page, flags=re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
        for body in bodies
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_help_request_page_shows_whom_the_matching_considered_and_why(manager_client, world):
    help_request, run = world["help_request"], world["matching_run"]
    gone_id = run.considered[1]["helper_id"]
    far = HelperProfile.objects.get(pk=run.considered[2]["helper_id"])

    response = manager_client.get(admin_url(HelpRequest, "change", help_request.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        f"<h4>{run.created_at:%Y-%m-%d %H:%M:%S} · within 5 km · 1 of 3 offers made · "
        "4 helpers examined</h4>"
    ) in page
    assert considered_rows(page) == [
        ["Hugo", "2.1 km", "0.8700", "yes", "offered"],
        [
            f"helper #{gone_id} (no longer exists)",
            "2.4 km",
            "—",
            "no",
            "speaks none of the customer&#x27;s languages",
        ],
        ["Far1", "3.0 km", "—", "no", "their service radius of 2 km does not reach 3.1 km"],
    ]
    assert f'<a href="{admin_url(HelperProfile, "change", world["helper"].pk)}">Hugo</a>' in page
    assert f'<a href="{admin_url(HelperProfile, "change", far.pk)}">Far1</a>' in page


def test_help_request_page_shows_the_newest_runs_and_links_to_the_rest(manager_client, world):
    help_request = world["help_request"]
    for _ in range(10):
        MatchingRun.objects.create(
            help_request=help_request,
            radius_km=10.0,
            wanted=3,
            offered=0,
            examined_count=0,
            considered=[],
        )

    response = manager_client.get(admin_url(HelpRequest, "change", help_request.pk))

    page = response.content.decode()
    assert page.count("<h4>") == 10
    assert page.count("within 10 km · 0 of 3 offers made") == 10
    assert "within 5 km" not in page
    assert page.count("No helper was considered.") == 10
    assert (
        f'<a href="{admin_url(MatchingRun, "changelist")}?q={help_request.public_id}">'
        "All matching runs of this request</a>"
    ) in page


def test_a_help_request_page_loads_the_considered_helpers_in_one_query(
    manager_client, world, django_assert_num_queries
):
    help_request = world["help_request"]
    url = admin_url(HelpRequest, "change", help_request.pk)
    with CaptureQueriesContext(connection) as one_run:
        manager_client.get(url)
    for _ in range(4):
        make_matching_run(help_request, world["helper"])

    # Five runs naming six helpers cost what one run naming three did.
    with django_assert_num_queries(len(one_run.captured_queries)):
        response = manager_client.get(url)

    assert response.content.decode().count("<h4>") == 5


def test_matching_runs_filter_by_outcome(manager_client, world):
    help_request = world["help_request"]
    for offered in (0, 3):
        MatchingRun.objects.create(
            help_request=help_request,
            radius_km=25.0 if offered == 0 else 15.0,
            wanted=3,
            offered=offered,
            examined_count=0,
            considered=[],
        )
    url = admin_url(MatchingRun, "changelist")

    def listed(outcome: str) -> list[tuple[str, str]]:
        page = manager_client.get(url, {"outcome": outcome}).content.decode()
        return re.findall(
            r'<td class="field-search_radius">(.*?)</td><td class="field-offers_made">(.*?)</td>',
            page,
        )

    assert listed("none") == [("25 km", "0 of 3")]
    assert listed("fewer") == [("5 km", "1 of 3")]
    assert listed("all") == [("15 km", "3 of 3")]
    assert sorted(listed("")) == [("15 km", "3 of 3"), ("25 km", "0 of 3"), ("5 km", "1 of 3")]


def test_booking_page_links_to_its_request_and_helper_and_shows_the_trail(manager_client, world):
    booking = world["booking"]

    response = manager_client.get(admin_url(Booking, "change", booking.pk))

    page = response.content.decode()
    assert admin_url(HelpRequest, "change", booking.help_request.pk) in page
    assert admin_url(HelperProfile, "change", booking.helper.pk) in page
    assert "customer signed off" in page
    assert "Quick and patient." in page
    assert 'name="status"' not in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("hugo@example.ch", True),
        ("8001", True),
        ("Zürich", True),
        ("+41 79 123", True),
        ("nobody@example.ch", False),
    ],
)
def test_helpers_are_searchable(manager_client, world, query, found):
    response = manager_client.get(admin_url(HelperProfile, "changelist"), {"q": query})

    assert ("hugo@example.ch" in response.content.decode()) is found


def test_bookings_are_searchable_by_public_id(manager_client, world):
    booking = world["booking"]
    other = make_booking(make_user("dora"), world["helper"])

    response = manager_client.get(admin_url(Booking, "changelist"), {"q": str(booking.public_id)})

    page = response.content.decode()
    assert str(booking.public_id) in page
    assert str(other.public_id) not in page


def test_helpers_filter_by_spoken_language(manager_client, world):
    make_helper("francine", languages=["fr"])
    url = admin_url(HelperProfile, "changelist")

    french = manager_client.get(url, {"speaks": "fr"}).content.decode()
    german = manager_client.get(url, {"speaks": "de"}).content.decode()

    assert "francine@example.ch" in french
    assert "hugo@example.ch" not in french
    assert "hugo@example.ch" in german
    assert "francine@example.ch" not in german


# --- Users ------------------------------------------------------------------------------------


def test_manager_adds_a_user_with_email_name_and_password(manager_client):
    response = manager_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Person@Example.CH",
            "display_name": "New Person",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    user = User.objects.get(email="new.person@example.ch")
    assert response.status_code == 302
    assert response.url == admin_url(User, "change", user.pk)
    assert user.display_name == "New Person"
    assert user.check_password(PASSWORD)
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_adding_a_user_twice_differing_by_case_is_refused(manager_client, world):
    response = manager_client.post(
        admin_url(User, "add"),
        {
            "email": "CARLA@example.ch",
            "display_name": "Carla again",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="carla@example.ch").count() == 1


def test_customer_counters_are_read_only(manager_client, world):
    response = manager_client.get(admin_url(User, "change", world["customer"].pk))

    page = response.content.decode()
    assert str(world["customer"].public_id) in page
    assert 'name="customer_rating_count"' not in page
    assert 'name="customer_no_shows_caused"' not in page
    assert 'name="display_name"' in page


# --- Approval -----------------------------------------------------------------------------------


def test_approve_action_approves_vetted_applicants(manager_client):
    applicant = make_helper("anna", status=ApprovalStatus.CONDUCT_TEST_PASSED)
    approved = make_helper("bert", status=ApprovalStatus.APPROVED)
    before = approved.approval_changed_at

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "approve_helpers", "_selected_action": [applicant.pk, approved.pk], "index": 0},
    )

    applicant.refresh_from_db()
    approved.refresh_from_db()
    assert response.status_code == 302
    assert applicant.approval_status == ApprovalStatus.APPROVED
    assert applicant.approval_changed_at is not None
    assert approved.approval_status == ApprovalStatus.APPROVED
    assert approved.approval_changed_at == before
    assert messages_of(response) == [
        ("success", "1 helper approved."),
        ("info", "1 helper was already approved."),
    ]


def test_approve_action_refuses_an_applicant_not_yet_vetted(manager_client):
    applicant = make_helper("anna")

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "approve_helpers", "_selected_action": [applicant.pk], "index": 0},
    )

    applicant.refresh_from_db()
    assert (applicant.approval_status, applicant.approval_changed_at) == ("applied", None)
    assert applicant.approval_events.count() == 0
    assert messages_of(response) == [
        (
            "error",
            "Anna <anna@example.ch> was not approved: "
            "A helper's application that is applied cannot become approved.",
        ),
        ("warning", "0 helpers approved."),
    ]


def test_a_refused_approval_is_reported_and_the_others_go_through(manager_client, monkeypatch):
    refused = make_helper("anna", status=ApprovalStatus.CONDUCT_TEST_PASSED)
    accepted = make_helper("bert", status=ApprovalStatus.CONDUCT_TEST_PASSED)
    real_approve = helper_services.helper_approve

    def approve(*, helper, actor, note=""):
        if helper.pk == refused.pk:
            raise Conflict("This helper's documents expired.")
        return real_approve(helper=helper, actor=actor, note=note)

    monkeypatch.setattr(helper_services, "helper_approve", approve)

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "approve_helpers", "_selected_action": [refused.pk, accepted.pk], "index": 0},
    )

    refused.refresh_from_db()
    accepted.refresh_from_db()
    assert response.status_code == 302
    assert refused.approval_status == ApprovalStatus.CONDUCT_TEST_PASSED
    assert refused.approval_changed_at is None
    assert accepted.approval_status == ApprovalStatus.APPROVED
    assert messages_of(response) == [
        ("error", "Anna <anna@example.ch> was not approved: This helper's documents expired."),
        ("success", "1 helper approved."),
    ]


def test_suspend_action_asks_for_a_note_first(manager_client):
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "suspend_helpers", "_selected_action": [helper.pk], "index": 0},
    )

    helper.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 200
    assert "Suspend helpers" in page
    assert 'name="note"' in page
    assert "hugo@example.ch" in page
    assert helper.approval_status == ApprovalStatus.APPROVED


def test_suspend_action_with_a_note_suspends_and_withdraws_pending_offers(manager_client):
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)
    colleague = make_helper("gina", status=ApprovalStatus.APPROVED)
    help_request = make_help_request(make_user("carla"))
    offer = make_offer(help_request, helper)
    colleague_offer = make_offer(help_request, colleague)

    url = admin_url(HelperProfile, "changelist")
    confirmation = manager_client.post(
        url, {"action": "suspend_helpers", "_selected_action": [helper.pk], "index": 0}
    )
    # Submit the confirmation page's own form, as the browser would.
    hidden = re.findall(
        r'<input type="hidden" name="(\w+)" value="([^"]*)">', confirmation.content.decode()
    )
    form = {name: value for name, value in hidden if name != "csrfmiddlewaretoken"}
    assert form == {
        "_selected_action": str(helper.pk),
        "action": "suspend_helpers",
        "confirm": "yes",
    }

    response = manager_client.post(
        url, {**form, "note": "Two customers complained about rudeness."}
    )

    helper.refresh_from_db()
    offer.refresh_from_db()
    colleague_offer.refresh_from_db()
    assert response.status_code == 302
    assert helper.approval_status == ApprovalStatus.SUSPENDED
    assert helper.approval_note == "Two customers complained about rudeness."
    assert helper.approval_changed_at is not None
    assert offer.status == OfferStatus.WITHDRAWN
    assert colleague_offer.status == OfferStatus.PENDING
    assert messages_of(response) == [("success", "1 helper suspended.")]


def test_suspend_action_without_a_note_changes_nothing(manager_client):
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)
    offer = make_offer(make_help_request(make_user("carla")), helper)

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {
            "action": "suspend_helpers",
            "_selected_action": [helper.pk],
            "confirm": "yes",
            "note": "  ",
        },
    )

    helper.refresh_from_db()
    offer.refresh_from_db()
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert helper.approval_status == ApprovalStatus.APPROVED
    assert helper.approval_changed_at is None
    assert offer.status == OfferStatus.PENDING


def change_form_data(helper: HelperProfile, **overrides: Any) -> dict[str, Any]:
    skills = list(helper.skill_rows.all())
    data: dict[str, Any] = {
        "bio": helper.bio,
        "service_radius_km": helper.service_radius_km,
        "hourly_rate_minor": helper.hourly_rate_minor,
        "is_accepting_jobs": "on" if helper.is_accepting_jobs else "",
        "skill_rows-TOTAL_FORMS": len(skills),
        "skill_rows-INITIAL_FORMS": len(skills),
        "skill_rows-MIN_NUM_FORMS": 0,
        "skill_rows-MAX_NUM_FORMS": 1000,
        "weekly_availability-TOTAL_FORMS": 0,
        "weekly_availability-INITIAL_FORMS": 0,
        "availability_exceptions-TOTAL_FORMS": 0,
        "availability_exceptions-INITIAL_FORMS": 0,
    }
    for index, skill in enumerate(skills):
        data[f"skill_rows-{index}-id"] = skill.pk
        data[f"skill_rows-{index}-helper"] = helper.pk
        data[f"skill_rows-{index}-category"] = skill.category_id
    return {**data, **overrides}


def test_the_change_form_cannot_approve_but_edits_the_profile(manager_client):
    helper = make_helper("anna")

    response = manager_client.post(
        admin_url(HelperProfile, "change", helper.pk),
        change_form_data(helper, bio="Patient with printers.", approval_status="approved"),
    )

    helper.refresh_from_db()
    assert response.status_code == 302
    assert helper.bio == "Patient with printers."
    assert helper.approval_status == ApprovalStatus.APPLIED
    assert helper.approval_changed_at is None


def test_skills_change_through_the_form(manager_client):
    helper = make_helper("anna")
    printer = category("computer-printer")
    data = change_form_data(helper)
    data.update(
        {
            "skill_rows-TOTAL_FORMS": 2,
            "skill_rows-0-DELETE": "on",
            "skill_rows-1-helper": helper.pk,
            "skill_rows-1-category": printer.pk,
        }
    )

    response = manager_client.post(admin_url(HelperProfile, "change", helper.pk), data)

    assert response.status_code == 302
    assert list(helper.skill_rows.values_list("category__slug", flat=True)) == ["computer-printer"]


def test_removing_every_skill_is_refused(manager_client):
    helper = make_helper("anna")

    response = manager_client.post(
        admin_url(HelperProfile, "change", helper.pk),
        change_form_data(helper, **{"skill_rows-0-DELETE": "on"}),
    )

    assert response.status_code == 200
    assert "A helper needs at least one skill." in response.content.decode()
    assert list(helper.skill_rows.values_list("category__slug", flat=True)) == ["internet-wifi"]


# --- Categories ---------------------------------------------------------------------------------


def test_categories_are_edited_from_the_list(manager_client):
    categories = list(ServiceCategory.objects.order_by("position", "slug"))
    data = {
        "form-TOTAL_FORMS": len(categories),
        "form-INITIAL_FORMS": len(categories),
        "_save": "Save",
    }
    for index, row in enumerate(categories):
        data[f"form-{index}-id"] = row.pk
        data[f"form-{index}-position"] = row.position
        data[f"form-{index}-typical_duration_minutes"] = row.typical_duration_minutes
        data[f"form-{index}-is_active"] = "on" if row.is_active else ""
    data["form-0-typical_duration_minutes"] = 120
    data["form-0-is_active"] = ""

    response = manager_client.post(admin_url(ServiceCategory, "changelist"), data)

    first = ServiceCategory.objects.get(pk=categories[0].pk)
    assert response.status_code == 302
    assert (first.typical_duration_minutes, first.is_active) == (120, False)


def test_category_slug_is_prepopulated_from_the_name(manager_client):
    response = manager_client.get(admin_url(ServiceCategory, "add"))

    page = response.content.decode()
    assert "&quot;id&quot;: &quot;#id_slug&quot;" in page
    assert "&quot;dependency_list&quot;: [&quot;name&quot;]" in page


# --- Read-only rows -----------------------------------------------------------------------------


def test_booking_events_cannot_be_added_changed_or_deleted(manager_client, world):
    event = world["event"]
    model_admin = admin.site._registry[BookingEvent]
    request = manager_client.get(admin_url(BookingEvent, "changelist")).wsgi_request

    changed = manager_client.post(
        admin_url(BookingEvent, "change", event.pk),
        {"reason": "rewritten", "to_status": BookingStatus.CANCELLED, "actor_role": "manager"},
    )
    deleted = manager_client.post(admin_url(BookingEvent, "delete", event.pk), {"post": "yes"})
    added = manager_client.get(admin_url(BookingEvent, "add"))

    event.refresh_from_db()
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, event) is False
    assert model_admin.has_delete_permission(request, event) is False
    assert (changed.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    assert (event.reason, event.to_status) == ("customer signed off", BookingStatus.SIGNED_OFF)
    assert BookingEvent.objects.count() == 1


@pytest.mark.parametrize("model", [HelpRequest, Offer, Booking, Review, MatchingRun])
def test_service_owned_rows_cannot_be_added_or_deleted(manager_client, world, model):
    key, _ = PAGES[model]
    row = world[key]

    added = manager_client.get(admin_url(model, "add"))
    deleted = manager_client.post(admin_url(model, "delete", row.pk), {"post": "yes"})

    assert (added.status_code, deleted.status_code) == (403, 403)
    assert model.objects.filter(pk=row.pk).exists()


def test_booking_status_cannot_be_changed_from_the_admin(manager_client, world):
    booking = world["booking"]

    response = manager_client.post(
        admin_url(Booking, "change", booking.pk), {"status": BookingStatus.CANCELLED}
    )

    booking.refresh_from_db()
    assert response.status_code == 403
    assert booking.status == BookingStatus.SIGNED_OFF


def test_reviews_filter_by_published(manager_client, world):
    hidden = Review.objects.create(
        booking=world["booking"],
        author=world["helper"].user,
        subject=world["customer"],
        author_role=ActorRole.HELPER,
        rating=2,
        text="Not there when I arrived.",
    )
    url = admin_url(Review, "changelist")

    published = manager_client.get(url, {"published": "yes"}).content.decode()
    unpublished = manager_client.get(url, {"published": "no"}).content.decode()

    assert "★★★★☆" in published
    assert "★★☆☆☆" not in published
    assert "★★☆☆☆" in unpublished
    assert hidden.published_at is None


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/helpers/helperprofile/", "/admin/bookings/bookingevent/"],
)
def test_a_non_staff_user_is_sent_to_the_login_page(client, path):
    client.force_login(make_user("carla"))

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/?next=")


# --- Queries ------------------------------------------------------------------------------------


def many_rows(count: int) -> None:
    helpers = [make_helper(f"helper{n}", status=ApprovalStatus.APPROVED) for n in range(count)]
    for n, helper in enumerate(helpers):
        customer = make_user(f"customer{n}")
        make_help_request(customer)
        booking = make_booking(customer, helper)
        make_matching_run(booking.help_request, helper)
        Review.objects.create(
            booking=booking,
            author=customer,
            subject=helper.user,
            author_role=ActorRole.CUSTOMER,
            rating=5,
        )


@pytest.mark.parametrize(
    "model",
    [User, HelperProfile, HelpRequest, Offer, Booking, BookingEvent, Review, MatchingRun],
    ids=lambda model: model.__name__,
)
def test_changelists_do_not_query_per_row(manager_client, django_assert_max_num_queries, model):
    many_rows(12)
    assert model.objects.count() >= 12

    with django_assert_max_num_queries(12):
        response = manager_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
