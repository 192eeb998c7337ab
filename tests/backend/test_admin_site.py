"""The back office as a whole: every model has pages that render, only staff get in, and
changelists cost a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import warnings

import pytest
from django.contrib import admin

from backend.models import LoginFailureCounter, User
from bookings.models import (
    ActorRole,
    Booking,
    BookingEvent,
    HelpRequest,
    MatchingRun,
    Offer,
    Review,
)
from catalogue.models import (
    LegalAcceptance,
    LegalDocument,
    LegalDocumentVersion,
    ServiceCategory,
)
from helpers.models import (
    ApprovalStatus,
    ConductTestAttempt,
    ConductTestQuestion,
    ConductTestVersion,
    DocumentAccess,
    HelperDocument,
    HelperProfile,
)
from tests.admin_world import (
    admin_url,
    make_booking,
    make_help_request,
    make_helper,
    make_matching_run,
    make_user,
)

pytestmark = pytest.mark.django_db


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
    ConductTestVersion: ("conduct_version", "cora@example.ch"),
    ConductTestQuestion: ("conduct_question", "Question 1 (en)"),
    ConductTestAttempt: ("conduct_attempt", "Hugo (helper)"),
}


def test_every_model_of_the_project_has_an_admin_page():
    project_apps = {"backend", "catalogue", "helpers", "bookings"}
    registered = {model for model in admin.site._registry if model._meta.app_label in project_apps}
    assert registered == set(PAGES)


@pytest.mark.parametrize("model", list(PAGES), ids=lambda model: model.__name__)
def test_changelist_shows_the_row(manager_client, admin_world, model):
    key, text = PAGES[model]

    response = manager_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert text in response.content.decode()


@pytest.mark.parametrize("model", list(PAGES), ids=lambda model: model.__name__)
def test_change_page_shows_the_row(manager_client, admin_world, model):
    key, text = PAGES[model]

    response = manager_client.get(admin_url(model, "change", admin_world[key].pk))

    assert response.status_code == 200
    assert text in response.content.decode()


def test_location_fields_are_text_and_never_a_geojson_form_field(manager_client, admin_world):
    pages = [
        admin_url(User, "change", admin_world["customer"].pk),
        admin_url(HelpRequest, "change", admin_world["help_request"].pk),
        admin_url(HelperProfile, "change", admin_world["helper"].pk),
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


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/helpers/helperprofile/", "/admin/bookings/bookingevent/"],
)
def test_a_non_staff_user_is_sent_to_the_login_page(client, path):
    client.force_login(make_user("carla"))

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/?next=")


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
