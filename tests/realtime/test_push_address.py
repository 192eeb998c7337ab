"""A push endpoint's domain name may resolve into Quartier's own network (127.0.0.1, 10.x, the
cloud's metadata service at 169.254.169.254, ::1): the name is resolved and every address it
gives checked, at registration where the name resolves and again at every send, and the post
goes to the address checked, never to another answer the name gives a moment later. A refused
send is a failed try of that subscription. DNS is faked at socket.getaddrinfo (FakeDns)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import override_settings
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPSConnectionPool

from backend.models import OutboxEvent
from backend.relay import relay_pending
from bookings.models import Offer
from realtime.models import PushSubscription
from realtime.push import WebPushSender
from realtime.push_address import PushAddressRefused, is_public_address, pinned_session
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import UserFactory, make_helper, post_request
from tests.realtime.fake_dns import FakeDns
from tests.realtime.test_push import b64, device, public_bytes

pytestmark = pytest.mark.django_db

NAME = "push.example.com"
ENDPOINT = f"https://{NAME}/send/1"
PUBLIC = "93.184.216.34"
INTERNAL = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104 - an address to refuse, not one to listen on
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
]
REFUSED = "This push endpoint's name leads into a private network, not to a push service."


@pytest.fixture
def vapid() -> Iterator[str]:
    """Push on, with a VAPID key pair; the private key."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = b64(key.private_numbers().private_value.to_bytes(32, "big"))
    with override_settings(
        QUARTIER_VAPID_PRIVATE_KEY=private,
        QUARTIER_VAPID_PUBLIC_KEY=b64(public_bytes(key)),
        QUARTIER_PUSH_ALLOW_HTTP=False,
    ):
        yield private


def _keys() -> dict[str, str]:
    key, auth = device()
    return {"p256dh": b64(public_bytes(key)), "auth": b64(auth)}


def _stored(user, endpoint: str = ENDPOINT) -> PushSubscription:
    """A subscription as registered while its name resolved to a public address."""
    return PushSubscription.objects.create(user=user, endpoint=endpoint, **_keys())


@pytest.mark.parametrize("address", INTERNAL)
def test_an_address_of_a_private_network_is_not_public(address: str) -> None:
    assert is_public_address(address) is False


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_an_internet_address_is_public(address: str) -> None:
    assert is_public_address(address) is True


@pytest.mark.parametrize("address", INTERNAL)
def test_a_send_to_a_name_that_resolves_into_the_network_is_refused_before_connecting(
    fake_dns: FakeDns, vapid: str, address: str
) -> None:
    fake_dns.names[NAME] = [[address]]
    subscription = _stored(UserFactory.create())

    with pytest.raises(PushAddressRefused):
        WebPushSender(vapid, "mailto:a@quartier.test").send(subscription, b"{}", ttl=60)

    # The name was looked up once, and no connection was tried
    assert fake_dns.asked == [(NAME, 443)]
    assert fake_dns.connected == []


def test_one_internal_address_among_public_ones_is_enough_to_refuse(
    fake_dns: FakeDns, vapid: str
) -> None:
    fake_dns.names[NAME] = [[PUBLIC, "10.0.0.7"]]

    with pytest.raises(PushAddressRefused):
        pinned_session(ENDPOINT)


def test_a_refused_send_is_a_failed_try_and_holds_nothing_else(
    fake_dns: FakeDns, vapid: str
) -> None:
    # Given a helper whose push endpoint's name now resolves to the metadata service
    fake_dns.names[NAME] = [["169.254.169.254"]]
    helper = make_helper()
    subscription = _stored(helper.user)

    # When a request is offered to them and the relay pushes it
    post_request(UserFactory.create())
    relay_pending()

    # Then the push was not sent anywhere, it counts as one failed try, and the offer went out
    assert fake_dns.asked == [(NAME, 443)]
    assert fake_dns.connected == []
    subscription.refresh_from_db()
    assert subscription.failures == 1
    assert Offer.objects.filter(helper=helper).count() == 1
    assert list(OutboxEvent.objects.filter(relayed_at__isnull=True)) == []


def test_the_post_goes_to_the_address_checked_not_to_a_later_answer(
    fake_dns: FakeDns, vapid: str
) -> None:
    # Given a name that answers a public address first, then 127.0.0.1 (DNS rebinding)
    fake_dns.names[NAME] = [[PUBLIC], ["127.0.0.1"]]
    subscription = _stored(UserFactory.create())

    # When a push is sent (the connection is refused: no test reaches a real machine)
    with pytest.raises(requests.ConnectionError):
        WebPushSender(vapid, "mailto:a@quartier.test").send(subscription, b"{}", ttl=60)

    # Then the name was resolved once, and the connection went to the address checked
    assert fake_dns.asked == [(NAME, 443), (PUBLIC, 443)]
    assert fake_dns.connected == [(PUBLIC, 443)]


def test_the_pinned_session_names_the_push_service_in_tls_and_in_the_host_header(
    fake_dns: FakeDns,
) -> None:
    fake_dns.names[NAME] = [[PUBLIC]]
    session = pinned_session(ENDPOINT)
    request = requests.Request("POST", ENDPOINT, data=b"x").prepare()
    adapter = session.get_adapter(ENDPOINT)
    assert isinstance(adapter, HTTPAdapter)

    pool = adapter.get_connection_with_tls_context(request, verify=True)
    assert isinstance(pool, HTTPSConnectionPool)
    adapter.add_headers(request)

    assert (pool.host, pool.port) == (PUBLIC, 443)
    assert pool.conn_kw["server_hostname"] == NAME
    assert pool.assert_hostname == NAME
    assert request.headers["Host"] == NAME
    # No redirect is followed, no proxy of the environment resolves the name again
    assert (session.max_redirects, session.trust_env) == (0, False)


def test_a_name_that_does_not_resolve_at_send_time_is_a_failed_try(
    fake_dns: FakeDns, vapid: str
) -> None:
    subscription = _stored(UserFactory.create())

    with pytest.raises(PushAddressRefused):
        WebPushSender(vapid, "mailto:a@quartier.test").send(subscription, b"{}", ttl=60)
    assert fake_dns.asked == [(NAME, 443)]
    assert fake_dns.connected == []


@pytest.mark.parametrize("answers", [["10.0.0.5"], ["::1"], [PUBLIC, "192.168.0.2"]])
def test_registering_a_name_that_resolves_into_the_network_is_refused(
    fake_dns: FakeDns, vapid: str, answers: list[str]
) -> None:
    # Given someone else's subscription, and a name that resolves into the network
    theirs = _stored(UserFactory.create(), "https://push.example.org/theirs")
    fake_dns.names[NAME] = [answers]

    # When a user registers it as their push endpoint
    response = client_for(UserFactory.create()).post(
        f"{API}/push-subscriptions", {"endpoint": ENDPOINT, "keys": _keys()}, format="json"
    )

    # Then it is refused on the endpoint, and nothing is stored
    assert_error(
        response,
        400,
        "invalid_subscription",
        {"endpoint"},
        documented_in=("post", "/api/v1/push-subscriptions"),
    )
    assert response.json()["fields"] == {"endpoint": [REFUSED]}
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_the_refusal_is_in_the_users_language(fake_dns: FakeDns, vapid: str) -> None:
    fake_dns.names[NAME] = [["127.0.0.1"]]

    response = client_for(UserFactory.create()).post(
        f"{API}/push-subscriptions",
        {"endpoint": ENDPOINT, "keys": _keys()},
        format="json",
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert response.json()["fields"] == {
        "endpoint": [
            "Der Name dieses Push-Endpunkts führt in ein privates Netz, nicht zu einem Push-Dienst."
        ]
    }


@pytest.mark.parametrize("answers", [[[PUBLIC]], []])
def test_a_name_that_resolves_to_public_addresses_or_not_yet_is_registered(
    fake_dns: FakeDns, vapid: str, answers: list[list[str]]
) -> None:
    # A name that does not resolve now is checked again at each send.
    if answers:
        fake_dns.names[NAME] = answers
    user = UserFactory.create()

    response = client_for(user).post(
        f"{API}/push-subscriptions", {"endpoint": ENDPOINT, "keys": _keys()}, format="json"
    )

    assert response.status_code == 201, response.content
    assert list(PushSubscription.objects.values_list("user", "endpoint")) == [(user.pk, ENDPOINT)]
    assert fake_dns.asked == [(NAME, 443)]
