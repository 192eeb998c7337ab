"""Passwords over the API: a forgotten one reset by e-mail, one's own changed, and a wrong
password at the token log-in answered 401."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from backend.models import Device, User
from backend.password_reset import password_reset_token
from tests.api.api_assertions import API, assert_error, token_client
from tests.factories import PASSWORD, UserFactory, device_token
from tests.worker import run_worker

pytestmark = pytest.mark.django_db

RESET = ("post", "/api/v1/auth/password-reset")
CONFIRM = ("post", "/api/v1/auth/password-reset/confirm")
CHANGE = ("post", "/api/v1/me/password")
TOKEN = ("post", "/api/v1/auth/token")
NEW_PASSWORD = "a-new-and-long-passphrase-7"


def _log_in(email: str, password: str) -> object:
    return APIClient().post(f"{API}/auth/token", {"email": email, "password": password})


def _token_of(user: User) -> str:
    return device_token(user)


def _reset_link_token(email: str) -> str:
    sent = [message for message in mail.outbox if message.to == [email]]
    assert len(sent) == 1, [message.to for message in mail.outbox]
    match = re.search(r"token=([\w:-]+)", str(sent[0].body))
    assert match is not None
    return match.group(1)


def test_a_wrong_password_at_the_token_log_in_is_401():
    # Given a person with an account
    user = UserFactory.create()

    # When they log in with a wrong password
    response = _log_in(user.email, "not the password")

    # Then it is 401 invalid_credentials (not 400), with the scheme to authenticate with
    assert_error(response, 401, "invalid_credentials", set(), documented_in=TOKEN)
    assert response["WWW-Authenticate"] == "Token"
    assert not Device.objects.filter(user=user).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_forgotten_password_is_reset_with_the_link_from_the_e_mail(
    django_capture_on_commit_callbacks,
):
    # Given a person whose phone is logged in
    user = UserFactory.create()
    old_token = _token_of(user)

    # When they ask for a reset, and for one for an address nobody has
    with django_capture_on_commit_callbacks(execute=True):
        asked = APIClient().post(f"{API}/auth/password-reset", {"email": user.email})
        unknown = APIClient().post(f"{API}/auth/password-reset", {"email": "nobody@example.ch"})

    # Then both answers are the same, and only the account's owner got an e-mail
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json()
    run_worker()
    assert [message.to for message in mail.outbox] == [[user.email]]

    # When they choose a new password with the token from the e-mail
    token = _reset_link_token(user.email)
    chosen = APIClient().post(
        f"{API}/auth/password-reset/confirm", {"token": token, "password": NEW_PASSWORD}
    )

    # Then they are logged in with a new token; the old token and the old password stop working
    assert chosen.status_code == 200, chosen.content
    new_token = chosen.json()["token"]
    assert chosen.json()["user"]["email"] == user.email
    assert new_token != old_token
    assert token_client(new_token).get(f"{API}/me").status_code == 200
    assert_error(token_client(old_token).get(f"{API}/me"), 401, "authentication_failed")
    assert _log_in(user.email, PASSWORD).status_code == 401
    assert _log_in(user.email, NEW_PASSWORD).status_code == 200

    # And the link works once
    again = APIClient().post(
        f"{API}/auth/password-reset/confirm",
        {"token": token, "password": "yet-another-passphrase-8"},
    )
    assert_error(again, 400, "reset_link_invalid", {"token"}, documented_in=CONFIRM)
    assert _log_in(user.email, NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("token", "password", "code", "field"),
    [
        pytest.param("not-a-token", NEW_PASSWORD, "reset_link_invalid", "token", id="bad token"),
        pytest.param(None, "password", "weak_password", "password", id="weak password"),
    ],
)
def test_a_refused_reset_changes_nothing(token, password, code, field):
    # Given a person with a logged-in phone
    user = UserFactory.create()
    old_token = _token_of(user)
    hashed = user.password

    # When a reset is refused
    response = APIClient().post(
        f"{API}/auth/password-reset/confirm",
        {"token": token or password_reset_token(user), "password": password},
    )

    # Then the code names the field, and the password and the token are as they were
    assert_error(response, 400, code, {field}, documented_in=CONFIRM)
    user.refresh_from_db()
    assert user.password == hashed
    assert token_client(old_token).get(f"{API}/me").status_code == 200


def test_changing_ones_password_gives_a_new_token_and_logs_out_the_other_phones():
    # Given a person logged in on two phones
    user = UserFactory.create()
    old_token = _token_of(user)
    other_phone = _token_of(user)

    # When they change their password, giving the current one
    response = token_client(old_token).post(
        f"{API}/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    # Then the answer carries a new token; the old one and the old password stop working
    assert response.status_code == 200, response.content
    assert response.json()["token"] != old_token
    assert token_client(response.json()["token"]).get(f"{API}/me").status_code == 200
    assert token_client(old_token).get(f"{API}/me").status_code == 401
    assert token_client(other_phone).get(f"{API}/me").status_code == 401
    assert Device.objects.filter(user=user).count() == 1
    assert _log_in(user.email, PASSWORD).status_code == 401
    assert _log_in(user.email, NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("current", "new", "code", "field"),
    [
        pytest.param("not the password", NEW_PASSWORD, "wrong_password", "current_password"),
        pytest.param(PASSWORD, "password", "weak_password", "new_password"),
    ],
)
def test_a_refused_change_of_password_changes_nothing(current, new, code, field):
    # Given a logged-in person
    user = UserFactory.create()
    token = _token_of(user)
    hashed = user.password

    # When the change is refused
    response = token_client(token).post(
        f"{API}/me/password", {"current_password": current, "new_password": new}
    )

    # Then the code names the field, and the password and the token are unchanged
    assert_error(response, 400, code, {field}, documented_in=CHANGE)
    user.refresh_from_db()
    assert user.password == hashed
    assert token_client(token).get(f"{API}/me").status_code == 200
