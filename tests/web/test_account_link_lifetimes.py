"""Each page and e-mail about an account link says how long that link is valid, from the
lifetime the services check (backend.account_links). The "check your e-mail" page after signing
up reads the same for every address, so a new address's confirmation link and the link to an
address whose sign-up still waits for confirmation last the same time. Both e-mails with a link
to choose a password build it the same way, keeping the configured page's own query."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone, translation
from rest_framework.test import APIClient

from backend.account_links import PASSWORD_RESET_MAX_AGE, SIGN_UP_LINK_MAX_AGE, lifetime_words
from backend.config import config
from backend.models import User
from backend.password_reset import password_reset_mail
from tests.api.api_assertions import API
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {"display_name": "Anna Muster", "password": "a-long-Passphrase-9", "languages": ["en"]}


def english() -> Client:
    return Client(headers={"accept-language": "en"})


def _sign_up(email: str, captured, **fields: object) -> str:
    with captured(execute=True):
        response = english().post("/sign-up", {**SIGN_UP, "email": email, **fields})
    assert response.status_code == 200
    return response.content.decode()


def _token(email: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [email]][-1:]
    match = re.search(r"token=([\w:-]+)", str(message.body))
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    ("language", "age", "words"),
    [
        ("en", timedelta(days=3), "3 days"),
        ("de", timedelta(days=3), "3 Tage"),
        ("fr", timedelta(days=3), "3 jours"),
        ("it", timedelta(days=3), "3 giorni"),
        ("de", timedelta(days=1), "1 Tag"),
        ("en", timedelta(hours=2), "2 hours"),
        ("de", timedelta(hours=2), "2 Stunden"),
        ("fr", timedelta(hours=1), "1 heure"),
        ("it", timedelta(hours=2), "2 ore"),
        ("en", timedelta(minutes=90), "90 minutes"),
    ],
)
def test_a_lifetime_in_words(language: str, age: timedelta, words: str) -> None:
    with translation.override(language):
        assert lifetime_words(age) == words


def test_the_page_after_signing_up_says_the_lifetime_of_both_links_it_may_talk_about(
    django_capture_on_commit_callbacks,
) -> None:
    # Given a sign-up waiting for confirmation
    _sign_up("anna@example.ch", django_capture_on_commit_callbacks)
    mail.outbox.clear()

    # When the address signs up again, and a new one signs up
    again = _sign_up("anna@example.ch", django_capture_on_commit_callbacks, display_name="Ann")
    new = _sign_up("nina@example.ch", django_capture_on_commit_callbacks)

    # Then both pages say the sign-up links' lifetime, and so do both e-mails
    words = lifetime_words(SIGN_UP_LINK_MAX_AGE)
    assert words == "3 days"
    sentence = "Open the link in it to finish signing up. It is valid for 3 days."
    assert sentence in again
    assert sentence in new
    notice, confirmation = (str(m.body) for m in mail.outbox)
    assert "choose your password with this link. It is valid for 3 days and also" in notice
    assert "on your phone or your computer. It is valid for 3 days:" in confirmation

    # And each link works until that lifetime is over, not after
    anna, nina = _token("anna@example.ch"), _token("nina@example.ch")
    almost = timezone.now() + SIGN_UP_LINK_MAX_AGE - timedelta(minutes=1)
    with time_machine.travel(almost, tick=False):
        chosen = english().post(
            "/password-reset", {"token": anna, "password": "Ann-s-Passphrase-8"}
        )
    assert chosen.status_code == 302
    assert User.objects.get(email="anna@example.ch").email_verified_at is not None
    with time_machine.travel(almost + timedelta(minutes=2), tick=False):
        late = english().post("/verify-email", {"token": nina})
    assert "This confirmation link has expired." in late.content.decode()
    assert User.objects.get(email="nina@example.ch").email_verified_at is None


def test_the_link_to_an_address_signed_up_again_expires_with_the_sign_up_lifetime(
    django_capture_on_commit_callbacks,
) -> None:
    _sign_up("anna@example.ch", django_capture_on_commit_callbacks)
    _sign_up("anna@example.ch", django_capture_on_commit_callbacks, display_name="Ann")
    token = _token("anna@example.ch")

    late = timezone.now() + SIGN_UP_LINK_MAX_AGE + timedelta(minutes=1)
    with time_machine.travel(late, tick=False):
        refused = english().post("/password-reset", {"token": token, "password": "Ann-s-Pass-8x"})

    assert refused.status_code == 302  # back to the form, which says why
    anna = User.objects.get(email="anna@example.ch")
    assert (anna.email_verified_at, anna.display_name) == (None, "Anna Muster")


def test_the_password_reset_page_and_e_mail_say_the_reset_links_lifetime(
    django_capture_on_commit_callbacks,
) -> None:
    UserFactory.create(email="anna@example.ch", preferred_language="en")

    page = english().post("/password-reset", {"email": "anna@example.ch"}).content.decode()
    password_reset_mail(email="anna@example.ch")

    assert lifetime_words(PASSWORD_RESET_MAX_AGE) == "2 hours"
    assert "choose a new password. The link is valid for 2 hours." in page
    [message] = mail.outbox
    assert "If it was you, open this link. It is valid for 2 hours:" in str(message.body)


def test_the_links_to_choose_a_password_keep_the_query_of_the_configured_page(
    django_capture_on_commit_callbacks,
) -> None:
    # Given a password page whose address has a query of its own
    page = "https://app.example.ch/reset?from=mail"
    with override_settings(QUARTIER=dataclasses.replace(config(), password_reset_url=page)):
        # When an account asks for a new password, and a waiting sign-up's address signs up again
        UserFactory.create(email="ruth@example.ch")
        password_reset_mail(email="ruth@example.ch")
        _sign_up("anna@example.ch", django_capture_on_commit_callbacks)
        _sign_up("anna@example.ch", django_capture_on_commit_callbacks)

    # Then both links add the token to that query
    reset, _confirmation, notice = (str(m.body) for m in mail.outbox)
    for body in (reset, notice):
        assert re.search(r"https://app\.example\.ch/reset\?from=mail&token=[\w:-]+\n", body), body


def test_the_api_answer_to_a_password_request_says_the_reset_links_lifetime() -> None:
    answer = APIClient().post(
        f"{API}/auth/password-reset", {"email": "nobody@example.ch"}, HTTP_ACCEPT_LANGUAGE="de"
    )

    assert (answer.status_code, answer.json()) == (
        202,
        {
            "message": "Wenn diese Adresse zu einem Konto gehört, haben wir ihr einen Link für "
            "ein neues Passwort geschickt. Der Link ist 2 Stunden gültig."
        },
    )
