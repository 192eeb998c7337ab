"""The API answers in the reader's language: the one the request asks for (Accept-Language),
else the one stored on the user; English when neither says. Each refusal below is a
representative code of one app, provoked over HTTP, and its whole answer (message and field
messages) is compared with the exact words of the catalogue, so a message left untranslated,
or a language not followed, fails here. The meta test (tests/test_messages_translatable.py)
makes it hold for every message a service raises."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from bookings.models import BookingStatus, HelpRequest, OfferStatus
from helpers.models import HelperProfile
from tests.api.api_assertions import API, client_for, row_counts, token_client
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    next_slot_start,
    pending_offer,
    post_request,
)
from tests.realtime.helpers import api_token

pytestmark = pytest.mark.django_db


def _answer(response: Any) -> tuple[int, str, str, dict[str, list[str]]]:
    body = response.json()
    return response.status_code, body["code"], body["message"], body["fields"]


def _window_in_the_past() -> dict[str, Any]:
    start = next_slot_start() - timedelta(days=5)
    return {
        "category": "internet-wifi",
        "description": "The Wi-Fi drops every evening around eight.",
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "windows": [
            {
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
            }
        ],
    }


WINDOW_IN_THE_PAST = {
    "de": "Das Zeitfenster beginnt in der Vergangenheit.",
    "fr": "La plage horaire commence dans le passé.",
    "it": "La fascia oraria inizia nel passato.",
    "en": "The window starts in the past.",
}


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_a_service_refusal_on_a_field_speaks_the_language_asked_for(language):
    # Given a customer
    customer = UserFactory.create()

    # When they post a request whose only window has passed, asking for a language
    response = client_for(customer).post(
        f"{API}/help-requests", _window_in_the_past(), HTTP_ACCEPT_LANGUAGE=language
    )

    # Then the refusal and its field message are in that language, and nothing was written
    words = WINDOW_IN_THE_PAST[language]
    assert _answer(response) == (400, "window_in_past", words, {"windows[0]": [words]})
    assert response["Content-Language"] == language
    assert HelpRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "Dieser Besuch ist nicht beanstandet: Es gibt nichts zu entscheiden."),
        ("fr", "Cette visite n’est pas contestée : il n’y a rien à trancher."),
        ("it", "Questa visita non è contestata: non c’è nulla da decidere."),
    ],
)
def test_a_conflict_speaks_the_language_asked_for(language, words):
    # Given a proposed booking, not in dispute
    booking = make_booking(BookingStatus.PROPOSED)
    before = row_counts()

    # When the manager resolves it anyway, asking for a language
    response = client_for(ManagerFactory.create()).post(
        f"{API}/bookings/{booking.public_id}/resolve-dispute",
        {"outcome": "visit_void", "note": "No dispute here.", "caused_by": "helper"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then the conflict says so in that language, and nothing changed
    assert _answer(response) == (409, "illegal_transition", words, {})
    assert row_counts() == before


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "Der Einsatzradius muss zwischen 1 und 50 km liegen."),
        ("fr", "Le rayon d’intervention doit être compris entre 1 et 50 km."),
        ("it", "Il raggio d’intervento deve essere compreso tra 1 e 50 km."),
    ],
)
def test_a_helpers_refusal_with_a_number_in_it_speaks_the_language_asked_for(language, words):
    # Given a customer who applies to help
    user = UserFactory.create()

    # When their service radius is out of bounds
    response = client_for(user).post(
        f"{API}/helper/profile",
        {"skills": ["internet-wifi"], "service_radius_km": 500},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then the number stands in the translated sentence, and no profile was made
    assert _answer(response) == (400, "invalid_radius", words, {"service_radius_km": [words]})
    assert HelperProfile.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "Diesen Besuch gibt es nicht."),
        ("fr", "Cette visite n’existe pas."),
        ("it", "Questa visita non esiste."),
    ],
)
def test_not_found_speaks_the_language_asked_for(language, words):
    # Given someone else's booking
    booking = make_booking(BookingStatus.CONFIRMED)

    # When a stranger asks for its receipt
    response = client_for(UserFactory.create()).get(
        f"{API}/bookings/{booking.public_id}/receipt", HTTP_ACCEPT_LANGUAGE=language
    )

    # Then "no such booking", in that language
    assert _answer(response) == (404, "not_found", words, {})


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "de",
            "Für diesen Besuch gibt es noch keine Quittung: "
            "Sie folgt, sobald die Zahlung erfolgt ist.",
        ),
        (
            "fr",
            "Cette visite n’a pas encore de reçu : il suit dès que le paiement est encaissé.",
        ),
        (
            "it",
            "Questa visita non ha ancora una ricevuta: arriva non appena il pagamento è incassato.",
        ),
    ],
)
def test_a_payments_refusal_speaks_the_language_asked_for(language, words):
    # Given a confirmed booking, its payment not taken yet
    booking = make_booking(BookingStatus.CONFIRMED)

    # When its customer asks for its payment
    response = client_for(booking.help_request.customer).get(
        f"{API}/bookings/{booking.public_id}/receipt", HTTP_ACCEPT_LANGUAGE=language
    )

    # Then there is no receipt yet, in that language
    assert _answer(response) == (409, "no_receipt_yet", words, {})


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "Unbekannte Kategorie 'knitting'."),
        ("fr", "Catégorie inconnue : 'knitting'."),
        ("it", "Categoria sconosciuta: 'knitting'."),
    ],
)
def test_a_serializer_refusal_of_our_own_speaks_the_language_asked_for(language, words):
    # When a customer asks for help in a category that does not exist
    response = client_for(UserFactory.create()).post(
        f"{API}/help-requests",
        {**_window_in_the_past(), "category": "knitting"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then the field says so in that language (the message names the field, as always)
    assert _answer(response) == (
        400,
        "unknown_category",
        f"category: {words}",
        {"category": [words]},
    )
    assert HelpRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "required", "choice"),
    [
        ("en", "This field is required.", "“too_cold” is not one of the choices."),
        ("de", "Dieses Feld ist zwingend erforderlich.", "«too_cold» steht nicht zur Wahl."),
        ("fr", "Ce champ est obligatoire.", "« too_cold » ne fait pas partie des choix possibles."),
        ("it", "Campo obbligatorio.", "«too_cold» non è tra le scelte possibili."),
    ],
)
def test_drfs_field_messages_come_in_the_language_asked_for(language, required, choice):
    # Given a helper with a pending offer
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)
    client = client_for(helper.user)

    # When a request misses a required field, and a decline gives an unknown reason
    missing = client.post(f"{API}/help-requests", {}, HTTP_ACCEPT_LANGUAGE=language)
    declined = client.post(
        f"{API}/offers/{offer.public_id}/decline",
        {"reason": "too_cold"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then a missing field is said in DRF's words, a choice that is not one in Quartier's
    # (mobile_api.field_words), in that language
    assert missing.status_code == 400
    assert missing.json()["fields"]["category"] == [required]
    assert _answer(declined) == (400, "invalid_choice", f"reason: {choice}", {"reason": [choice]})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "Diesen API-Endpunkt gibt es nicht."),
        ("fr", "Ce point d’accès de l’API n’existe pas."),
        ("it", "Questo endpoint dell’API non esiste."),
    ],
)
def test_an_unknown_endpoint_speaks_the_language_asked_for(language, words):
    response = APIClient().get(f"{API}/no-such-thing", HTTP_ACCEPT_LANGUAGE=language)

    assert _answer(response) == (404, "not_found", words, {})


# --- The language stored on the user --------------------------------------------------------


def test_without_accept_language_the_api_speaks_the_users_stored_language():
    # Given a customer who keeps Italian on their account, logged in with a token
    customer = UserFactory.create(preferred_language="it")
    client = token_client(api_token(customer))

    # When they post a request whose window has passed, without Accept-Language
    response = client.post(f"{API}/help-requests", _window_in_the_past())

    # Then the answer is in Italian
    words = WINDOW_IN_THE_PAST["it"]
    assert _answer(response) == (400, "window_in_past", words, {"windows[0]": [words]})
    assert response["Content-Language"] == "it"
    assert HelpRequest.objects.count() == 0


def test_the_users_stored_language_also_holds_with_a_session():
    # Given a customer who keeps Italian, logged in with the session cookie (the web app's)
    customer = UserFactory.create(preferred_language="it")
    client = APIClient()
    client.force_login(customer)

    # When they ask for the receipt of someone else's booking
    booking = make_booking(BookingStatus.CONFIRMED)
    response = client.get(f"{API}/bookings/{booking.public_id}/receipt")

    # Then the answer is in Italian
    assert _answer(response) == (404, "not_found", "Questa visita non esiste.", {})


def test_accept_language_wins_over_the_users_stored_language():
    # Given a customer who keeps Italian on their account
    customer = UserFactory.create(preferred_language="it")
    client = token_client(api_token(customer))

    # When the request asks for French
    response = client.post(
        f"{API}/help-requests", _window_in_the_past(), HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9"
    )

    # Then the answer is in French
    words = WINDOW_IN_THE_PAST["fr"]
    assert _answer(response) == (400, "window_in_past", words, {"windows[0]": [words]})


def test_a_language_quartier_does_not_speak_falls_back_to_the_users():
    # Given a customer who keeps German, asking in Spanish only
    customer = UserFactory.create(preferred_language="de")
    client = token_client(api_token(customer))

    response = client.post(f"{API}/help-requests", _window_in_the_past(), HTTP_ACCEPT_LANGUAGE="es")

    # Then the answer is in German
    words = WINDOW_IN_THE_PAST["de"]
    assert _answer(response) == (400, "window_in_past", words, {"windows[0]": [words]})


def test_an_anonymous_caller_without_accept_language_is_answered_in_english():
    response = APIClient().get(f"{API}/no-such-thing")

    assert _answer(response) == (404, "not_found", "There is no such API endpoint.", {})
