"""The WebSocket routes: /ws/v1/ (see realtime.consumers)."""

from __future__ import annotations

from typing import Any
from urllib.parse import ParseResult

from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, OriginValidator
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.urls import path

from realtime.auth import TokenOrSessionAuthMiddleware
from realtime.consumers import StreamConsumer

websocket_urlpatterns = [path("ws/v1/", StreamConsumer.as_asgi())]


class OriginOfAllowedHostsOrNone(OriginValidator):
    """channels' AllowedHostsOriginValidator, which lets a handshake without Origin pass.

    A browser always sends the Origin of the page that opens a socket, so a page of another
    site cannot leave it out; a native app sends none. Either must then authenticate (token or
    session) in the consumer."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, AllowedHostsOriginValidator(application).allowed_origins)

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        return parsed_origin is None or bool(super().valid_origin(parsed_origin))


# Origin must be one of ALLOWED_HOSTS (a socket without Origin, a native app's, passes);
# then the user comes from a token (Authorization header, `Sec-WebSocket-Protocol` or
# ?token=) or from the session cookie.
websocket_application = OriginOfAllowedHostsOrNone(
    CookieMiddleware(
        SessionMiddleware(TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns)))
    )
)
