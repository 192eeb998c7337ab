"""Who is on the other end of a WebSocket: a token, else the session.

The token is read from the `Authorization: Token <key>` header (native apps), from a
`Sec-WebSocket-Protocol` of the form `token.<key>` (browsers cannot set headers), or from the
`token` query parameter; it is checked by the API's own token authentication classes, so a
socket accepts exactly the tokens the API accepts. Without a token the session cookie's user
is used (the web app). A token that is given but invalid is never replaced by the session.

A socket opened with a session holds it only while the session still logs its user in:
`session_still_logs_in` asks again (log-out deletes the session; a new password, from any
session or device, leaves the others' hashes stale), and the consumer closes the socket when
it no longer does. A token's socket is closed when its device is signed out instead.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, cast
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.settings import api_settings

Scope = dict[str, Any]
INVALID = "invalid"


def token_of(scope: Scope) -> str | None:
    """The token the client sent, if any."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _space, key = value.decode("latin-1").partition(" ")
            if kind.lower() in {"token", "bearer"} and key:
                return key.strip()
        if name == b"sec-websocket-protocol":
            for protocol in value.decode("latin-1").split(","):
                protocol = protocol.strip()
                if protocol.startswith("token."):
                    return protocol.removeprefix("token.")
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("token"):
        return query["token"][0]
    return None


@database_sync_to_async
def user_of_token(key: str) -> tuple[Any, Any]:
    """The user a token is for and what the API knows it by (a device), or (None, None)."""
    classes = cast(list[type], api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    for authentication_class in classes:
        if not issubclass(authentication_class, TokenAuthentication):
            continue
        try:
            user, token = authentication_class().authenticate_credentials(key)
        except AuthenticationFailed:
            continue
        return user, token
    return None, None


class TokenOrSessionAuthMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        scope = dict(scope)
        key = token_of(scope)
        scope["device"] = scope["session_key"] = None
        if key is not None:
            user, token = await user_of_token(key)
            scope["user"] = user if user is not None else AnonymousUser()
            scope["auth_failed"] = user is None
            # The device whose token opened the socket: signing it out closes the socket.
            public_id = getattr(token, "public_id", None)
            scope["device"] = str(public_id) if public_id is not None else None
        else:
            scope["user"] = await get_user(scope) if "session" in scope else AnonymousUser()
            scope["auth_failed"] = False
            # The session the socket stands on, asked again before each frame it hears or says.
            if scope["user"].is_authenticated:
                scope["session_key"] = scope["session"].session_key
        return await self.inner(scope, receive, send)


async def session_still_logs_in(session_key: str, user: Any) -> bool:
    """Whether the session `session_key` still logs `user` in: it exists (no log-out ended
    it), has not expired, and was made with the user's current password (Django's session
    hash; a stale one is flushed, as a page request would)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    now = await get_user({"session": store})
    return bool(now.is_authenticated) and now.pk == user.pk
