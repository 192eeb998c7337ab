"""The manager's console for the terms and waivers through Django's test client: versions,
publishing a new one, acceptance rates, and a visit's acceptances exported as JSON and PDF."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from bookings import services
from bookings.models import BookingStatus
from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind, LegalDocumentVersion
from catalogue.services import legal_accept
from tests.academy.builders import texts
from tests.factories import (
    ManagerFactory,
    UserFactory,
    category,
    make_booking,
    make_helper,
    post_request,
    publish,
)
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return ManagerFactory.create()


@pytest.fixture
def documents(manager):
    terms = LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS)
    banking = LegalDocument.objects.create(
        slug="banking-devices",
        kind=LegalDocumentKind.CATEGORY_WAIVER,
        category=category("internet-wifi"),
    )
    conduct = LegalDocument.objects.create(
        slug="code-of-conduct", kind=LegalDocumentKind.HELPER_CODE_OF_CONDUCT
    )
    for document in (terms, banking, conduct):
        publish(document, manager)
    return terms, banking, conduct


def _accept(user, document: LegalDocument, language: str = "de", **extra) -> LegalAcceptance:
    version = document.versions.order_by("-number")[0]
    return legal_accept(
        user=user,
        version=version,
        language=language,
        text_sha256=version.sha256_in(language),
        **extra,
    )


def test_the_list_shows_each_documents_current_version_and_acceptance_rate(
    client, manager, documents
):
    terms, _banking, conduct = documents
    # Given two customers who asked for help, one of whom accepted the terms
    first, second = UserFactory.create(), UserFactory.create()
    for customer in (first, second):
        post_request(customer)
    _accept(first, terms)
    # And a new version of the code of conduct that one of two approved helpers accepted
    helpers = [make_helper(), make_helper()]
    publish(conduct, manager, text="Be kind.")
    _accept(helpers[0].user, conduct)

    html = _logged_in(client, manager).get("/manage/waivers/").content.decode()

    # Then each document shows its version in force and how many of those who must accepted
    rows = html[html.index('id="waivers"') :]
    terms_row = rows[rows.index("terms (en)") :]
    assert terms_row.index("1 of 2 (50 %)") < terms_row.index("</tr>")
    conduct_row = rows[rows.index("code-of-conduct (en)") :]
    assert 'data-label="Current version">2</td>' in conduct_row[: conduct_row.index("</tr>")]
    assert conduct_row.index("1 of 2 (50 %)") < conduct_row.index("</tr>")


def test_a_new_version_is_published_and_the_old_one_stays_as_it_was(client, manager, documents):
    terms = documents[0]
    first = terms.versions.get()
    client = _logged_in(client, manager)
    # The form starts as the text in force
    page = client.get("/manage/waivers/terms/").content.decode()
    assert "[fr] The terms of terms." in page

    response = client.post(
        "/manage/waivers/terms/",
        {**texts("title", "Terms 2025"), **texts("text", "Quartier finds a helper.")},
    )

    assert response.status_code == 302
    newest = terms.versions.order_by("-number").first()
    assert (newest.number, newest.title_it, newest.text_de, newest.published_by) == (
        2,
        "Terms 2025 (it)",
        "Quartier finds a helper. (de)",
        manager,
    )
    assert LegalDocumentVersion.objects.get(pk=first.pk).text_de == first.text_de
    html = client.get("/manage/waivers/terms/").content.decode()
    assert html.index("2 (in force)") < html.index("<td>1</td>")


def test_a_version_lacking_a_language_is_refused_and_nothing_is_published(
    client, manager, documents
):
    data = {**texts("title", "Terms 2025"), **texts("text", "Quartier finds a helper.")}
    data["text_it"] = "  "

    response = _logged_in(client, manager).post("/manage/waivers/terms/", data)

    # Back on the document's page at its own address, the texts typed kept
    shown = shown_once(client, response, "/manage/waivers/terms/")
    assert _errors_of(shown, "id_text_it") == ["This field is required."]
    assert "\nQuartier finds a helper. (de)</textarea>" in shown
    assert documents[0].versions.count() == 1


def _confirmed_visit(documents):
    """A visit confirmed after the customer (booking for her mother) and the helper accepted;
    then both accept again later (not in force for this visit)."""
    terms, banking, conduct = documents
    helper = make_helper()
    _accept(helper.user, conduct, "it", ip_address="198.51.100.7", user_agent="HelperApp/2")
    customer = UserFactory.create(display_name="Lea Muster", email="lea@example.ch")
    booking = make_booking(BookingStatus.PROPOSED, customer=customer, helper=helper)
    for document in (terms, banking):
        _accept(
            customer,
            document,
            "fr",
            ip_address="203.0.113.5",
            user_agent="Firefox/130",
            on_behalf_name="Maman",
        )
    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        _accept(customer, terms, "de", ip_address="203.0.113.9")
    return booking, customer, helper


def test_the_export_holds_the_acceptances_in_force_at_confirmation(client, manager, documents):
    booking, customer, helper = _confirmed_visit(documents)
    terms, banking, conduct = documents
    rows = {
        (row.user_id, row.version.document_id): row
        for row in LegalAcceptance.objects.filter(ip_address__in=["203.0.113.5", "198.51.100.7"])
    }
    confirmed_at = booking.events.get(to_status="confirmed").created_at

    response = _logged_in(client, manager).get(
        f"/manage/bookings/{booking.public_id}/acceptances.json"
    )

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="acceptances-{booking.public_id}.json"'
    )
    body = json.loads(response.content)
    assert body["booking"] == str(booking.public_id)
    assert body["in_force_at"] == confirmed_at.isoformat()
    assert body["confirmed"] is True

    def expected(user, document, role, language, ip, agent, behalf):
        row = rows[(user.pk, document.pk)]
        return {
            "user": str(user.public_id),
            "user_name": user.display_name,
            "user_email": user.email,
            "role": role,
            "on_behalf_of": behalf,
            "document": document.slug,
            "document_kind": document.kind,
            "title": f"{document.slug} ({language})",
            "version": 1,
            "language": language,
            "text_sha256": row.version.sha256_in(language),
            "accepted_at": row.accepted_at.isoformat(),
            "ip_address": ip,
            "user_agent": agent,
        }

    assert body["acceptances"] == [
        expected(customer, banking, "customer", "fr", "203.0.113.5", "Firefox/130", "Maman"),
        expected(customer, terms, "customer", "fr", "203.0.113.5", "Firefox/130", "Maman"),
        expected(helper.user, conduct, "helper", "it", "198.51.100.7", "HelperApp/2", ""),
    ]


def test_the_pdf_says_the_same_with_every_texts_hash(client, manager, documents):
    booking, customer, _helper = _confirmed_visit(documents)
    terms = documents[0]

    response = _logged_in(client, manager, "de").get(
        f"/manage/bookings/{booking.public_id}/acceptances.pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert f"Zustimmungen zum Besuch {booking.public_id}" in text
    assert terms.versions.get().sha256_in("fr") in text
    assert "lea@example.ch" in text
    assert "Maman" in text
    assert "203.0.113.9" not in text
    assert text.count("SHA-256") == 3


def test_the_dispute_page_links_the_export(client, manager, documents):
    helper = make_helper()
    _accept(helper.user, documents[2])
    booking = make_booking(BookingStatus.DISPUTED, helper=helper)
    html = _logged_in(client, manager).get(f"/manage/disputes/{booking.public_id}/").content
    assert f"/manage/bookings/{booking.public_id}/acceptances.pdf".encode() in html
    assert f"/manage/bookings/{booking.public_id}/acceptances.json".encode() in html


def test_the_request_page_links_the_export_of_its_visit(client, manager):
    booking = make_booking(BookingStatus.CONFIRMED)
    html = (
        _logged_in(client, manager)
        .get(f"/manage/requests/{booking.help_request.public_id}/")
        .content.decode()
    )
    links = html[html.index('id="acceptances-export"') :]
    assert f"/manage/bookings/{booking.public_id}/acceptances.pdf" in links
    assert f"/manage/bookings/{booking.public_id}/acceptances.json" in links


def test_the_waiver_pages_do_not_query_per_version(
    client, manager, documents, django_assert_num_queries
):
    terms = documents[0]
    for _ in range(5):
        publish(terms, manager)
    client = _logged_in(client, manager)
    with django_assert_num_queries(4):
        assert client.get("/manage/waivers/terms/").status_code == 200


def test_a_documents_page_is_named_by_its_title_and_its_languages_by_their_names(
    client, manager, documents
):
    _terms, banking, _conduct = documents
    version = banking.versions.get()
    _logged_in(client, manager, "it")

    html = client.get(f"/manage/waivers/{banking.slug}/").content.decode()

    assert f"<title>{version.title_it} · Quartier</title>" in html
    assert f"<h1>Liberatoria per una categoria: {version.title_it}</h1>" in html
    assert "<td>tedesco, francese, italiano, inglese</td>" in html
