"""The sign-up form, sent again with the address of a sign-up still waiting for confirmation,
answers as for a new address and changes nothing: anybody may type anybody's address, and the
password of the waiting sign-up is not theirs to choose."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from backend.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Passphrase-9"
SIGN_UP = {"display_name": "Anna Muster", "password": PASSWORD, "languages": ["de"]}
OTHER_PASSWORD = "someone-elses-Passphrase-4"


def german() -> Client:
    return Client(headers={"accept-language": "de"})


def _answer(client: Client, email: str, captured, **fields: object) -> str:
    with captured(execute=True):
        response = client.post("/sign-up", {**SIGN_UP, "email": email, **fields})
    assert response.status_code == 200
    # The page names the address typed, and carries its own form token: the rest must match.
    page = response.content.decode().replace(email, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_the_form_answers_a_waiting_address_as_a_new_one_and_changes_nothing(
    django_capture_on_commit_callbacks,
) -> None:
    # Given Anna's sign-up, not confirmed yet
    _answer(german(), "anna@example.ch", django_capture_on_commit_callbacks)
    before = User.objects.values().get(email="anna@example.ch")
    mail.outbox.clear()

    # When someone sends the form with her address and another password and name, and
    # someone else with a new address
    again = _answer(
        german(),
        "anna@example.ch",
        django_capture_on_commit_callbacks,
        password=OTHER_PASSWORD,
        display_name="Mallory",
    )
    new = _answer(german(), "nina@example.ch", django_capture_on_commit_callbacks)

    # Then both read the same page, and Anna's sign-up is untouched
    assert again == new
    assert "<h1>Prüfen Sie Ihre E-Mails</h1>" in again
    assert User.objects.values().get(email="anna@example.ch") == before
    assert User.objects.get(email="anna@example.ch").check_password(PASSWORD)
    # And Anna's address is told in German, with a link to choose the password: written to the
    # one who signed up again, whose sign-up that link finishes; Nina gets her link
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["anna@example.ch"], "Jemand hat sich mit Ihrer Adresse erneut bei Quartier angemeldet"),
        (["nina@example.ch"], "Bestätigen Sie Ihre E-Mail-Adresse für Quartier"),
    ]
    assert mail.outbox[0].body.startswith(
        "Guten Tag Mallory,\n\njemand hat sich soeben erneut mit dieser E-Mail-Adresse "
        "bei Quartier angemeldet; eine Anmeldung damit wartet bereits auf ihre Bestätigung. "
        "Es wurde nichts geändert.\n\n"
    )
    assert "http://127.0.0.1:8000/password-reset?token=" in mail.outbox[0].body
