"""An e-mail address typed without its end ("maria.rossi@bluewin") is refused with what to do, in
the pages' own voice: Django's Italian said "Inserisci un indirizzo email valido", addressing
the reader informally where every other page says "lei", and no form said what was missing."""

from __future__ import annotations

import pytest
from django.core import mail

from backend.models import User
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of

pytestmark = pytest.mark.django_db

INCOMPLETE = {
    "de": "Geben Sie die ganze E-Mail-Adresse ein, zum Beispiel anna.muster@example.ch.",
    "fr": "Saisissez l’adresse e-mail complète, par exemple anna.muster@example.ch.",
    "it": "Inserisca l’indirizzo e-mail completo, per esempio anna.muster@example.ch.",
    "en": "Enter the whole e-mail address, for example anna.muster@example.ch.",
}


@pytest.mark.parametrize("language", sorted(INCOMPLETE))
def test_sign_up_says_how_to_write_an_incomplete_e_mail_address(client, language):
    response = client.post(
        "/sign-up",
        {
            "display_name": "Maria Rossi",
            "email": "maria.rossi@bluewin",
            "password": "Girasole-nel-giardino-7",
            "languages": ["it"],
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )

    html = refused_page(client, response, "/sign-up", HTTP_ACCEPT_LANGUAGE=language)
    assert _errors_of(html, "id_email") == [INCOMPLETE[language]]
    assert 'value="maria.rossi@bluewin"' in html
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/log-in", {"email": "maria.rossi@bluewin", "password": "Girasole-nel-giardino-7"}),
        ("/password-reset", {"email": "maria.rossi@bluewin"}),
    ],
)
def test_log_in_and_a_forgotten_password_say_it_alike(client, path, data):
    response = client.post(path, data, HTTP_ACCEPT_LANGUAGE="it")

    page = refused_page(client, response, path, HTTP_ACCEPT_LANGUAGE="it")
    assert _errors_of(page, "id_email") == [INCOMPLETE["it"]]
    assert mail.outbox == []
