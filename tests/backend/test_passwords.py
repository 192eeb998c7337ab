"""Forgotten and changed passwords: the services behind the web pages (and, later, the API)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from backend import clock
from backend.exceptions import ValidationFailed
from backend.login_limits import TooManyAttempts, login_limit_check
from backend.models import User
from backend.password_reset import password_reset_token
from backend.services import (
    password_reset_confirm,
    password_reset_request,
    user_change_password,
)
from tests.factories import PASSWORD, UserFactory
from tests.worker import run_worker

pytestmark = pytest.mark.django_db

CLIENT = "203.0.113.5"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reset_link_is_mailed_only_to_an_active_account(django_capture_on_commit_callbacks):
    UserFactory.create(email="anna@example.ch", preferred_language="it")
    UserFactory.create(email="gone@example.ch", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("Anna@Example.ch", "gone@example.ch", "nobody@example.ch"):
            assert password_reset_request(email=address) is None
    run_worker()
    (message,) = mail.outbox
    assert (message.to, message.subject) == (
        ["anna@example.ch"],
        "Scelga una nuova password per Quartier",
    )
    assert "http://127.0.0.1:8000/password-reset?token=" in message.body


def test_an_expired_link_is_refused_and_changes_nothing():
    user = UserFactory.create()
    token = password_reset_token(user)
    with (
        time_machine.travel(clock.now() + timedelta(hours=2, minutes=1)),
        pytest.raises(ValidationFailed) as refused,
    ):
        password_reset_confirm(token=token, password="brand-New-secret-7")
    assert (refused.value.code, list(refused.value.fields)) == ("reset_link_invalid", ["token"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_new_password_is_refused_next_to_its_field_and_the_link_still_works():
    user = UserFactory.create()
    token = password_reset_token(user)
    with pytest.raises(ValidationFailed) as refused:
        password_reset_confirm(token=token, password="123")
    assert (refused.value.code, list(refused.value.fields)) == ("weak_password", ["password"])
    password_reset_confirm(token=token, password="brand-New-secret-7")
    user.refresh_from_db()
    assert user.check_password("brand-New-secret-7")


def test_following_the_link_confirms_a_pending_sign_up():
    user = UserFactory.create(email_verified_at=None)
    password_reset_confirm(token=password_reset_token(user), password="brand-New-secret-7")
    assert User.objects.get(pk=user.pk).email_verified_at is not None


def test_changing_the_password_needs_the_current_one_and_a_strong_new_one():
    user = UserFactory.create()
    with pytest.raises(ValidationFailed) as wrong:
        user_change_password(
            user=user, current_password="nope", new_password="brand-New-secret-7", client=CLIENT
        )
    assert (wrong.value.code, list(wrong.value.fields)) == ("wrong_password", ["current_password"])
    with pytest.raises(ValidationFailed) as weak:
        user_change_password(
            user=user, current_password=PASSWORD, new_password="12345678", client=CLIENT
        )
    assert (weak.value.code, list(weak.value.fields)) == ("weak_password", ["new_password"])
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    user_change_password(
        user=user, current_password=PASSWORD, new_password="brand-New-secret-7", client=CLIENT
    )
    assert User.objects.get(pk=user.pk).check_password("brand-New-secret-7")


def test_wrong_current_passwords_count_as_failed_log_ins_and_lock_the_change():
    # Given someone holding the account's session who guesses its password five times
    user = UserFactory.create()
    for number in range(5):
        with pytest.raises(ValidationFailed) as wrong:
            user_change_password(
                user=user,
                current_password=f"guess-{number}",
                new_password="brand-New-7",
                client=CLIENT,
            )
        assert wrong.value.code == "wrong_password"

    # When they then give the right one, the change is refused as a locked log-in
    with pytest.raises(TooManyAttempts):
        user_change_password(
            user=user, current_password=PASSWORD, new_password="brand-New-secret-7", client=CLIENT
        )

    # And nothing changed: the password stands, the log-in is locked for that client
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    with pytest.raises(TooManyAttempts):
        login_limit_check(email=user.email, client=CLIENT)
