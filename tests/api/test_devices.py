"""Each log-in is a device with its own token: listed, revocable one by one; logging out on
one phone logs out only that phone, and a device's push subscription goes with it."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend.devices import token_digest
from backend.models import Device
from realtime.models import PushSubscription
from tests.api.api_assertions import assert_error, token_client
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
P256DH = "B" + "A" * 86  # 65 bytes, base64url
AUTH = "A" * 22  # 16 bytes, base64url


def _log_in(user: Any, **device: str) -> dict[str, Any]:
    response = APIClient().post(
        f"{API}/auth/token", {"email": user.email, "password": PASSWORD, **device}, format="json"
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _subscribe(token: str, endpoint: str) -> None:
    response = token_client(token).post(
        f"{API}/push-subscriptions",
        {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_each_log_in_is_a_device_with_its_own_token_and_the_list_shows_them():
    # Given a person who logged in on a phone and on a tablet
    user = UserFactory.create()
    phone = _log_in(user, device_name="Anna's phone", platform="android")
    tablet = _log_in(user, device_name="Tablet", platform="ios")

    # Then each answer names its device, and the tokens differ
    assert phone["token"] != tablet["token"]
    assert phone["device"]["name"] == "Anna's phone"
    assert phone["device"]["platform"] == "android"
    assert phone["device"]["current"] is True
    assert phone["device"]["push"] is False

    # When the phone lists the devices
    listed = token_client(phone["token"]).get(f"{API}/devices")

    # Then both are there, newest first, the phone marked as the one asking
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 2
    assert [(d["name"], d["platform"], d["current"]) for d in body["results"]] == [
        ("Tablet", "ios", False),
        ("Anna's phone", "android", True),
    ]
    assert [d["id"] for d in body["results"]] == [tablet["device"]["id"], phone["device"]["id"]]
    # Only the token's digest is kept
    assert set(Device.objects.values_list("key_digest", flat=True)) == {
        token_digest(phone["token"]),
        token_digest(tablet["token"]),
    }


def test_a_log_in_without_a_name_is_an_unnamed_device():
    user = UserFactory.create()
    body = _log_in(user)
    assert (body["device"]["name"], body["device"]["platform"]) == ("Unnamed device", "other")


def test_logging_out_on_one_phone_logs_out_only_that_phone_and_its_push():
    # Given a person on two phones, each registered for push
    user = UserFactory.create()
    first, second = _log_in(user)["token"], _log_in(user)["token"]
    _subscribe(first, "https://push.example/first")
    _subscribe(second, "https://push.example/second")
    assert PushSubscription.objects.get(endpoint="https://push.example/first").device is not None

    # When the first phone logs out
    assert token_client(first).post(f"{API}/auth/logout").status_code == 204

    # Then its token and its push subscription are gone; the second phone is as it was
    assert_error(token_client(first).get(f"{API}/me"), 401, "authentication_failed")
    assert token_client(second).get(f"{API}/me").status_code == 200
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        "https://push.example/second"
    ]
    assert Device.objects.filter(user=user).count() == 1


def test_a_person_revokes_a_lost_phone_from_another_device():
    # Given a person on two devices, the lost one registered for push
    user = UserFactory.create()
    here = _log_in(user, device_name="Laptop")
    lost = _log_in(user, device_name="Lost phone")
    _subscribe(lost["token"], "https://push.example/lost")
    listed = token_client(here["token"]).get(f"{API}/devices").json()["results"]
    assert [(d["name"], d["push"]) for d in listed] == [("Lost phone", True), ("Laptop", False)]

    # When they revoke the lost one
    response = token_client(here["token"]).delete(f"{API}/devices/{lost['device']['id']}")

    # Then its token stops working and its push subscription is gone
    assert response.status_code == 204
    assert token_client(lost["token"]).get(f"{API}/me").status_code == 401
    assert token_client(here["token"]).get(f"{API}/me").status_code == 200
    assert PushSubscription.objects.count() == 0
    assert list(Device.objects.values_list("name", flat=True)) == ["Laptop"]


def test_another_persons_device_cannot_be_revoked():
    # Given two people, each on a device
    owner, other = UserFactory.create(), UserFactory.create()
    owned = _log_in(owner)
    intruder = _log_in(other)["token"]

    # When one tries to revoke the other's device (or lists devices)
    response = token_client(intruder).delete(f"{API}/devices/{owned['device']['id']}")
    listed = token_client(intruder).get(f"{API}/devices").json()

    # Then it is not found, nothing changed, and each sees only their own
    assert_error(response, 404, "not_found")
    assert token_client(owned["token"]).get(f"{API}/me").status_code == 200
    assert Device.objects.count() == 2
    assert listed["count"] == 1


def test_a_web_session_is_not_a_device_and_its_logout_ends_no_device():
    # Given a person signed in on a phone and in the browser
    user = UserFactory.create()
    phone = _log_in(user)["token"]
    browser = APIClient()
    browser.force_login(user)

    # When the browser registers for push and calls the API's logout
    response = browser.post(
        f"{API}/push-subscriptions",
        {"endpoint": "https://push.example/web", "keys": {"p256dh": P256DH, "auth": AUTH}},
        format="json",
    )
    assert response.status_code == 201
    assert browser.post(f"{API}/auth/logout").status_code == 204

    # Then the phone is still signed in, and the browser's subscription has no device
    assert token_client(phone).get(f"{API}/me").status_code == 200
    assert PushSubscription.objects.get().device is None
    listed = browser.get(f"{API}/devices").json()
    assert [d["current"] for d in listed["results"]] == [False]


def test_the_list_of_devices_costs_the_same_queries_for_one_or_many():
    user = UserFactory.create()
    client = token_client(_log_in(user)["token"])
    client.get(f"{API}/devices")  # the device's "last used" is written once, not measured

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{API}/devices").status_code == 200
        return len(captured.captured_queries)

    one = queries()
    for _ in range(5):
        _log_in(user)
    assert client.get(f"{API}/devices").json()["count"] == 6
    # The token's device, and the page of devices with their push subscriptions counted
    assert one == queries() == 2


migration = importlib.import_module("backend.migrations.0010_devices_from_api_tokens")


def test_each_existing_token_becomes_an_unnamed_device_that_keeps_working():
    # Given two people with an API token each, from before devices
    first, second = UserFactory.create(), UserFactory.create()
    tokens = [Token.objects.create(user=first), Token.objects.create(user=second)]

    # When the data migration runs
    migration.tokens_to_devices(
        django_apps, SimpleNamespace(connection=SimpleNamespace(alias=connection.alias))
    )

    # Then each token is a device named "Unnamed device", and the phones stay signed in
    assert Token.objects.count() == 0
    assert sorted(Device.objects.values_list("user_id", "name", "platform")) == sorted(
        [(first.pk, "Unnamed device", "other"), (second.pk, "Unnamed device", "other")]
    )
    for token in tokens:
        assert token_client(token.key).get(f"{API}/me").status_code == 200
