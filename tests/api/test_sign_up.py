"""Sign-up tells nobody which addresses have accounts, and opens an account only once the
owner of the address has confirmed it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import hashers
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from backend.models import User
from tests.api.api_assertions import API, assert_error, sign_up, verification_token
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = ("post", "/api/v1/auth/register")
VERIFY = ("post", "/api/v1/auth/verify-email")
TOKEN = ("post", "/api/v1/auth/token")
NEW_PASSWORD = "a-new-and-long-passphrase"


def _register(django_capture_on_commit_callbacks, **fields: Any) -> Any:
    body = {"email": "anna@example.ch", "password": PASSWORD, "display_name": "Anna", **fields}
    with django_capture_on_commit_callbacks(execute=True):
        return APIClient().post(f"{API}/auth/register", body)


def _log_in(email: str, password: str) -> Any:
    return APIClient().post(f"{API}/auth/token", {"email": email, "password": password})


def test_signing_up_with_a_taken_address_answers_as_with_a_new_one(
    django_capture_on_commit_callbacks, monkeypatch
):
    # Given an account for anna@example.ch (which she reads in French)
    owner = UserFactory.create(email="anna@example.ch", preferred_language="fr")
    hashed = []
    hasher = type(hashers.get_hasher())
    encode = hasher.encode
    monkeypatch.setattr(
        hasher, "encode", lambda self, *args, **kw: hashed.append(1) or encode(self, *args, **kw)
    )

    # When someone signs up with that address (in other letter case), and with a new one
    taken = _register(django_capture_on_commit_callbacks, email="Anna@Example.ch")
    hashes_for_taken, hashed[:] = len(hashed), []
    new = _register(django_capture_on_commit_callbacks, email="new@example.ch")

    # Then both get the same answer, after the same work (one password hashed)
    assert (taken.status_code, taken.json()) == (202, new.json())
    assert new.json() == {"message": "Check your e-mail to finish signing up."}
    assert hashes_for_taken == len(hashed) == 1

    # And the owner is told by e-mail, in her language, with a hint to reset the password; her
    # account is unchanged and no second one exists
    to_owner = [message for message in mail.outbox if message.to == ["anna@example.ch"]]
    assert len(to_owner) == 1
    assert to_owner[0].subject == "Quelqu’un a tenté de s’inscrire sur Quartier avec votre adresse"
    assert to_owner[0].extra_headers["Content-Language"] == "fr"
    assert "http://127.0.0.1:8000/password-reset" in to_owner[0].body
    assert "token=" not in to_owner[0].body
    assert User.objects.filter(email__iexact="anna@example.ch").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert owner.display_name != "Anna"


def test_a_new_account_opens_only_once_its_address_is_confirmed(
    django_capture_on_commit_callbacks,
):
    # Given someone who signs up
    response = _register(
        django_capture_on_commit_callbacks, email="Ruth@Example.ch", preferred_language="it"
    )
    assert response.status_code == 202

    # Then an e-mail with a link goes to the address, in the chosen language
    (message,) = mail.outbox
    assert (message.to, message.extra_headers["Content-Language"]) == (["ruth@example.ch"], "it")
    assert message.subject == "Confermi il suo indirizzo e-mail per Quartier"
    token = verification_token("ruth@example.ch")
    assert f"http://127.0.0.1:8000/verify-email?token={token}" in message.body
    # Only in the link: nobody is asked to type its 150 characters into the app
    assert message.body.count(token) == 1
    assert "sul sito come nell’app Quartier" in message.body

    # And before confirming, the right password is refused with its own code, a wrong one as any
    assert_error(
        _log_in("ruth@example.ch", PASSWORD), 403, "email_not_verified", set(), documented_in=TOKEN
    )
    assert_error(_log_in("ruth@example.ch", "wrong-password"), 401, "invalid_credentials", set())

    # When the token is posted, the account opens with an API token
    response = APIClient().post(f"{API}/auth/verify-email", {"token": token})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["email"] == "ruth@example.ch"
    assert body["user"]["preferred_language"] == "it"
    # A log-in afterwards is another device, with a token of its own; both work.
    logged_in = _log_in("ruth@example.ch", PASSWORD).json()["token"]
    assert logged_in != body["token"]
    for token in (logged_in, body["token"]):
        me = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get(f"{API}/me")
        assert me.status_code == 200
        assert me.json()["email"] == "ruth@example.ch"

    # And the link works once only
    again = APIClient().post(f"{API}/auth/verify-email", {"token": token})
    assert_error(again, 400, "verification_invalid", {"token"}, documented_in=VERIFY)


def test_the_german_confirmation_e_mail_greets_with_a_comma_before_its_small_letter(
    django_capture_on_commit_callbacks,
):
    response = _register(
        django_capture_on_commit_callbacks, display_name="Anna Keller", preferred_language="de"
    )

    assert response.status_code == 202
    (message,) = mail.outbox
    assert message.body.startswith(
        "Guten Tag Anna Keller,\n\nvielen Dank für Ihre Anmeldung bei Quartier."
    )


NOTICE_FR = (
    "Bonjour Anna,\n\n"
    "Quelqu’un vient de s’inscrire de nouveau sur Quartier avec cette adresse e-mail, dont "
    "une inscription attend déjà la confirmation. Rien n’a été modifié.\n\n"
    "Si c’était vous : pour terminer votre inscription, choisissez votre mot de passe avec ce "
    "lien. Il est valable 3 jours et confirme aussi votre adresse :\n\n"
    "http://127.0.0.1:8000/password-reset?token={token}\n\n"
    "Si cette inscription ne vient pas de vous, ignorez cet e-mail : sans confirmation, aucun compte "
    "n’est ouvert.\n\n"
    "Quartier"
)


def _account(email: str) -> dict[str, Any]:
    return dict(User.objects.values().get(email=email))


def test_signing_up_again_before_confirming_changes_nothing_and_tells_the_address_owner(
    django_capture_on_commit_callbacks,
):
    # Given a sign-up nobody confirmed yet, made in English by someone else with Anna's address
    _register(django_capture_on_commit_callbacks, display_name="Mallory", preferred_language="en")
    before = _account("anna@example.ch")
    mail.outbox.clear()

    # When Anna signs up with her address (another password, her name, French), and someone
    # else with a new address
    again = _register(
        django_capture_on_commit_callbacks,
        email="Anna@Example.ch",
        display_name="Anna",
        password=NEW_PASSWORD,
        preferred_language="fr",
    )
    new = _register(django_capture_on_commit_callbacks, email="new@example.ch")

    # Then both are answered alike, and the waiting sign-up is exactly as it was: the second
    # password does not open it
    assert (again.status_code, again.json()) == (new.status_code, new.json())
    assert again.json() == {"message": "Check your e-mail to finish signing up."}
    assert _account("anna@example.ch") == before
    assert User.objects.filter(email="anna@example.ch").count() == 1
    anna = User.objects.get(email="anna@example.ch")
    assert anna.check_password(PASSWORD)
    assert not anna.check_password(NEW_PASSWORD)

    # And the owner of the address, nobody else, is told with a link to choose the password,
    # written to whoever signed up now (by the name and in the language of that sign-up, which
    # the link finishes); the new address gets its confirmation link
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["anna@example.ch"], "Nouvelle inscription sur Quartier avec votre adresse"),
        (["new@example.ch"], "Bestätigen Sie Ihre E-Mail-Adresse für Quartier"),
    ]
    token = verification_token("anna@example.ch")
    assert mail.outbox[0].body == NOTICE_FR.format(token=token)
    assert mail.outbox[0].extra_headers == {"Content-Language": "fr"}
    assert "Mallory" not in mail.outbox[0].body


def test_the_first_link_still_confirms_the_pending_sign_up_with_its_own_password(
    django_capture_on_commit_callbacks,
):
    # Given a sign-up, and a second one with its address and another password
    _register(django_capture_on_commit_callbacks, display_name="First")
    first_link = verification_token("anna@example.ch")
    _register(django_capture_on_commit_callbacks, display_name="Second", password=NEW_PASSWORD)

    # When the first link is followed
    confirmed = APIClient().post(f"{API}/auth/verify-email", {"token": first_link})

    # Then the first sign-up is confirmed, as it was made: its name, its password
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["user"]["display_name"] == "First"
    assert _log_in("anna@example.ch", PASSWORD).status_code == 200
    assert_error(_log_in("anna@example.ch", NEW_PASSWORD), 401, "invalid_credentials", set())


def test_the_owner_of_the_address_finishes_the_sign_up_with_her_password_and_details(
    django_capture_on_commit_callbacks,
):
    # Given a sign-up someone else made with Anna's address (their name, phone, languages and
    # home), and Anna signing up herself later, without a home address
    _register(
        django_capture_on_commit_callbacks,
        display_name="Mallory",
        password=NEW_PASSWORD,
        phone="+41 79 111 22 33",
        languages=["en"],
        preferred_language="en",
        home_postal_code="8001",
        home_locality="Zürich",
        home_street="Bahnhofstrasse 1",
    )
    _register(
        django_capture_on_commit_callbacks,
        display_name="Anna Keller",
        phone="+41 78 444 55 66",
        languages=["fr", "de"],
        preferred_language="fr",
    )
    chosen = "Annas-own-long-passphrase-7"

    # When she follows the link of the notice and chooses her password
    answer = APIClient().post(
        f"{API}/auth/password-reset/confirm",
        {"token": verification_token("anna@example.ch"), "password": chosen},
    )

    # Then the address is confirmed, only her password opens the account, and it carries what
    # she typed, nothing of the other sign-up
    assert answer.status_code == 200, answer.content
    assert _log_in("anna@example.ch", chosen).status_code == 200
    assert_error(_log_in("anna@example.ch", NEW_PASSWORD), 401, "invalid_credentials", set())
    anna = User.objects.get(email="anna@example.ch")
    assert anna.email_verified_at is not None
    profile = (anna.display_name, anna.phone, anna.languages, anna.preferred_language)
    assert profile == ("Anna Keller", "+41 78 444 55 66", ["de", "fr"], "fr")
    home = (anna.home_street, anna.home_postal_code, anna.home_locality, anna.home_location)
    assert home == ("", "", "", None)
    assert (anna.home_latitude, anna.home_longitude) == (None, None)


def test_the_link_of_a_sign_up_again_is_refused_once_the_address_is_confirmed(
    django_capture_on_commit_callbacks,
):
    # Given a sign-up, a second one with its address, and the first confirmed with its link
    _register(django_capture_on_commit_callbacks, display_name="First")
    first_link = verification_token("anna@example.ch")
    _register(django_capture_on_commit_callbacks, display_name="Second")
    second_link = verification_token("anna@example.ch")
    assert APIClient().post(f"{API}/auth/verify-email", {"token": first_link}).status_code == 200
    before = _account("anna@example.ch")

    # When the second sign-up's link is followed
    answer = APIClient().post(
        f"{API}/auth/password-reset/confirm",
        {"token": second_link, "password": "Another-long-passphrase-3"},
    )

    # Then it is refused: the sign-up it would finish is finished, and nothing changed
    assert_error(
        answer,
        400,
        "reset_link_invalid",
        {"token"},
        documented_in=("post", "/api/v1/auth/password-reset/confirm"),
    )
    assert _account("anna@example.ch") == before


def test_an_expired_or_forged_token_is_refused(django_capture_on_commit_callbacks):
    # Given a pending sign-up
    _register(django_capture_on_commit_callbacks)
    token = verification_token("anna@example.ch")

    # When the token is forged, or used after three days
    forged = APIClient().post(f"{API}/auth/verify-email", {"token": token[:-2] + "xx"})
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1), tick=False):
        expired = APIClient().post(f"{API}/auth/verify-email", {"token": token})

    # Then both are refused with their codes, and the account stays unconfirmed
    assert_error(forged, 400, "verification_invalid", {"token"}, documented_in=VERIFY)
    assert_error(expired, 400, "verification_expired", {"token"}, documented_in=VERIFY)
    assert User.objects.get(email="anna@example.ch").email_verified_at is None


def test_the_sign_up_helper_of_the_suite_goes_through_the_e_mail():
    token, user = sign_up(email="luca@example.ch", password=PASSWORD, display_name="Luca")
    assert user["email"] == "luca@example.ch"
    assert token
    assert User.objects.get(email="luca@example.ch").email_verified_at is not None


def test_sign_up_is_documented_as_accepted_without_a_conflict():
    from tests.api.api_assertions import documented_error_codes, openapi_schema

    responses = openapi_schema()["paths"]["/api/v1/auth/register"]["post"]["responses"]
    assert "202" in responses
    # No `email_taken`: a 409 only for a race lost inside the database, whatever the address
    assert documented_error_codes("post", "/api/v1/auth/register", 409) == {"try_again"}
    assert "201" not in responses
