"""The ASGI entry point served by daphne: HTTP, and the WebSockets at /ws/v1/.

The WebSocket application is named by settings.QUARTIER_WEBSOCKET_APPLICATION (the realtime
app's routing), so the core does not import an app above it.
"""

import os

from django.core.asgi import get_asgi_application
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from backend.body_limit import RequestBodyLimit  # noqa: E402


def close_request_connections(**kwargs: object) -> None:
    """Django's ASGI handler runs each request's database work in a thread of its own, which
    no later request comes back to: a connection kept for reuse (DATABASE_CONN_MAX_AGE) would
    stay open, unused, in that thread's storage, one more per request, until PostgreSQL refuses
    new clients. So the server closes the request's connections at its end (the signal is sent
    in the request's own thread). Only for requests the ASGI handler served: the test client's
    requests share the test's own connection."""
    connections.close_all()


request_finished.connect(
    close_request_connections, sender=ASGIHandler, dispatch_uid="quartier.asgi.close_connections"
)

# Over-long bodies are refused before Django reads them (QUARTIER_MAX_REQUEST_BODY_BYTES).
application = ProtocolTypeRouter(
    {
        "http": RequestBodyLimit(django_asgi_app),
        "websocket": import_string(settings.QUARTIER_WEBSOCKET_APPLICATION),
    }
)
