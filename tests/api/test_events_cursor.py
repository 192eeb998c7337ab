"""GET /api/v1/events refuses an `after` that is not a sequence number, in the words that fit
what was written: a negative number, something else than a number, a number too large."""

from __future__ import annotations

import pytest

from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEGATIVE = {
    "en": "The sequence number cannot be negative.",
    "de": "Die Folgenummer darf nicht negativ sein.",
    "fr": "Le numéro de séquence ne peut pas être négatif.",
    "it": "Il numero di sequenza non può essere negativo.",
}
NOT_A_NUMBER = {
    "en": "The sequence number must be a whole number written with the digits 0-9.",
    "de": "Die Folgenummer muss eine ganze Zahl aus den Ziffern 0 bis 9 sein.",
    "fr": "Le numéro de séquence doit être un nombre entier écrit avec les chiffres 0 à 9.",
    "it": "Il numero di sequenza deve essere un numero intero scritto con le cifre 0-9.",
}
TOO_LARGE = {
    "en": "The sequence number is too large: it has at most 18 digits.",
    "de": "Die Folgenummer ist zu gross: sie hat höchstens 18 Ziffern.",
    "fr": "Le numéro de séquence est trop grand : il compte au plus 18 chiffres.",
    "it": "Il numero di sequenza è troppo grande: ha al massimo 18 cifre.",
}
CASES = [
    pytest.param("-1", NEGATIVE, id="negative"),
    pytest.param("-" + "9" * 5000, NEGATIVE, id="negative with many digits"),
    pytest.param("the-start", NOT_A_NUMBER, id="a word"),
    pytest.param("1.5", NOT_A_NUMBER, id="a fraction"),
    pytest.param("²", NOT_A_NUMBER, id="a superscript"),
    pytest.param("--1", NOT_A_NUMBER, id="two signs"),
    pytest.param("", NOT_A_NUMBER, id="empty"),
    pytest.param("1" + "0" * 18, TOO_LARGE, id="19 digits"),
    pytest.param("9" * 5000, TOO_LARGE, id="5000 digits"),
]


@pytest.mark.parametrize("language", ["en", "de", "fr", "it"])
@pytest.mark.parametrize(("after", "messages"), CASES)
def test_an_after_that_is_no_sequence_number_is_refused_in_its_own_words(
    after: str, messages: dict[str, str], language: str
) -> None:
    client = client_for(UserFactory.create())

    response = client.get(f"{API}/events", {"after": after}, HTTP_ACCEPT_LANGUAGE=language)

    body = assert_error(
        response, 400, "invalid_cursor", {"after"}, documented_in=("get", "/api/v1/events")
    )
    assert body["fields"] == {"after": [messages[language]]}


def test_the_largest_sequence_number_is_read() -> None:
    client = client_for(UserFactory.create())

    response = client.get(f"{API}/events", {"after": "9" * 18})

    assert response.status_code == 200, response.content
    assert response.json() == {"events": [], "last_seq": 0, "has_more": False}
