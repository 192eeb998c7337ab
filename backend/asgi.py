"""The ASGI entry point served by daphne (HTTP now; WebSocket routes join in backend.routing)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from backend.body_limit import RequestBodyLimit  # noqa: E402

# Over-long bodies are refused before Django reads them (QUARTIER_MAX_REQUEST_BODY_BYTES).
application = ProtocolTypeRouter({"http": RequestBodyLimit(django_asgi_app)})
