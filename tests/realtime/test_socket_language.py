"""The WebSocket's error frames speak the reader's language: the one the handshake asks for
(Accept-Language), else the one stored on the user."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from bookings.models import BookingStatus
from realtime.models import ChatMessage
from realtime.routing import websocket_application
from tests.factories import UserFactory, make_booking
from tests.realtime.helpers import api_token

pytestmark = pytest.mark.django_db

HOST = (b"host", b"testserver")
ORIGIN = (b"origin", b"http://testserver")


def _error_frames(token: str, headers: list[tuple[bytes, bytes]], texts: list[str]) -> list[Any]:
    """The answers to `texts`, sent on one socket opened with `headers`."""

    async def scenario() -> list[Any]:
        socket = WebsocketCommunicator(
            websocket_application, f"/ws/v1/?token={token}", headers=[HOST, ORIGIN, *headers]
        )
        accepted, _protocol = await socket.connect()
        assert accepted
        assert (await socket.receive_json_from())["type"] == "hello"
        answers = []
        for text in texts:
            await socket.send_to(text_data=text)
            answers.append(await socket.receive_json_from())
        await socket.disconnect()
        return answers

    return async_to_sync(scenario)()


@pytest.mark.parametrize(
    ("stored", "header", "unknown", "no_booking"),
    [
        ("it", None, "Tipo di messaggio sconosciuto.", "Questa visita non esiste."),
        ("it", b"de-CH,de;q=0.9", "Unbekannter Nachrichtentyp.", "Diesen Besuch gibt es nicht."),
        ("de", b"fr", "Type de message inconnu.", "Cette visite n’existe pas."),
        ("de", b"en", "Unknown message type.", "No such booking."),
    ],
)
def test_error_frames_speak_the_readers_language(stored, header, unknown, no_booking):
    # Given a user who keeps a language, and someone else's booking
    token = api_token(UserFactory.create(preferred_language=stored))
    booking = make_booking(BookingStatus.CONFIRMED)
    headers = [(b"accept-language", header)] if header is not None else []

    # When they send an unknown frame, and a chat message to that booking
    answers = _error_frames(
        token,
        headers,
        [
            json.dumps({"type": "launch.rockets"}),
            json.dumps({"type": "chat.send", "booking": str(booking.public_id), "text": "hi"}),
        ],
    )

    # Then both errors are said in the handshake's language, else in the stored one
    assert answers == [
        {"type": "error", "code": "unknown_type", "message": unknown, "fields": {}},
        {"type": "error", "code": "not_found", "message": no_booking, "fields": {}},
    ]
    assert ChatMessage.objects.count() == 0
