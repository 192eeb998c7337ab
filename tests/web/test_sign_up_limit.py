"""The web's sign-up form is limited per client as the API's sign-up is, in the same counter
(QUARTIER_THROTTLE_AUTH, 20 a minute): past it the form answers 429 with a message in the
reader's language, and nothing is stored."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.models import User

pytestmark = pytest.mark.django_db

SIGN_UP = {"display_name": "Anna Muster", "password": "a-long-Passphrase-9", "languages": ["de"]}


def _web(client: Client, n: int):
    return client.post("/sign-up", {**SIGN_UP, "email": f"anna{n}@example.ch"})


def _api(client: Client, n: int):
    return client.post(
        "/api/v1/auth/register",
        {**SIGN_UP, "email": f"anna{n}@example.ch"},
        content_type="application/json",
    )


def test_the_21st_sign_up_in_a_minute_from_one_client_is_refused_with_429():
    client = Client(REMOTE_ADDR="198.51.100.20", HTTP_ACCEPT_LANGUAGE="fr")
    statuses = [_web(client, n).status_code for n in range(20)]

    refused = _web(client, 20)
    elsewhere = _web(Client(REMOTE_ADDR="198.51.100.21"), 21)

    assert statuses == [200] * 20
    assert refused.status_code == 429
    assert refused["Retry-After"].isdigit()
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Trop d’inscriptions depuis votre connexion. Réessayez dans 1 minute." in (
        refused.content.decode()
    )
    assert not User.objects.filter(email="anna20@example.ch").exists()
    assert elsewhere.status_code == 200
    assert User.objects.filter(email="anna21@example.ch").exists()


def test_the_web_form_and_the_api_count_in_one_limit():
    client = Client(REMOTE_ADDR="198.51.100.22", HTTP_ACCEPT_LANGUAGE="en")
    api = [_api(client, n).status_code for n in range(10)]
    web = [_web(client, n).status_code for n in range(10, 20)]

    refused_web = _web(client, 20)
    refused_api = _api(client, 21)

    assert (api, web) == ([202] * 10, [200] * 10)
    assert refused_web.status_code == 429
    assert "Too many sign-ups from your connection. Try again in 1 minute." in (
        refused_web.content.decode()
    )
    assert (refused_api.status_code, refused_api.json()["code"]) == (429, "throttled")
    assert not User.objects.filter(email__in=["anna20@example.ch", "anna21@example.ch"]).exists()


def test_the_password_reset_form_counts_in_the_same_limit():
    # Each request mails a link to the address: 20 a minute from one client, no more.
    client = Client(REMOTE_ADDR="198.51.100.23", HTTP_ACCEPT_LANGUAGE="it")
    asked = [
        client.post("/password-reset", {"email": f"anna{n}@example.ch"}).status_code
        for n in range(20)
    ]

    refused = client.post("/password-reset", {"email": "anna20@example.ch"})
    token_tried = client.post("/password-reset", {"token": "x", "password": "a-long-Pass-9"})
    elsewhere = Client(REMOTE_ADDR="198.51.100.24").post(
        "/password-reset", {"email": "anna21@example.ch"}
    )

    assert asked == [200] * 20
    assert (refused.status_code, token_tried.status_code) == (429, 429)
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Troppe richieste di password dalla sua connessione. Riprovi tra 1 minuto." in (
        refused.content.decode()
    )
    assert elsewhere.status_code == 200
