"""Web Push end to end: a local push service receives what the relay sends and decrypts it
with the subscription's own keys (RFC 8291, `http_ece`), as a browser would."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import override_settings

from backend.exceptions import ValidationFailed
from backend.relay import relay_pending
from realtime.models import PushSubscription, StreamEvent
from realtime.push import push_payload, push_subscribe
from tests.api.api_assertions import API, assert_error, client_for, openapi_schema
from tests.factories import UserFactory, make_helper, post_request
from tests.realtime.fake_dns import FakeDns

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


class PushService:
    """A push service on loopback: /ok/<n> takes messages (201), /gone/<n> answers 410,
    /broken/<n> fails (500)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                service.received.append((self.path, headers, body))
                status = 410 if self.path.startswith("/gone") else 201
                self.send_response(500 if self.path.startswith("/broken") else status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.server.shutdown()


@pytest.fixture
def vapid() -> Iterator[ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = b64(key.private_numbers().private_value.to_bytes(32, "big"))
    with override_settings(
        QUARTIER_VAPID_PRIVATE_KEY=private,
        QUARTIER_VAPID_PUBLIC_KEY=b64(public_bytes(key)),
        QUARTIER_PUSH_ALLOW_HTTP=True,
    ):
        yield key


def device() -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    """A browser's subscription keys: its P-256 key pair and its 16-byte auth secret."""
    return ec.generate_private_key(ec.SECP256R1()), os.urandom(16)


def test_an_offer_reaches_the_closed_app_encrypted_and_a_gone_subscription_is_removed(
    push_service: PushService, vapid: ec.EllipticCurvePrivateKey
) -> None:
    helper = make_helper(preferred_language="de")
    key, auth = device()
    client = client_for(helper.user)
    subscribe = {
        "endpoint": f"{push_service.url}/ok/1",
        "keys": {"p256dh": b64(public_bytes(key)), "auth": b64(auth)},
        "device_name": "Anna's phone",
    }
    assert client.post(f"{API}/push-subscriptions", subscribe, format="json").status_code == 201
    gone_key, gone_auth = device()
    gone = {
        "endpoint": f"{push_service.url}/gone/2",
        "keys": {"p256dh": b64(public_bytes(gone_key)), "auth": b64(gone_auth)},
    }
    assert client.post(f"{API}/push-subscriptions", gone, format="json").status_code == 201
    listed = client.get(f"{API}/push-subscriptions").json()
    assert listed["vapid_public_key"] == b64(public_bytes(vapid))
    assert [s["device_name"] for s in listed["subscriptions"]] == ["Anna's phone", ""]

    help_request = post_request(UserFactory.create())
    relay_pending()

    assert sorted(path for path, _headers, _body in push_service.received) == ["/gone/2", "/ok/1"]
    _path, headers, body = next(r for r in push_service.received if r[0] == "/ok/1")
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    assert headers["authorization"].endswith(f"k={b64(public_bytes(vapid))}")
    message = json.loads(
        http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm")
    )
    assert message["type"] == "offer.made"
    assert message["data"]["help_request"] == str(help_request.public_id)
    assert message["title"] == "Ein neuer Auftrag in Ihrer Nähe"
    assert [a["action"] for a in message["actions"]] == ["accept", "show"]
    assert headers["ttl"] == "3600"
    assert message["tag"] == f"quartier-{message['id']}"
    # The push service said 410 for the other device: its subscription is gone.
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        f"{push_service.url}/ok/1"
    ]


def test_a_subscription_is_refused_without_real_keys_and_removed_on_request(
    vapid: ec.EllipticCurvePrivateKey,
) -> None:
    user = UserFactory.create()
    client = client_for(user)
    bad = {"endpoint": "https://push.example/1", "keys": {"p256dh": "abc", "auth": "def"}}
    assert_error(
        client.post(f"{API}/push-subscriptions", bad, format="json"),
        400,
        "invalid_subscription",
        {"keys.p256dh"},
        documented_in=("post", "/api/v1/push-subscriptions"),
    )
    assert PushSubscription.objects.count() == 0
    key, auth = device()
    good = {**bad, "keys": {"p256dh": b64(public_bytes(key)), "auth": b64(auth)}}
    assert client.post(f"{API}/push-subscriptions", good, format="json").status_code == 201
    response = client.post(
        f"{API}/push-subscriptions/remove", {"endpoint": good["endpoint"]}, format="json"
    )
    assert response.status_code == 204
    assert PushSubscription.objects.count() == 0


def test_a_refused_key_is_named_where_the_app_sent_it(
    vapid: ec.EllipticCurvePrivateKey,
) -> None:
    """The keys sit under `keys` in the subscription the app sends: the error names
    `keys.auth`, the field the app can point at, and nothing is stored."""
    client = client_for(UserFactory.create())
    key, _auth = device()
    body = {
        "endpoint": "https://push.example/1",
        "keys": {"p256dh": b64(public_bytes(key)), "auth": "not-a-key"},
    }
    assert_error(
        client.post(f"{API}/push-subscriptions", body, format="json"),
        400,
        "invalid_subscription",
        {"keys.auth"},
        documented_in=("post", "/api/v1/push-subscriptions"),
    )
    assert PushSubscription.objects.count() == 0


def test_the_schema_names_the_two_keys_of_a_subscription() -> None:
    """`keys` is described as the browser gives it, `p256dh` and `auth`, not as any object."""
    schema = openapi_schema()
    body = schema["paths"]["/api/v1/push-subscriptions"]["post"]["requestBody"]
    reference = body["content"]["application/json"]["schema"]["$ref"]
    subscription = schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    keys_reference = subscription["properties"]["keys"]["$ref"]
    keys = schema["components"]["schemas"][keys_reference.rsplit("/", 1)[-1]]

    assert keys["type"] == "object"
    assert sorted(keys["properties"]) == ["auth", "p256dh"]
    assert {name: field["type"] for name, field in keys["properties"].items()} == {
        "auth": "string",
        "p256dh": "string",
    }
    assert sorted(keys["required"]) == ["auth", "p256dh"]
    assert "keys" in subscription["required"]


def test_the_keys_are_read_as_before(vapid: ec.EllipticCurvePrivateKey) -> None:
    """The schema's description changes nothing of what is accepted: a missing key is the
    service's refusal, named where the app sent it; other members are ignored; `keys` that is
    no object is refused as such."""
    client = client_for(UserFactory.create())
    key, auth = device()
    endpoint = "https://push.example/1"

    without_auth = {"endpoint": endpoint, "keys": {"p256dh": b64(public_bytes(key))}}
    assert_error(
        client.post(f"{API}/push-subscriptions", without_auth, format="json"),
        400,
        "invalid_subscription",
        {"keys.auth"},
        documented_in=("post", "/api/v1/push-subscriptions"),
    )
    not_an_object = {"endpoint": endpoint, "keys": "p256dh auth"}
    assert_error(
        client.post(f"{API}/push-subscriptions", not_an_object, format="json"),
        400,
        "not_a_dict",
        {"keys"},
    )
    assert PushSubscription.objects.count() == 0

    keys = {"p256dh": b64(public_bytes(key)), "auth": b64(auth), "expirationTime": "null"}
    response = client.post(
        f"{API}/push-subscriptions", {"endpoint": endpoint, "keys": keys}, format="json"
    )
    assert response.status_code == 201, response.content
    stored = PushSubscription.objects.get()
    assert (stored.p256dh, stored.auth) == (keys["p256dh"], keys["auth"])


@override_settings(QUARTIER_PUSH_ALLOW_HTTP=False)
def test_a_push_endpoint_must_be_https() -> None:
    key, auth = device()
    body = {
        "endpoint": "http://push.example/1",
        "keys": {"p256dh": b64(public_bytes(key)), "auth": b64(auth)},
    }
    response = client_for(UserFactory.create()).post(
        f"{API}/push-subscriptions", body, format="json"
    )
    assert_error(response, 400, "invalid_subscription", {"endpoint"})
    assert PushSubscription.objects.count() == 0


@override_settings(QUARTIER_PUSH_ALLOW_HTTP=False)
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/push/1",
        "https://10.0.0.5/admin",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/push/1",
        "https://localhost/push/1",
        "https://admin.localhost/push/1",
        "https://push.example:8443/send/1",
    ],
)
def test_a_push_endpoint_must_name_a_push_service_not_a_machine_of_the_network(
    endpoint: str,
) -> None:
    """The relay posts to the endpoint: an address of one computer, or another port, would let
    anyone make Quartier call the machines beside it."""
    theirs = {"endpoint": "https://push.example/theirs", "p256dh": "k", "auth": "a"}
    PushSubscription.objects.create(user=UserFactory.create(), **theirs)
    key, auth = device()
    body = {"endpoint": endpoint, "keys": {"p256dh": b64(public_bytes(key)), "auth": b64(auth)}}

    response = client_for(UserFactory.create()).post(
        f"{API}/push-subscriptions", body, format="json"
    )

    assert_error(response, 400, "invalid_subscription", {"endpoint"})
    assert response.json()["message"] == (
        "A push endpoint is the address of a push service: a domain name, no port."
    )
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [theirs["endpoint"]]


@override_settings(QUARTIER_PUSH_ALLOW_HTTP=False)
@pytest.mark.parametrize(
    "endpoint", ["https://127.1/push/1", "https://0x7f.1/push/1", "https://intranet/push/1"]
)
def test_the_service_refuses_a_number_or_a_bare_name_for_a_host_too(endpoint: str) -> None:
    """Hosts the API's URL check refuses already; the service, which the socket and the pages
    may call too, refuses them on its own (the resolver reads "127.1" as 127.0.0.1)."""
    key, auth = device()
    with pytest.raises(ValidationFailed) as refused:
        push_subscribe(
            user=UserFactory.create(),
            endpoint=endpoint,
            p256dh=b64(public_bytes(key)),
            auth=b64(auth),
        )
    assert (refused.value.code, refused.value.fields) == (
        "invalid_subscription",
        {"endpoint": ["A push endpoint is the address of a push service: a domain name, no port."]},
    )
    assert PushSubscription.objects.count() == 0


@override_settings(QUARTIER_PUSH_ALLOW_HTTP=False)
def test_the_push_services_of_the_browsers_are_taken(fake_dns: FakeDns) -> None:
    # Their names resolve to public addresses (as faked here: the tests need no network)
    fake_dns.names.update(
        {
            "fcm.googleapis.com": [["142.250.203.106", "2a00:1450:400a:803::200a"]],
            "updates.push.services.mozilla.com": [["34.117.65.55"]],
            "web.push.apple.com": [["17.188.182.202"]],
            "wns2-par02p.notify.windows.com": [["20.199.120.182"]],
        }
    )
    user = UserFactory.create()
    client = client_for(user)
    endpoints = [
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGbW:443",
        "https://wns2-par02p.notify.windows.com:443/w/?token=BQYAAA",
    ]
    for endpoint in endpoints:
        key, auth = device()
        keys = {"p256dh": b64(public_bytes(key)), "auth": b64(auth)}
        response = client.post(
            f"{API}/push-subscriptions", {"endpoint": endpoint, "keys": keys}, format="json"
        )
        assert response.status_code == 201, response.content
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == endpoints


@pytest.mark.parametrize(
    ("status", "from_status", "title"),
    [
        ("proposed", "awaiting_proposal", "Zeiten vorgeschlagen: Wählen Sie eine."),
        ("proposed", "confirmed", "Die Helferin oder der Helfer schlägt andere Zeiten vor"),
        ("cancelled", "confirmed", "Der Besuch wurde abgesagt"),
        ("completed", "in_progress", "Erledigt: Bitte nehmen Sie den Besuch ab."),
        ("on_the_way", "confirmed", "Ihre Buchung hat sich geändert"),
    ],
)
def test_a_booking_push_says_what_happened_in_the_users_language(
    status: str, from_status: str, title: str
) -> None:
    row = StreamEvent(
        pk=7,
        user_id=1,
        seq=3,
        type="booking.status",
        data={"status": status, "from_status": from_status, "by": "helper"},
    )

    message = json.loads(push_payload(row, "de"))

    assert message["title"] == title
    assert message["tag"] == "quartier-7"
    assert "actions" not in message
