"""The WebSocket routes: /ws/v1/ (see realtime.consumers)."""

from __future__ import annotations

from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.urls import path

from realtime.auth import TokenOrSessionAuthMiddleware
from realtime.consumers import StreamConsumer

websocket_urlpatterns = [path("ws/v1/", StreamConsumer.as_asgi())]

# Origin must be one of ALLOWED_HOSTS (a socket without Origin, a native app's, passes);
# then the user comes from a token (Authorization header, `Sec-WebSocket-Protocol` or
# ?token=) or from the session cookie.
websocket_application = AllowedHostsOriginValidator(
    CookieMiddleware(
        SessionMiddleware(TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns)))
    )
)
