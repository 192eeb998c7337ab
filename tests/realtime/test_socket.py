"""The WebSocket at /ws/v1/ through channels' WebsocketCommunicator: who may connect, what
they hear, resuming, chat, and every kind of bad input."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings
from rest_framework.test import APIClient

from backend.devices import devices_revoke_all, token_digest
from backend.models import Device
from backend.relay import relay_pending
from bookings import services
from bookings.models import BookingStatus, Offer
from realtime import stream
from realtime.models import ChatMessage, StreamCounter, StreamEvent
from realtime.routing import websocket_application
from tests.api.api_assertions import API
from tests.factories import PASSWORD, UserFactory, make_booking, make_helper, post_request
from tests.realtime.helpers import api_token

pytestmark = pytest.mark.django_db

HOST = (b"host", b"testserver")
ORIGIN = (b"origin", b"http://testserver")


# The sockets a scenario opened, disconnected when it ends.
_opened: list[WebsocketCommunicator] = []


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async def whole() -> None:
        try:
            await scenario()
        finally:
            # Each consumer ends as it does when a phone hangs up (its application returns),
            # never by being cancelled with whatever it awaits when the event loop closes.
            while _opened:
                await _opened.pop().disconnect()

    async_to_sync(whole)()


def communicator(
    *, token: str | None = None, after: int | str | None = None, headers: list[Any] | None = None
) -> WebsocketCommunicator:
    query = []
    if after is not None:
        query.append(f"after={after}")
    if token is not None:
        query.append(f"token={token}")
    path = "/ws/v1/" + ("?" + "&".join(query) if query else "")
    socket = WebsocketCommunicator(
        websocket_application, path, headers=headers if headers is not None else [HOST, ORIGIN]
    )
    _opened.append(socket)
    return socket


async def connected(**kwargs: Any) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    socket = communicator(**kwargs)
    accepted, _protocol = await socket.connect()
    assert accepted
    hello = await socket.receive_json_from()
    assert hello["type"] == "hello"
    return socket, hello


async def frames(socket: WebsocketCommunicator, count: int) -> list[dict[str, Any]]:
    return [await socket.receive_json_from(timeout=3) for _ in range(count)]


relay = database_sync_to_async(relay_pending)


def test_a_helper_hears_an_offer_live_and_the_loser_hears_it_withdrawn() -> None:
    first, second = make_helper(), make_helper()
    customer = UserFactory.create()
    tokens = {h.pk: api_token(h.user) for h in (first, second)}
    customer_token = api_token(customer)

    async def scenario() -> None:
        one, hello = await connected(token=tokens[first.pk])
        two, _ = await connected(token=tokens[second.pk])
        them, _ = await connected(token=customer_token)
        assert hello == {"type": "hello", "user": str(first.user.public_id), "last_seq": 0}

        help_request = await database_sync_to_async(post_request)(customer)
        await relay()
        made_one, made_two = (await frames(one, 1))[0], (await frames(two, 1))[0]
        assert (made_one["type"], made_one["seq"], made_one["data"]["status"]) == (
            "event",
            1,
            "pending",
        )
        assert made_one["data"]["help_request"] == str(help_request.public_id)
        assert made_two["data"]["offer"] != made_one["data"]["offer"]

        offer = await database_sync_to_async(Offer.objects.get)(
            help_request=help_request, helper=first
        )
        await database_sync_to_async(services.offer_accept)(offer=offer, actor=first.user)
        await relay()
        assert [f["data"]["status"] for f in await frames(two, 1)] == ["withdrawn"]
        assert [f["data"]["status"] for f in await frames(one, 2)] == [
            "accepted",
            "awaiting_proposal",
        ]
        assert [f["data"]["status"] for f in await frames(them, 2)] == [
            "assigned",
            "awaiting_proposal",
        ]
        for socket in (one, two, them):
            assert await socket.receive_nothing(timeout=0.2)
            await socket.disconnect()

    run(scenario)


def test_reconnecting_with_the_last_number_returns_exactly_what_was_missed() -> None:
    customer = UserFactory.create()
    token = api_token(customer)
    booking = make_booking(BookingStatus.PROPOSED, customer=customer)

    async def scenario() -> None:
        socket, hello = await connected(token=token, after=2)
        assert hello["last_seq"] == 2
        missed = await frames(socket, 2)
        assert [(f["type"], f["seq"], f["event"]) for f in missed] == [
            ("event", 3, "booking.status"),
            ("event", 4, "booking.proposals_made"),
        ]
        assert await socket.receive_nothing(timeout=0.2)
        # The relay delivers the same rows again (at least once): the socket drops them.
        await relay()
        assert await socket.receive_nothing(timeout=0.2)
        # Asking again from 0 over the open socket: everything, once each.
        await socket.send_json_to({"type": "resume", "after": 0})
        assert [f["seq"] for f in await frames(socket, 4)] == [1, 2, 3, 4]
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()

    run(scenario)
    assert booking.status == BookingStatus.PROPOSED


# "²" (passes str.isdigit() but not int()), "٣" (passes both, as 3), a sign, a word, and more
# digits than int() reads from a string.
@pytest.mark.parametrize("after", ["%C2%B2", "%D9%A3", "-1", "the-start", "9" * 5000])
def test_connecting_after_anything_but_a_sequence_number_says_so_and_stays_live(after) -> None:
    customer = UserFactory.create()
    token = api_token(customer)
    make_booking(BookingStatus.PROPOSED, customer=customer)
    rows_before = StreamEvent.objects.count()

    async def scenario() -> None:
        english = [HOST, ORIGIN, (b"accept-language", b"en")]
        socket, hello = await connected(token=token, after=after, headers=english)
        assert hello == {"type": "hello", "user": str(customer.public_id), "last_seq": 4}
        message = "Resume after a sequence number."
        assert await socket.receive_json_from() == {
            "type": "error",
            "code": "invalid_cursor",
            "message": message,
            "fields": {"after": [message]},
        }
        assert await socket.receive_nothing(timeout=0.2)
        await socket.send_json_to({"type": "resume", "after": 2})
        assert [(f["type"], f["seq"]) for f in await frames(socket, 2)] == [
            ("event", 3),
            ("event", 4),
        ]

    run(scenario)
    assert StreamEvent.objects.count() == rows_before


def test_a_socket_without_a_valid_token_is_closed_with_a_code() -> None:
    async def scenario() -> None:
        for token, code in (("not-a-token", "invalid_token"), (None, "not_authenticated")):
            socket = communicator(token=token)
            accepted, _ = await socket.connect()
            assert accepted
            assert (await socket.receive_json_from())["code"] == code
            assert await socket.receive_output() == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_a_foreign_origin_is_refused_at_the_handshake() -> None:
    token = api_token(UserFactory.create())

    async def scenario() -> None:
        for origin in (b"https://evil.example", b"null"):
            socket = communicator(token=token, headers=[HOST, (b"origin", origin)])
            accepted, _ = await socket.connect()
            assert not accepted, origin

    run(scenario)


def test_a_native_apps_socket_without_origin_is_let_in_by_its_token() -> None:
    user = UserFactory.create()
    token = api_token(user)

    async def scenario() -> None:
        socket, hello = await connected(token=token, headers=[HOST])
        assert hello == {"type": "hello", "user": str(user.public_id), "last_seq": 0}
        await socket.disconnect()
        for bad_token, code in (("not-a-token", "invalid_token"), (None, "not_authenticated")):
            anonymous = communicator(token=bad_token, headers=[HOST])
            accepted, _ = await anonymous.connect()
            assert accepted
            assert (await anonymous.receive_json_from())["code"] == code
            assert await anonymous.receive_output() == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_the_token_header_and_the_session_authenticate_too() -> None:
    user = UserFactory.create()
    token = api_token(user)
    browser = Client()
    browser.force_login(user)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()

    async def scenario() -> None:
        for headers in (
            [HOST, ORIGIN, (b"authorization", f"Token {token}".encode())],
            [HOST, ORIGIN, (b"cookie", cookie)],
            [HOST, ORIGIN, (b"sec-websocket-protocol", f"quartier.v1, token.{token}".encode())],
        ):
            socket, hello = await connected(headers=headers)
            assert hello["user"] == str(user.public_id)
            await socket.disconnect()

    run(scenario)


def test_bad_frames_get_error_frames_and_store_nothing() -> None:
    customer = UserFactory.create()
    stranger = UserFactory.create()
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer)
    token = api_token(stranger)
    rows_before = StreamEvent.objects.count()

    async def scenario() -> None:
        socket, _ = await connected(token=token)
        bad = [
            ("not json", "malformed_frame"),
            (json.dumps([1, 2]), "malformed_frame"),
            (json.dumps({"type": "launch.rockets"}), "unknown_type"),
            (
                json.dumps({"type": "chat.send", "booking": str(booking.public_id), "text": "hi"}),
                "not_found",
            ),
            (json.dumps({"type": "chat.send", "booking": "nope", "text": "hi"}), "not_found"),
            (json.dumps({"type": "typing", "booking": str(booking.public_id)}), "not_found"),
            (json.dumps({"type": "resume", "after": "x"}), "invalid_cursor"),
        ]
        for text, code in bad:
            await socket.send_to(text_data=text)
            answer = await socket.receive_json_from()
            assert (answer["type"], answer["code"]) == ("error", code), text
        await socket.send_to(bytes_data=b"\x00\x01")
        assert (await socket.receive_json_from())["code"] == "malformed_frame"
        await socket.disconnect()

    run(scenario)
    assert ChatMessage.objects.count() == 0
    assert StreamEvent.objects.count() == rows_before


@override_settings(QUARTIER_WS_MAX_FRAME_BYTES=100)
def test_an_oversized_frame_closes_the_socket() -> None:
    token = api_token(UserFactory.create())

    async def scenario() -> None:
        socket, _ = await connected(token=token)
        await socket.send_json_to({"type": "ping", "pad": "x" * 200})
        assert (await socket.receive_json_from())["code"] == "frame_too_large"
        assert await socket.receive_output() == {"type": "websocket.close", "code": 1009}

    run(scenario)


@override_settings(QUARTIER_WS_MESSAGES_PER_10S=5)
def test_a_flood_is_cut_off() -> None:
    token = api_token(UserFactory.create())

    async def scenario() -> None:
        socket, _ = await connected(token=token)
        for number in range(5):
            await socket.send_json_to({"type": "ping", "ref": number})
            assert await socket.receive_json_from() == {"type": "pong", "ref": number}
        await socket.send_json_to({"type": "ping"})
        assert (await socket.receive_json_from())["code"] == "rate_limited"
        assert await socket.receive_output() == {"type": "websocket.close", "code": 4429}

    run(scenario)


def acked_seq(user_id: int) -> int:
    return StreamCounter.objects.get(user_id=user_id).acked_seq


def test_chat_typing_and_read_receipts_over_the_socket() -> None:
    customer = UserFactory.create()
    helper = make_helper()
    booking = make_booking(BookingStatus.PROPOSED, customer=customer, helper=helper)
    tokens = (api_token(customer), api_token(helper.user))

    async def scenario() -> None:
        mine, hello = await connected(token=tokens[0])
        theirs, their_hello = await connected(token=tokens[1])
        await mine.send_json_to({"type": "typing", "booking": str(booking.public_id)})
        assert await theirs.receive_json_from() == {
            "type": "typing",
            "booking": str(booking.public_id),
            "user": str(customer.public_id),
        }
        await mine.send_json_to(
            {
                "type": "chat.send",
                "booking": str(booking.public_id),
                "text": "Call me on 079 123 45 67 or anna@example.ch",
                "ref": "a1",
            }
        )
        sent = await mine.receive_json_from()
        assert (sent["type"], sent["ref"]) == ("chat.sent", "a1")
        await relay()
        (heard,) = await frames(theirs, 1)
        assert (heard["event"], heard["seq"]) == ("chat.message", their_hello["last_seq"] + 1)
        message = heard["data"]
        assert (message["id"], message["text"]) == (sent["message"], "Call me on ••• or •••")
        (own,) = await frames(mine, 1)
        assert own["data"] == message

        await theirs.send_json_to(
            {"type": "chat.read", "booking": str(booking.public_id), "message": sent["message"]}
        )
        await theirs.send_json_to({"type": "ping", "ref": "after-read"})
        assert await theirs.receive_json_from() == {"type": "pong", "ref": "after-read"}
        await relay()
        (receipt,) = await frames(mine, 1)
        assert (receipt["type"], receipt["data"]["reader"]) == ("event", str(helper.user.public_id))
        assert receipt["data"]["last_read_message"] == sent["message"]
        await theirs.send_json_to({"type": "ack", "seq": heard["seq"]})
        await theirs.send_json_to({"type": "ping"})
        assert await theirs.receive_json_from() == {"type": "pong", "ref": None}
        assert await database_sync_to_async(acked_seq)(helper.user.pk) == heard["seq"]
        await mine.disconnect()
        await theirs.disconnect()

    run(scenario)
    assert ChatMessage.objects.get().text == "Call me on 079 123 45 67 or anna@example.ch"


def test_revoking_a_device_closes_the_sockets_its_token_opened_and_no_other() -> None:
    helper = make_helper(preferred_language="en")
    lost_phone, kept_phone = api_token(helper.user), api_token(helper.user)
    lost = Device.objects.get(key_digest=token_digest(lost_phone))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {kept_phone}")

    async def scenario() -> None:
        on_lost, _ = await connected(token=lost_phone)
        on_lost_too, _ = await connected(token=lost_phone)
        on_kept, _ = await connected(token=kept_phone)

        # From the phone kept: sign the lost one out
        response = await database_sync_to_async(client.delete)(f"{API}/devices/{lost.public_id}")
        assert response.status_code == 204
        await relay()

        for socket in (on_lost, on_lost_too):
            assert await socket.receive_json_from(timeout=3) == {
                "type": "error",
                "code": "invalid_token",
                "message": "This device was signed out.",
                "fields": {},
            }
            assert await socket.receive_output(timeout=3) == {
                "type": "websocket.close",
                "code": 4401,
            }
        # The other phone's socket stays open and still hears its stream
        assert await on_kept.receive_nothing(timeout=0.2)
        await on_kept.send_json_to({"type": "ping", "ref": "still-there"})
        assert await on_kept.receive_json_from(timeout=3) == {"type": "pong", "ref": "still-there"}
        customer = await database_sync_to_async(UserFactory.create)()
        await database_sync_to_async(post_request)(customer)
        await relay()
        assert (await on_kept.receive_json_from(timeout=3))["event"] == "offer.made"

    run(scenario)
    assert list(Device.objects.filter(user=helper.user).values_list("key_digest", flat=True)) == [
        token_digest(kept_phone)
    ]


def test_a_new_password_closes_the_sockets_of_every_device() -> None:
    user = UserFactory.create()
    tokens = [api_token(user), api_token(user)]

    async def scenario() -> None:
        sockets = [(await connected(token=token))[0] for token in tokens]
        await database_sync_to_async(devices_revoke_all)(user=user)
        await relay()
        for socket in sockets:
            assert (await socket.receive_json_from(timeout=3))["code"] == "invalid_token"
            assert (await socket.receive_output(timeout=3))["code"] == 4401

    run(scenario)
    assert not Device.objects.filter(user=user).exists()


def _browser_of(user: Any) -> tuple[Client, tuple[bytes, bytes]]:
    """A browser logged in as `user`, and the cookie header its page's socket sends."""
    browser = Client()
    browser.force_login(user)
    return browser, (b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode())


def test_logging_out_closes_the_sockets_that_session_opened_before_they_hear_more() -> None:
    # Given a helper whose page's socket is open, and a second browser of theirs with its own
    helper = make_helper(preferred_language="en")
    browser, cookie = _browser_of(helper.user)
    _other_browser, other_cookie = _browser_of(helper.user)

    async def scenario() -> None:
        socket, _ = await connected(headers=[HOST, ORIGIN, cookie])
        other, _ = await connected(headers=[HOST, ORIGIN, other_cookie])

        # When the first browser logs out, and then an offer is made to the helper
        assert (await database_sync_to_async(browser.post)("/log-out")).status_code == 302
        customer = await database_sync_to_async(UserFactory.create)()
        await database_sync_to_async(post_request)(customer)
        await relay()

        # Then its socket says so and closes instead of passing the offer on
        assert await socket.receive_json_from(timeout=3) == {
            "type": "error",
            "code": "not_authenticated",
            "message": "Log in first: send a valid token or session.",
            "fields": {},
        }
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
        # while the other browser's socket, still logged in, hears the offer
        assert (await other.receive_json_from(timeout=3))["event"] == "offer.made"

    run(scenario)


def test_a_socket_whose_session_ended_says_nothing_more() -> None:
    # Given a customer's page socket in a confirmed visit's chat
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper())
    browser, cookie = _browser_of(booking.help_request.customer)

    async def scenario() -> None:
        socket, _ = await connected(headers=[HOST, ORIGIN, cookie])

        # When the browser logs out, and the open socket still sends a message
        await database_sync_to_async(browser.post)("/log-out")
        await socket.send_json_to(
            {"type": "chat.send", "booking": str(booking.public_id), "text": "Still me?"}
        )

        # Then the socket closes, and nothing was written in the chat
        assert (await socket.receive_json_from(timeout=3))["code"] == "not_authenticated"
        assert (await socket.receive_output(timeout=3))["code"] == 4401

    run(scenario)
    assert not ChatMessage.objects.filter(booking=booking).exists()


def test_a_new_password_closes_the_sockets_of_every_session_and_its_own_browser_reopens() -> None:
    # Given a helper logged in in two browsers, each page with its socket open
    helper = make_helper(preferred_language="en")
    browser, cookie = _browser_of(helper.user)
    _stolen, stolen_cookie = _browser_of(helper.user)
    new_password = "a-brand-New-passphrase-7"

    async def scenario() -> None:
        own, hello = await connected(headers=[HOST, ORIGIN, cookie])
        stolen, _ = await connected(headers=[HOST, ORIGIN, stolen_cookie])

        # When the helper sets a new password in the first browser, and an offer is made
        response = await database_sync_to_async(browser.post)(
            "/password", {"current_password": PASSWORD, "new_password": new_password}
        )
        assert response.status_code == 302, response.content
        customer = await database_sync_to_async(UserFactory.create)()
        await database_sync_to_async(post_request)(customer)
        await relay()

        # Then both sockets close without the offer: the other session is over, and the first
        # browser's session continues under a new key (Django renews it with the password)
        for socket in (own, stolen):
            assert (await socket.receive_json_from(timeout=3))["code"] == "not_authenticated"
            assert (await socket.receive_output(timeout=3))["code"] == 4401
        # The first browser's page opens its socket again, as it does after any drop, and
        # catches up on the offer
        renewed = (b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode())
        again, _ = await connected(after=hello["last_seq"], headers=[HOST, ORIGIN, renewed])
        assert (await again.receive_json_from(timeout=3))["event"] == "offer.made"

    run(scenario)


def test_a_resume_longer_than_a_page_sends_each_missed_event_as_its_own_frame_in_order(
    monkeypatch,
) -> None:
    # Given four events missed, read from the database two at a time
    customer = UserFactory.create()
    token = api_token(customer)
    make_booking(BookingStatus.PROPOSED, customer=customer)
    read = stream.stream_after
    monkeypatch.setattr(stream, "CATCH_UP_LIMIT", 2)
    monkeypatch.setattr(stream, "stream_after", lambda user, after: read(user, after, limit=2))
    expected = [(row.seq, row.type) for row in StreamEvent.objects.filter(user=customer)]

    async def scenario() -> None:
        socket, hello = await connected(token=token)
        assert hello["last_seq"] == 4
        # When the client resumes after 0 (as the protocol says: every event after N, then
        # the live ones, one `event` frame per event)
        await socket.send_json_to({"type": "resume", "after": 0})
        missed = await frames(socket, 4)
        assert [(f["type"], f["seq"], f["event"]) for f in missed] == [
            ("event", seq, name) for seq, name in expected
        ]
        assert all(set(f) == {"type", "id", "seq", "event", "data", "at"} for f in missed)
        assert await socket.receive_nothing(timeout=0.2)

    run(scenario)
    assert [seq for seq, _name in expected] == [1, 2, 3, 4]
