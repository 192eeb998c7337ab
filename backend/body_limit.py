"""The cap on request bodies, enforced in ASGI before Django reads a byte of the body.

Django reads a whole body (into memory, then a temporary file) before any view or limit of its
own looks at it. This middleware wraps the Django application: a declared `Content-Length` over
the cap is refused before the body is read, and a body without one (chunked) is counted while
it streams in and refused as soon as it passes the cap. Either way the client gets 413 in the
API's error shape, and Django sees a client that went away, so it answers nothing itself.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from backend.config import config
from backend.exceptions import error_body
from backend.languages import language_asked

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Django's handler and channels' routers each type scope and messages a little differently.
ASGIApp = Callable[..., Awaitable[None]]


def _declared_length(scope: MutableMapping[str, Any]) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the streamed bytes are counted instead
    return None


async def _answer_too_large(scope: MutableMapping[str, Any], send: Send, limit: int) -> None:
    # Said before Django's LocaleMiddleware runs: in the language the request asks for.
    headers = dict(scope.get("headers") or [])
    asked = language_asked(headers.get(b"accept-language", b"").decode("latin-1"))
    with translation.override(asked or settings.LANGUAGE_CODE):
        message = _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
    body = json.dumps(error_body("payload_too_large", message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestBodyLimit:
    """ASGI middleware: at most `max_request_body_bytes` (QUARTIER_MAX_REQUEST_BODY_BYTES)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = config().max_request_body_bytes
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _answer_too_large(scope, send, limit)
            return

        received = 0
        refused = False
        response_started = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not response_started:
                        await _answer_too_large(scope, send, limit)
                    # Django stops reading and answers nothing for a client that went away.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)
