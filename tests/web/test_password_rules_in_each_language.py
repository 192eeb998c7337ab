"""Django's password rules speak the reader's language: the rule a first password most often
breaks (too short) was said in English on Italian pages, Django's Italian catalogue lacking the
text of the rule as Django now words it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from backend.exceptions import ValidationFailed
from backend.models import User
from backend.services import validate_sign_up_password
from tests.web.test_pages import _errors_of

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

    assert response.status_code == 200
    assert _errors_of(response.content.decode(), "id_password") == [TOO_SHORT["it"]]
    assert not User.objects.filter(email="maria.rossi@example.ch").exists()
    assert mail.outbox == []
