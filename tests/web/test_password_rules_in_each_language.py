"""Django's password rules speak the reader's language: the rule a first password most often
breaks (too short) was said in English on Italian pages, Django's Italian catalogue lacking the
text of the rule as Django now words it; the rule against a password like the e-mail address
speaks of "your e-mail address", not of the field's name."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from backend.exceptions import ValidationFailed
from backend.models import User
from backend.services import validate_sign_up_password
from tests.factories import PASSWORD, UserFactory
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

TOO_SHORT = {
    "de": "Dieses Passwort ist zu kurz. Es muss mindestens 8 Zeichen enthalten.",
    "fr": "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères.",
    "it": "Questa password è troppo corta. Deve contenere almeno 8 caratteri.",
    "en": "This password is too short. It must contain at least 8 characters.",
}


@pytest.mark.parametrize("language", sorted(TOO_SHORT))
def test_a_too_short_password_is_refused_in_the_readers_language(language):
    with translation.override(language), pytest.raises(ValidationFailed) as refused:
        validate_sign_up_password("gatto", email="maria@example.ch", display_name="Maria Rossi")

    assert refused.value.code == "weak_password"
    assert refused.value.fields == {"password": [TOO_SHORT[language]]}


def test_the_italian_sign_up_says_a_too_short_password_in_italian(client):
    response = client.post(
        "/sign-up",
        {
            "display_name": "Maria Rossi",
            "email": "maria.rossi@example.ch",
            "password": "gatto",
            "languages": ["it"],
        },
        HTTP_ACCEPT_LANGUAGE="it",
    )

    page = refused_page(client, response, "/sign-up", HTTP_ACCEPT_LANGUAGE="it")
    assert _errors_of(page, "id_password") == [TOO_SHORT["it"]]
    assert not User.objects.filter(email="maria.rossi@example.ch").exists()
    assert mail.outbox == []


# Django's own rule said from the field's name read "La password è troppo simile a e-mail".
TOO_LIKE_THE_EMAIL = {
    "de": "Das Passwort ist Ihrer E-Mail-Adresse zu ähnlich.",
    "fr": "Le mot de passe est trop semblable à votre adresse e-mail.",
    "it": "La password è troppo simile al suo indirizzo e-mail.",
    "en": "The password is too similar to your e-mail address.",
}


@pytest.mark.parametrize("language", sorted(TOO_LIKE_THE_EMAIL))
def test_sign_up_says_a_password_like_the_email_address_in_the_readers_words(client, language):
    response = client.post(
        "/sign-up",
        {
            "display_name": "Maria Rossi",
            "email": "maria.rossi@example.ch",
            "password": "maria.rossi@example",
            "languages": [language],
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )

    errors = _errors_of(refused_page(client, response, "/sign-up"), "id_password")
    assert errors == [TOO_LIKE_THE_EMAIL[language]]
    assert not User.objects.filter(email="maria.rossi@example.ch").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("language", sorted(TOO_LIKE_THE_EMAIL))
def test_a_password_change_says_a_password_like_the_email_address_in_the_readers_words(
    client, language
):
    user = UserFactory.create(email="maria.rossi@example.ch")
    _logged_in(client, user, language)

    response = client.post(
        "/password", {"current_password": PASSWORD, "new_password": "Maria.Rossi@Example"}
    )

    errors = _errors_of(refused_page(client, response, "/password"), "id_new_password")
    assert errors == [TOO_LIKE_THE_EMAIL[language]]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert mail.outbox == []
