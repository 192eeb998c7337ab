"""The WebSocket at /ws/v1/: a user's own event stream, live, plus chat, typing and acks.

Server → client frames: `hello` (the user's last sequence number), `event` (one stream row:
`id`, `seq`, `event`, `data`, `at`), `typing`, `chat.sent`, `pong`, `error` (`code`, `message`,
`fields`, and the client's `ref` when it sent one). A client that connects with `?after=N`, or
sends `{"type": "resume", "after": N}`, first gets every event after N, then the live ones,
each once and in order (a frame that arrives twice is dropped here; one that skips ahead
fetches the gap from the database first).

Client → server: `chat.send` {booking, text}, `chat.read` {booking, message}, `typing`
{booking}, `ack` {seq}, `resume` {after}, `ping`. Bad input never stores or broadcasts
anything: an unknown type, a malformed or binary frame, a message to a booking one is not
part of get an error frame; an oversized frame closes with 1009, a flood with 4429, a missing
or invalid token with 4401 (each after an error frame saying why). A foreign Origin is refused
at the handshake (routing).
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any
from uuid import UUID

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from backend.digits import digits_value
from backend.exceptions import ApplicationError, NotFound
from backend.languages import reader_language
from bookings.models import Booking
from realtime import chat, stream
from realtime.auth import session_still_logs_in
from realtime.errors import RealtimeError
from realtime.frames import frame_of
from realtime.publish import device_group, user_group

SUBPROTOCOL = "quartier.v1"
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FLOOD = 4429
CLOSE_TOO_BIG = 1009
RATE_WINDOW_SECONDS = 10.0


def _booking_of(user: Any, value: Any) -> Booking:
    """The booking a frame names, if the user is in its chat."""
    try:
        booking = Booking.objects.select_related("help_request", "helper").get(
            public_id=UUID(str(value))
        )
    except (ValueError, Booking.DoesNotExist) as exc:
        raise NotFound(_("No such booking.")) from exc
    return chat.chat_booking_for(user, booking)


@database_sync_to_async
def _chat_send(user: Any, booking: Any, text: Any) -> int:
    if not isinstance(text, str):
        text = ""
    return chat.chat_message_send(booking=_booking_of(user, booking), author=user, text=text).pk


@database_sync_to_async
def _chat_read(user: Any, booking: Any, message: Any) -> None:
    if not isinstance(message, int) or isinstance(message, bool):
        raise NotFound.for_field(
            "message", _("No such message."), code=RealtimeError.NO_SUCH_MESSAGE
        )
    chat.chat_read_mark(booking=_booking_of(user, booking), reader=user, message_id=message)


@database_sync_to_async
def _typing_targets(user: Any, booking: Any) -> tuple[str, list[int]]:
    found = _booking_of(user, booking)
    return str(found.public_id), [u for u in stream.chat_participants(found) if u != user.pk]


@database_sync_to_async
def _rows_after(user: Any, after: int, up_to: int | None = None) -> list[dict[str, Any]]:
    rows = stream.stream_after(user, after)
    return [frame_of(row) for row in rows if up_to is None or row.seq <= up_to]


@database_sync_to_async
def _last_seq(user: Any) -> int:
    return stream.stream_last_seq(user.pk)


@database_sync_to_async
def _ack(user: Any, seq: Any) -> None:
    stream.stream_ack(user, seq)


class StreamConsumer(AsyncWebsocketConsumer):
    user: Any
    last_seq: int
    sent: deque[float]
    # The group of the sockets of this socket's device (token), "" for a session.
    device_sockets: str

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Every frame the server says in words speaks the reader's language: the one the
        # handshake asked for (Accept-Language), else the one stored on the account.
        headers = dict(self.scope.get("headers") or [])
        language = reader_language(
            accept_language=headers.get(b"accept-language", b"").decode("latin-1"),
            user=self.scope.get("user"),
        )
        with translation.override(language or settings.LANGUAGE_CODE):
            await super().dispatch(message)

    async def connect(self) -> None:
        offered = self.scope.get("subprotocols") or []
        await self.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        self.user = self.scope.get("user")
        self.sent = deque()
        self.group = self.device_sockets = ""
        if self.user is None or not self.user.is_authenticated:
            code = "invalid_token" if self.scope.get("auth_failed") else "not_authenticated"
            await self._error(code, _("Log in first: send a valid token or session."))
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(self.user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        device = self.scope.get("device")
        self.device_sockets = device_group(device) if device else ""
        if self.device_sockets:
            await self.channel_layer.group_add(self.device_sockets, self.channel_name)
        given = self._after_from_query()
        after = None if given is None else digits_value(given)
        if after is None:
            self.last_seq = await _last_seq(self.user)
        else:
            self.last_seq = after
        await self._send(
            {"type": "hello", "user": str(self.user.public_id), "last_seq": self.last_seq}
        )
        if after is not None:
            await self._catch_up(after)
        elif given is not None:
            # As a resume frame with a bad number: said, and the socket stays, live from now.
            message = _("Resume after a sequence number.")
            await self._error(RealtimeError.INVALID_CURSOR, message, {"after": [message]})

    def _after_from_query(self) -> str | None:
        """The `after` of the socket's address as written, None without one."""
        from urllib.parse import parse_qs

        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        return (query.get("after") or [None])[0]

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if getattr(self, "device_sockets", ""):
            await self.channel_layer.group_discard(self.device_sockets, self.channel_name)

    # --- Server → client ----------------------------------------------------------------------

    async def _send(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame))

    async def _error(self, code: str, message: str, fields: Any = None, ref: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
        frame["fields"] = fields or {}
        if ref is not None:
            frame["ref"] = ref
        await self._send(frame)

    async def _catch_up(self, after: int, up_to: int | None = None) -> None:
        """Send the stored events after `after` (up to `up_to`), in order, each once."""
        while True:
            frames = await _rows_after(self.user, after, up_to)
            for frame in frames:
                await self._deliver(frame)
            if len(frames) < stream.CATCH_UP_LIMIT:
                return
            after = frames[-1]["seq"]

    async def _deliver(self, frame: dict[str, Any]) -> None:
        if frame["seq"] <= self.last_seq:
            return
        self.last_seq = frame["seq"]
        await self._send({"type": "event", **frame})

    async def stream_event(self, message: dict[str, Any]) -> None:
        """A row published by the relay (channel-layer message `stream.event`)."""
        frame = message["frame"]
        if frame["seq"] <= self.last_seq:
            return  # delivered already (at-least-once relay, or caught up from the database)
        if await self._logged_out():
            return
        if frame["seq"] > self.last_seq + 1:
            await self._catch_up(self.last_seq, frame["seq"] - 1)
        await self._deliver(frame)

    async def device_revoked(self, message: dict[str, Any]) -> None:
        """The device whose token opened this socket was signed out (channel-layer message
        `device.revoked`): say so and close, as for an invalid token."""
        await self._end("invalid_token", _("This device was signed out."))

    async def _logged_out(self) -> bool:
        """Whether the session this socket was opened with no longer logs its user in (logged
        out, or a new password set since): then the socket says so and closes, before it hears
        or says anything more. A token's socket is closed by `device_revoked` instead."""
        session_key = self.scope.get("session_key")
        if not self.group or not session_key:
            return False
        if await session_still_logs_in(session_key, self.user):
            return False
        await self._end("not_authenticated", _("Log in first: send a valid token or session."))
        return True

    async def _end(self, code: str, message: str) -> None:
        await self._error(code, message)
        await self.close(code=CLOSE_UNAUTHENTICATED)
        await self.disconnect(CLOSE_UNAUTHENTICATED)
        self.group = self.device_sockets = ""

    async def typing_notice(self, message: dict[str, Any]) -> None:
        if await self._logged_out():
            return
        await self._send({"type": "typing", "booking": message["booking"], "user": message["user"]})

    # --- Client → server ----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.group:
            return
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.QUARTIER_WS_MAX_FRAME_BYTES:
            await self._error(RealtimeError.FRAME_TOO_LARGE, _("This frame is too large."))
            await self.close(code=CLOSE_TOO_BIG)
            return
        if self._flooding():
            await self._error(RealtimeError.RATE_LIMITED, _("Too many messages: slow down."))
            await self.close(code=CLOSE_FLOOD)
            return
        if await self._logged_out():
            return
        try:
            frame = json.loads(text_data) if text_data is not None else None
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error(RealtimeError.MALFORMED_FRAME, _("Send a JSON object with a type."))
            return
        handler = self.HANDLERS.get(frame["type"])
        if handler is None:
            await self._error(
                RealtimeError.UNKNOWN_TYPE, _("Unknown message type."), ref=frame.get("ref")
            )
            return
        try:
            await handler(self, frame)
        except ApplicationError as exc:
            await self._error(str(exc.code), str(exc.message), exc.fields, frame.get("ref"))

    def _flooding(self) -> bool:
        """Whether this message is one too many in the last RATE_WINDOW_SECONDS."""
        now = time.monotonic()
        while self.sent and self.sent[0] <= now - RATE_WINDOW_SECONDS:
            self.sent.popleft()
        self.sent.append(now)
        return len(self.sent) > settings.QUARTIER_WS_MESSAGES_PER_10S

    async def _on_chat_send(self, frame: dict[str, Any]) -> None:
        message_id = await _chat_send(self.user, frame.get("booking"), frame.get("text"))
        await self._send({"type": "chat.sent", "ref": frame.get("ref"), "message": message_id})

    async def _on_chat_read(self, frame: dict[str, Any]) -> None:
        await _chat_read(self.user, frame.get("booking"), frame.get("message"))

    async def _on_typing(self, frame: dict[str, Any]) -> None:
        booking, targets = await _typing_targets(self.user, frame.get("booking"))
        for user_id in targets:
            await self.channel_layer.group_send(
                user_group(user_id),
                {"type": "typing.notice", "booking": booking, "user": str(self.user.public_id)},
            )

    async def _on_ack(self, frame: dict[str, Any]) -> None:
        await _ack(self.user, frame.get("seq"))

    async def _on_resume(self, frame: dict[str, Any]) -> None:
        after = frame.get("after")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self._error(
                RealtimeError.INVALID_CURSOR,
                _("Resume after a sequence number."),
                ref=frame.get("ref"),
            )
            return
        self.last_seq = after
        await self._catch_up(after)

    async def _on_ping(self, frame: dict[str, Any]) -> None:
        await self._send({"type": "pong", "ref": frame.get("ref")})

    HANDLERS = {
        "chat.send": _on_chat_send,
        "chat.read": _on_chat_read,
        "typing": _on_typing,
        "ack": _on_ack,
        "resume": _on_resume,
        "ping": _on_ping,
    }
