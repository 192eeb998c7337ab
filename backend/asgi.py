"""The ASGI entry point served by daphne: HTTP, and the WebSockets at /ws/v1/.

The WebSocket application is named by settings.QUARTIER_WEBSOCKET_APPLICATION (the realtime
app's routing), so the core does not import an app above it.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from backend.body_limit import RequestBodyLimit  # noqa: E402

# Over-long bodies are refused before Django reads them (QUARTIER_MAX_REQUEST_BODY_BYTES).
application = ProtocolTypeRouter(
    {
        "http": RequestBodyLimit(django_asgi_app),
        "websocket": import_string(settings.QUARTIER_WEBSOCKET_APPLICATION),
    }
)
