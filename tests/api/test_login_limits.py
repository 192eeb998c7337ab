"""Log-in limits: a client-written X-Forwarded-For changes nothing, repeated wrong passwords
lock the guesser out for a while (longer each time), an account guessed at from everywhere is
locked for new clients only, and a lock never tells whether the password was right."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from backend.config import config
from backend.login_limits import ACCOUNT_LOCK
from backend.models import LoginFailureCounter
from tests.api.api_assertions import API, assert_error
from tests.factories import PASSWORD, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = ("post", "/api/v1/auth/token")


def _log_in(email: str, password: str, *, client: str = "198.51.100.1", **headers: Any):
    return Client(REMOTE_ADDR=client, **headers).post(
        f"{API}/auth/token", {"email": email, "password": password}, content_type="application/json"
    )


def test_a_spoofed_forwarded_for_does_not_spread_wrong_passwords_over_clients():
    # Given the manager's account, and a guesser who writes another X-Forwarded-For each time
    manager = ManagerFactory.create()
    responses = [
        _log_in(manager.email, f"guess-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        for n in range(30)
    ]

    # Then after five wrong passwords the guesser is locked out; after 20 attempts in a minute
    # the rate limit of the log-in endpoint refuses them as well
    limit = config().login_failures_per_client
    assert [response.status_code for response in responses] == [401] * limit + [429] * (30 - limit)
    assert {response.json()["code"] for response in responses[limit:20]} == {"too_many_attempts"}
    assert {response.json()["code"] for response in responses[20:]} == {"throttled"}

    # And with the rate limit's counts gone, the right password from the same place is still
    # refused by the lock, telling nothing
    cache.clear()
    response = _log_in(manager.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert_error(response, 429, "too_many_attempts", set(), documented_in=TOKEN)


def test_a_lock_answers_the_same_whether_the_password_is_right_or_wrong():
    # Given a user locked out of their account on this client
    user = UserFactory.create()
    for n in range(config().login_failures_per_client):
        _log_in(user.email, f"guess-{n}")

    # When the right and a wrong password are tried
    right, wrong = _log_in(user.email, PASSWORD), _log_in(user.email, "guess-again")

    # Then both are the same 429 with the time to wait
    body = assert_error(right, 429, "too_many_attempts", set(), documented_in=TOKEN)
    assert wrong.json() == body
    assert right["Retry-After"] == wrong["Retry-After"] == "60"


def test_an_unknown_address_is_locked_like_a_real_one():
    # When someone guesses at an address nobody has
    answers = [_log_in("nobody@example.ch", f"guess-{n}").status_code for n in range(7)]

    # Then the answers are those a real account gets: the lock tells nothing either
    assert answers == [401] * 5 + [429] * 2


def test_each_lock_of_a_client_lasts_longer_and_then_passes():
    # Given a user, and a guesser on one client
    user = UserFactory.create()
    limit = config().login_failures_per_client
    start = timezone.now()
    waits = []
    for round_number in range(3):
        with time_machine.travel(start + timedelta(hours=round_number), tick=False):
            for n in range(limit):
                assert _log_in(user.email, f"guess-{n}").status_code == 401
            locked = _log_in(user.email, PASSWORD)
            assert locked.status_code == 429
            waits.append(int(locked["Retry-After"]))

    # Then the locks last 1, 4 and 16 minutes
    assert waits == [60, 240, 960]

    # And once the last one has passed, the right password works again
    with time_machine.travel(start + timedelta(hours=2, minutes=17), tick=False):
        assert _log_in(user.email, PASSWORD).status_code == 200
        counter = LoginFailureCounter.objects.get(email=user.email, client="198.51.100.1")
        assert (counter.failures, counter.locks, counter.locked_until) == (0, 0, None)


def test_failures_while_locked_do_not_lengthen_the_lock():
    # Given a user locked out on one client
    user = UserFactory.create()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(config().login_failures_per_client):
            _log_in(user.email, f"guess-{n}")

    # When the guesser goes on hammering during the lock
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        for n in range(20):
            assert _log_in(user.email, f"more-{n}").status_code == 429

    # Then the lock ends when it would have: a minute after it began
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert _log_in(user.email, PASSWORD).status_code == 200


def test_an_account_guessed_at_from_many_clients_is_locked_for_new_clients_only():
    # Given a user who logged in before from home
    user = UserFactory.create()
    home = "192.0.2.10"
    assert _log_in(user.email, PASSWORD, client=home).status_code == 200

    # When wrong passwords come from 20 different addresses, a few each
    per_account = config().login_failures_per_account
    for n in range(per_account):
        assert _log_in(user.email, f"guess-{n}", client=f"203.0.113.{n}").status_code == 401

    # Then a new client is locked out of the account, even with the right password
    response = _log_in(user.email, PASSWORD, client="203.0.113.200")
    assert_error(response, 429, "too_many_attempts", set(), documented_in=TOKEN)
    assert response["Retry-After"] == str(int(ACCOUNT_LOCK.total_seconds()))

    # But the owner at home still logs in: guessing cannot lock them out
    assert _log_in(user.email, PASSWORD, client=home).status_code == 200


def test_behind_a_trusted_proxy_the_client_is_the_address_it_forwards(quartier_settings):
    # Given one trusted proxy in front of Quartier, which appends the client's address
    quartier_settings(TRUSTED_PROXIES=1)
    user = UserFactory.create()
    limit = config().login_failures_per_client

    # When one client fails `limit` times, whatever it writes before the proxy's entry
    for n in range(limit):
        forwarded = f"10.0.0.{n}, 203.0.113.5"
        response = _log_in(user.email, "wrong", client="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 401

    # Then that client is locked out; another client behind the same proxy is not
    locked = _log_in(user.email, PASSWORD, client="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = _log_in(user.email, PASSWORD, client="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert (locked.status_code, other.status_code) == (429, 200)


def test_drf_throttles_trust_the_same_number_of_proxies():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == config().trusted_proxies == 0


def test_the_anonymous_rate_limit_ignores_a_spoofed_forwarded_for():
    # When an anonymous client sends 61 requests a minute, each with another X-Forwarded-For
    statuses = [
        Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        .get(f"{API}/categories")
        .status_code
        for n in range(61)
    ]

    # Then the 61st is throttled: they all came from one client
    assert statuses == [200] * 60 + [429]
