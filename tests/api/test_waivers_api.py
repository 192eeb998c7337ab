"""Waivers over HTTP: the page's text is what is hashed and recorded, and a visit is not
confirmed before the customer accepted."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.test import Client

from bookings.models import BookingStatus
from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import ManagerFactory, UserFactory, make_booking, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def waivers():
    manager = ManagerFactory.create()
    terms = LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS)
    safety = LegalDocument.objects.create(
        slug="data-safety", kind=LegalDocumentKind.DATA_SAFETY_WAIVER
    )
    return [
        publish(terms, manager, text="Quartier vermittelt; der Vertrag gilt mit der Helferin."),
        publish(safety, manager, text="Sichern Sie Ihre Daten vor dem Besuch. Grüsse, « ok »"),
    ]


def test_the_acceptance_holds_the_hash_of_the_text_the_page_showed(waivers):
    customer = UserFactory.create(preferred_language="fr")
    client = client_for(customer)

    # When the customer reads the waivers for a category, in their language
    shown = client.get(f"{API}/waivers", {"category": "internet-wifi"}).json()
    assert [(w["document"], w["language"], w["accepted"]) for w in shown] == [
        ("terms", "fr", False),
        ("data-safety", "fr", False),
    ]
    # And accepts each with the hash of the text as rendered (recomputed here from the page)
    for waiver in shown:
        digest = hashlib.sha256(waiver["text"].encode("utf-8")).hexdigest()
        assert digest == waiver["text_sha256"]
        response = client.post(
            f"{API}/waivers/accept",
            {
                "version": waiver["version"],
                "language": "fr",
                "text_sha256": digest,
                "on_behalf_name": "Maman",
            },
            HTTP_USER_AGENT="Quartier-Test/1.0",
            REMOTE_ADDR="203.0.113.5",
        )
        assert response.status_code == 201, response.content

    # Then the rows hold that hash, the language, the address, the browser and for whom
    rows = LegalAcceptance.objects.filter(user=customer).order_by("pk")
    assert [
        (r.version_id, r.language, r.text_sha256, r.ip_address, r.user_agent, r.on_behalf_name)
        for r in rows
    ] == [
        (w["version"], "fr", w["text_sha256"], "203.0.113.5", "Quartier-Test/1.0", "Maman")
        for w in shown
    ]
    again = client.get(f"{API}/waivers", {"category": "internet-wifi"}).json()
    assert [w["accepted"] for w in again] == [True, True]


def test_a_hash_of_another_text_is_refused_over_http(waivers):
    client = client_for(UserFactory.create())
    [terms, _] = client.get(f"{API}/waivers", {"language": "de"}).json()

    response = client.post(
        f"{API}/waivers/accept",
        {"version": terms["version"], "language": "de", "text_sha256": "a" * 64},
    )

    assert_error(
        response,
        400,
        "text_hash_mismatch",
        {"text_sha256"},
        documented_in=("post", "/api/v1/waivers/accept"),
    )
    assert LegalAcceptance.objects.count() == 0


def test_confirming_a_visit_without_the_waivers_is_refused_over_http(waivers):
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, customer=customer)
    LegalAcceptance.objects.filter(user=customer).delete()
    proposal = booking.proposals.get(status="proposed")

    response = client_for(customer).post(
        f"{API}/bookings/{booking.public_id}/confirm", {"proposal": str(proposal.public_id)}
    )

    assert_error(response, 409, "waivers_not_accepted", set())
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PROPOSED


def test_the_manager_exports_a_visits_acceptances_as_the_console_does(waivers):
    # Given a visit confirmed once the customer accepted the current terms and waivers
    booking = make_booking(BookingStatus.CONFIRMED)
    manager = ManagerFactory.create()
    customer = booking.help_request.customer

    # When the manager asks the API for its acceptances
    response = client_for(manager).get(f"{API}/manager/bookings/{booking.public_id}/acceptances")

    # Then it answers the same export the console downloads, with each text's hash
    assert response.status_code == 200
    body = response.json()
    web = Client()
    web.force_login(manager)
    assert body == json.loads(
        web.get(f"/manage/bookings/{booking.public_id}/acceptances.json").content
    )
    rows = LegalAcceptance.objects.filter(user=customer).order_by("pk")
    assert [
        (row["document"], row["role"], row["version"], row["language"], row["text_sha256"])
        for row in body["acceptances"]
    ] == [
        ("terms", "customer", 1, "de", rows[0].version.sha256_in("de")),
        ("data-safety", "customer", 1, "de", rows[1].version.sha256_in("de")),
    ]
    assert body["in_force_at"] == booking.events.get(to_status="confirmed").created_at.isoformat()


def test_the_acceptances_export_does_not_exist_for_the_visits_own_people(waivers):
    booking = make_booking(BookingStatus.CONFIRMED)
    for user in (booking.help_request.customer, booking.helper.user):
        response = client_for(user).get(f"{API}/manager/bookings/{booking.public_id}/acceptances")
        assert_error(response, 404, "not_found")
