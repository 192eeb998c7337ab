"""A field sent wrong is answered in Quartier's words in every language, where DRF's own
translation was wrong ("non può essere omesso" for an empty text) or spoke otherwise than
Quartier ("Stelle sicher", "Assicurati"): an empty text, a null, a text too long, a number or
a date-time that is none, a choice that is not one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation
from rest_framework import exceptions, serializers, validators

from bookings.models import HelpRequest
from helpers.models import HelperProfile
from mobile_api.field_words import FIELD_MESSAGES, OTHER_MESSAGES
from tests.api.api_assertions import API, client_for
from tests.factories import UserFactory, make_helper, next_slot_start

pytestmark = pytest.mark.django_db

# How DRF names the date-time it reads (ISO 8601), in the message of one it cannot.
ISO_8601 = "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]"
WORDS = {
    "en": {
        "blank": "This field may not be empty.",
        "null": "This field needs a value.",
        "max_length": "Use at most 120 characters.",
        "datetime": f"Give the date and time in this form: {ISO_8601}.",
        "integer": "Give a whole number.",
        "number": "Give a number.",
    },
    "de": {
        "blank": "Dieses Feld darf nicht leer sein.",
        "null": "Dieses Feld braucht einen Wert.",
        "max_length": "Verwenden Sie höchstens 120 Zeichen.",
        "datetime": f"Geben Sie Datum und Uhrzeit in dieser Form an: {ISO_8601}.",
        "integer": "Geben Sie eine ganze Zahl an.",
        "number": "Geben Sie eine Zahl an.",
    },
    "fr": {
        "blank": "Ce champ ne peut pas être vide.",
        "null": "Ce champ doit avoir une valeur.",
        "max_length": "Utilisez au plus 120 caractères.",
        "datetime": f"Indiquez la date et l’heure sous cette forme : {ISO_8601}.",
        "integer": "Indiquez un nombre entier.",
        "number": "Indiquez un nombre.",
    },
    "it": {
        "blank": "Questo campo non può essere vuoto.",
        "null": "Questo campo deve avere un valore.",
        "max_length": "Usi al massimo 120 caratteri.",
        "datetime": f"Indichi data e ora in questa forma: {ISO_8601}.",
        "integer": "Indichi un numero intero.",
        "number": "Indichi un numero.",
    },
}
LANGUAGES = tuple(WORDS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_sent_wrong_is_answered_field_by_field_in_quartiers_words(language):
    # Given a customer
    client = client_for(UserFactory.create())

    # When they post a request with an empty description, a street too long, a null name and a
    # start that is no date-time, in a language
    response = client.post(
        f"{API}/help-requests",
        {
            "category": "internet-wifi",
            "description": "",
            "street": "x" * 121,
            "on_behalf_name": None,
            "windows": [{"starts_at": "tomorrow at nine", "ends_at": "2026-05-04T10:00:00+02:00"}],
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then each field says what is wrong in Quartier's words in that language
    words = WORDS[language]
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["fields"] == {
        "street": [words["max_length"]],
        "description": [words["blank"]],
        "windows[0].starts_at": [words["datetime"]],
        "on_behalf_name": [words["null"]],
    }
    # And the code and the message are the first field's, as always
    assert (body["code"], body["message"]) == ("max_length", f"street: {words['max_length']}")
    # And nothing was written
    assert HelpRequest.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rate_that_is_no_number_is_refused_in_quartiers_words(language):
    # Given someone applying as a helper
    client = client_for(UserFactory.create())

    # When the hourly rate is words
    response = client.post(
        f"{API}/helper/profile",
        {"skills": ["internet-wifi"], "hourly_rate_minor": "forty francs"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then the rate is refused in that language, and no profile was made
    words = WORDS[language]["integer"]
    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "validation_invalid",
        "message": f"hourly_rate_minor: {words}",
        "fields": {"hourly_rate_minor": [words]},
    }
    assert HelperProfile.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_field_says_it_in_quartiers_words(language):
    """No input of the API reads a fraction yet; a field that would says it the same way."""
    with translation.override(language), pytest.raises(serializers.ValidationError) as refused:
        serializers.FloatField().run_validation("a little")

    assert refused.value.detail == [WORDS[language]["number"]]


# A value of the wrong type, and a list too long: DRF's Italian left these in English ("Not a
# valid string.") and its German said "du" ("Stelle sicher").
TYPE_WORDS = {
    "en": {
        "text": "Give a text.",
        "items": "Give at most 20 items.",
        "boolean": "Give true or false.",
    },
    "de": {
        "text": "Geben Sie einen Text an.",
        "items": "Geben Sie höchstens 20 Einträge an.",
        "boolean": "Geben Sie true oder false an.",
    },
    "fr": {
        "text": "Indiquez un texte.",
        "items": "Indiquez au plus 20 éléments.",
        "boolean": "Indiquez true ou false.",
    },
    "it": {
        "text": "Indichi un testo.",
        "items": "Indichi al massimo 20 elementi.",
        "boolean": "Indichi true o false.",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_type_or_too_many_items_are_refused_in_quartiers_words(language):
    # Given a customer, and a helper
    customer = client_for(UserFactory.create())
    helper = make_helper()
    start = next_slot_start()
    window = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
    }

    # When the customer names the person met with a list and gives 21 windows, and the helper
    # pauses offers with a word that is no yes or no, in a language
    posted = customer.post(
        f"{API}/help-requests",
        {
            "category": "internet-wifi",
            "description": "The Wi-Fi drops every evening around eight.",
            "on_behalf_name": ["Maria"],
            "windows": [window] * 21,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    paused = client_for(helper.user).patch(
        f"{API}/helper/profile",
        {"is_accepting_jobs": "perhaps"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then each is refused in Quartier's words in that language, and nothing changed
    words = TYPE_WORDS[language]
    assert posted.status_code == 400, posted.content
    assert posted.json()["fields"] == {
        "on_behalf_name": [words["text"]],
        "windows": [words["items"]],
    }
    assert paused.json() == {
        "code": "validation_invalid",
        "message": f"is_accepting_jobs: {words['boolean']}",
        "fields": {"is_accepting_jobs": [words["boolean"]]},
    }
    assert HelpRequest.objects.count() == 0
    helper.refresh_from_db()
    assert helper.is_accepting_jobs is True


# A number too long, a text with half of a surrogate pair, too many requests: DRF's Italian left
# the last two in English, its German said "Erwarte Verfügbarkeit".
OTHER_WORDS = {
    "en": {
        "long_number": "This number is too long.",
        "surrogate": "The text holds a character that cannot be stored (U+D800).",
        "throttled": (
            "Too many requests. Try again in 1 second.",
            "Too many requests. Try again in 5 seconds.",
        ),
    },
    "de": {
        "long_number": "Diese Zahl ist zu lang.",
        "surrogate": "Der Text enthält ein Zeichen, das nicht gespeichert werden kann (U+D800).",
        "throttled": (
            "Zu viele Anfragen. Versuchen Sie es in 1 Sekunde wieder.",
            "Zu viele Anfragen. Versuchen Sie es in 5 Sekunden wieder.",
        ),
    },
    "fr": {
        "long_number": "Ce nombre est trop long.",
        "surrogate": ("Le texte contient un caractère qui ne peut pas être enregistré (U+D800)."),
        "throttled": (
            "Trop de requêtes. Réessayez dans 1 seconde.",
            "Trop de requêtes. Réessayez dans 5 secondes.",
        ),
    },
    "it": {
        "long_number": "Questo numero è troppo lungo.",
        "surrogate": "Il testo contiene un carattere che non può essere salvato (U+D800).",
        "throttled": (
            "Troppe richieste. Riprovi tra 1 secondo.",
            "Troppe richieste. Riprovi tra 5 secondi.",
        ),
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_too_long_and_a_broken_character_are_refused_in_quartiers_words(language):
    # Given a customer
    client = client_for(UserFactory.create())

    # When they apply as a helper with a rate of two thousand digits, and post a request whose
    # description holds half of a surrogate pair, in a language
    rate = client.post(
        f"{API}/helper/profile",
        {"skills": ["internet-wifi"], "hourly_rate_minor": "9" * 2000},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    posted = client.post(
        f"{API}/help-requests",
        '{"category": "internet-wifi", "description": "Wi-Fi \\ud800 drops"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then each is refused in Quartier's words in that language, and nothing was made
    words = OTHER_WORDS[language]
    assert rate.status_code == 400, rate.content
    assert rate.json() == {
        "code": "max_string_length",
        "message": f"hourly_rate_minor: {words['long_number']}",
        "fields": {"hourly_rate_minor": [words["long_number"]]},
    }
    assert posted.status_code == 400, posted.content
    assert posted.json()["fields"]["description"] == [words["surrogate"]]
    assert (HelperProfile.objects.count(), HelpRequest.objects.count()) == (0, 0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_too_many_requests_are_answered_in_quartiers_words(language):
    with translation.override(language):
        answers = (
            str(exceptions.Throttled(wait=1).detail),
            str(exceptions.Throttled(wait=5).detail),
        )

    assert answers == OTHER_WORDS[language]["throttled"]


def test_the_messages_given_anew_are_the_ones_drf_writes():
    """The catalogue translates DRF's English as DRF writes it: were DRF to word one otherwise,
    its own translation would come back unseen."""
    with translation.override(None):
        drf = {
            (field, key): str(getattr(serializers, field).default_error_messages[key])
            for field, key in FIELD_MESSAGES
        }

    assert drf == FIELD_MESSAGES


@pytest.mark.parametrize("category", [{"a": 1}, ["internet-wifi"], True])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_category_that_is_no_text_is_refused_as_a_wrong_type(language, category):
    # Given a customer
    client = client_for(UserFactory.create())
    start = next_slot_start()

    # When they send the category as an object, a list or a yes, in a language
    response = client.post(
        f"{API}/help-requests",
        {
            "category": category,
            "description": "The Wi-Fi drops every evening around eight.",
            "postal_code": "8001",
            "windows": [
                {
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=2)).isoformat(),
                }
            ],
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then the category is refused as a value of the wrong type in that language, never as an
    # unknown category quoting Python's rendering of the value, and no request was made
    words = TYPE_WORDS[language]["text"]
    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "validation_invalid",
        "message": f"category: {words}",
        "fields": {"category": [words]},
    }
    assert HelpRequest.objects.count() == 0


def test_the_other_messages_given_anew_are_the_ones_drf_writes():
    with translation.override(None):
        drf = {
            (holder, attribute): str(
                getattr(getattr(validators, holder, None) or getattr(exceptions, holder), attribute)
            )
            for holder, attribute in OTHER_MESSAGES
        }

    assert drf == OTHER_MESSAGES
