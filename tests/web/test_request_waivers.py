"""The customer's terms and waivers on the web: a customer who has not accepted them reads them
on the request's page, ticks each one and can then confirm a time; each acceptance holds the
SHA-256 of exactly the text the page showed, and a refused acceptance stores nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from bookings.models import Booking, BookingStatus
from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind
from tests.factories import ManagerFactory, UserFactory, make_booking, publish
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def waivers():
    manager = ManagerFactory.create()
    return [
        publish(
            LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS),
            manager,
            text="Quartier brings neighbours together.",
        ),
        publish(
            LegalDocument.objects.create(
                slug="data-safety", kind=LegalDocumentKind.DATA_SAFETY_WAIVER
            ),
            manager,
            text="Back up your data before the visit.",
        ),
    ]


def _proposed(client, language: str = "de") -> tuple[Booking, str]:
    """A visit with times proposed to a customer who has accepted nothing yet, logged in."""
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, customer=customer)
    LegalAcceptance.objects.filter(user=customer).delete()
    _logged_in(client, customer, language)
    return booking, f"/requests/{booking.help_request.public_id}/"


def _ticked(waivers, language: str = "de", **extra: str) -> dict[str, str]:
    data = {f"waivers-accept_{version.pk}": "on" for version in waivers}
    data |= {f"waivers-shown_{version.pk}": version.sha256_in(language) for version in waivers}
    return data | extra


def test_the_page_shows_the_terms_to_accept_before_a_time_can_be_confirmed(client, waivers):
    booking, page_url = _proposed(client)

    html = client.get(page_url).content.decode()

    assert "Bevor Sie bestätigen: die Bedingungen des Besuchs" in html
    for version in waivers:
        assert f"«{version.title_in('de')}» lesen" in html
        assert version.text_in("de") in html
        assert f"Ich habe gelesen und akzeptiere: {version.title_in('de')}" in html
        assert f'value="{version.sha256_in("de")}"' in html
    assert "Akzeptieren Sie zuerst die Bedingungen oben" in html
    assert f'action="/requests/{booking.help_request.public_id}/confirm"' in html
    assert "bestätigen</button>" not in html


def test_confirming_before_accepting_is_refused_with_the_titles_and_changes_nothing(
    client, waivers
):
    booking, page_url = _proposed(client)
    proposal = booking.proposals.get(status="proposed")

    response = client.post(f"{page_url}confirm", {"proposal": str(proposal.public_id)})

    assert response.status_code == 302
    said = [str(message) for message in get_messages(response.wsgi_request)]
    titles = ", ".join(version.title_in("de") for version in waivers)
    assert said == [
        f"Akzeptieren Sie zuerst die Bedingungen und Haftungsverzichte für diesen Besuch: {titles}."
    ]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PROPOSED
    assert LegalAcceptance.objects.count() == 0


def test_boxes_left_unticked_are_refused_next_to_them_and_store_nothing(client, waivers):
    booking, page_url = _proposed(client)
    data = _ticked(waivers)
    del data[f"waivers-accept_{waivers[1].pk}"]

    response = client.post(f"{page_url}waivers", data)

    html = refused_page(client, response, page_url)
    assert _errors_of(html, f"id_waivers-accept_{waivers[1].pk}") == [
        "Kreuzen Sie dieses Feld an, um zu akzeptieren."
    ]
    assert _errors_of(html, f"id_waivers-accept_{waivers[0].pk}") == []
    assert LegalAcceptance.objects.count() == 0


def test_accepting_records_the_text_shown_and_for_whom_then_the_time_is_confirmed(client, waivers):
    booking, page_url = _proposed(client)
    customer = booking.help_request.customer

    response = client.post(
        f"{page_url}waivers",
        _ticked(waivers, **{"waivers-on_behalf_name": "Rosa Keller"}),
        headers={"user-agent": "Firefox on a tablet"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == page_url
    stored = LegalAcceptance.objects.filter(user=customer).order_by("version_id")
    assert [
        (a.version_id, a.language, a.text_sha256, a.on_behalf_name, a.ip_address, a.user_agent)
        for a in stored
    ] == [
        (v.pk, "de", v.sha256_in("de"), "Rosa Keller", "127.0.0.1", "Firefox on a tablet")
        for v in waivers
    ]
    html = client.get(page_url).content.decode()
    assert "Bevor Sie bestätigen" not in html
    assert "Danke. Wählen Sie jetzt eine Zeit, um den Besuch zu bestätigen." in html
    proposal = booking.proposals.get(status="proposed")
    assert (
        client.post(f"{page_url}confirm", {"proposal": str(proposal.public_id)}).status_code == 302
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_terms_are_shown_and_recorded_in_the_readers_language(client, waivers):
    booking, page_url = _proposed(client, "fr")
    html = client.get(page_url).content.decode()
    assert f"Lire « {waivers[0].title_in('fr')} »" in html
    assert waivers[0].text_in("fr") in html

    client.post(f"{page_url}waivers", _ticked(waivers, "fr"))

    assert set(LegalAcceptance.objects.values_list("language", flat=True)) == {"fr"}


def test_a_text_changed_since_the_page_was_shown_stores_none_of_them(client, waivers):
    booking, page_url = _proposed(client)
    # The first text as shown; the second is not the text the page had shown
    data = _ticked(waivers) | {f"waivers-shown_{waivers[1].pk}": "0" * 64}

    response = client.post(f"{page_url}waivers", data)

    assert response.status_code == 302
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Der angezeigte Text ist nicht der Text dieser Fassung."]
    assert LegalAcceptance.objects.count() == 0


def test_a_version_published_while_the_page_was_open_is_asked_for_and_nothing_stored(
    client, waivers
):
    booking, page_url = _proposed(client)
    shown = _ticked(waivers)
    newer = publish(waivers[1].document, ManagerFactory.create(), text="Back up twice.")

    response = client.post(f"{page_url}waivers", shown)

    html = refused_page(client, response, page_url)
    assert _errors_of(html, f"id_waivers-accept_{newer.pk}") == [
        "Kreuzen Sie dieses Feld an, um zu akzeptieren."
    ]
    assert "Back up twice." in html
    assert LegalAcceptance.objects.count() == 0


def test_a_visit_already_confirmed_asks_for_nothing(client, waivers):
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer)
    _logged_in(client, customer, "de")
    html = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    assert "Bevor Sie bestätigen" not in html


def test_a_request_for_a_relative_offers_the_terms_in_that_persons_name(client, waivers):
    booking, page_url = _proposed(client, "it")
    help_request = booking.help_request
    help_request.on_behalf_name = "Mario Bernasconi"
    help_request.on_behalf_phone = "091 825 12 34"
    help_request.save(update_fields=["on_behalf_name", "on_behalf_phone"])

    html = client.get(page_url).content.decode()

    assert 'name="waivers-on_behalf_name"' in html
    assert 'value="Mario Bernasconi"' in html


def test_the_name_asked_with_the_terms_is_not_read_as_the_bookers_own(client, waivers):
    _booking, page_url = _proposed(client, "it")
    html = client.get(page_url).content.decode()
    assert "Prenota per un’altra persona? Il nome di questa persona" in html
    assert "Il suo nome" not in html


def test_the_helpers_languages_are_named_in_the_readers_words(client, waivers):
    # Given a helper who speaks German and Italian, and a customer reading Italian
    booking, page_url = _proposed(client, "it")
    type(booking.helper.user).objects.filter(pk=booking.helper.user_id).update(
        languages=["de", "it"]
    )

    html = client.get(page_url).content.decode()

    # Then both are named in Italian (they were each in itself: "Deutsch, italiano")
    assert "Parla: tedesco, italiano</p>" in html
